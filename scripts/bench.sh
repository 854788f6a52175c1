#!/usr/bin/env bash
# Sets everything up, then runs every benchmark and prints its figures (JSON and
# tables). Targets are printed next to the figures; nothing here is a test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# shellcheck source=scripts/audio-env.sh
source scripts/audio-env.sh
py=.venv/bin/python
for bench in pipeline_cost first_frame av_sync memory; do
  echo "== $bench"
  $py -m "benchmarks.$bench"
done
for extra in abr_simulator hls_cpu hls_first_frame; do
  if [ -f "benchmarks/$extra.py" ]; then
    echo "== $extra"
    $py -m "benchmarks.$extra"
  fi
done
for gui in gui_cpu startup; do
  if [ -f "benchmarks/$gui.py" ]; then
    echo "== $gui"
    if [ -z "${DISPLAY:-}" ]; then
      xvfb-run -a -s "-screen 0 1920x1080x24" $py -m "benchmarks.$gui"
    else
      $py -m "benchmarks.$gui"
    fi
  fi
done
