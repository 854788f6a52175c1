#!/usr/bin/env bash
# Sets up what playing needs (Python, Qt's xcb libraries, PortAudio: not the
# test rig), then starts the player: on the built-in demo stream with no
# argument, or on the URL or file given.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh run
# shellcheck source=scripts/audio-env.sh
source scripts/audio-env.sh
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run: no display found; starting on a virtual screen (Xvfb)" >&2
  if ! command -v xvfb-run >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends xvfb xauth >/dev/null
  fi
  exec xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/heureum "$@"
fi
exec .venv/bin/heureum "$@"
