#!/usr/bin/env bash
# Sets everything up, then starts the player: on the built-in demo stream with no
# argument, or on the URL or file given.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# shellcheck source=scripts/audio-env.sh
source scripts/audio-env.sh
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run: no display found; starting on a virtual screen (Xvfb)" >&2
  exec xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/heureum "$@"
fi
exec .venv/bin/heureum "$@"
