#!/usr/bin/env bash
# Sets everything up, then runs every check: ruff, mypy and the whole pytest suite
# (unit, integration against real servers, GUI on a real window under Xvfb).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# shellcheck source=scripts/audio-env.sh
source scripts/audio-env.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
if [ -z "${DISPLAY:-}" ]; then
  exec xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python -m pytest "$@"
fi
exec .venv/bin/python -m pytest "$@"
