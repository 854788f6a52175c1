#!/usr/bin/env bash
# Sets everything up, then runs every benchmark and prints its figures (JSON and
# tables). Targets are printed next to the figures; nothing here is a test.
#
#   scripts/bench.sh [--many-streams [ARGS...]]
#
# --many-streams also runs benchmarks/many_streams.py (N simultaneous 720p30
# streams, our windows against mpv's; several minutes of a fully loaded
# machine), with the ARGS after it (e.g. --counts 8,12,15 --protocol rtsp).
set -euo pipefail
cd "$(dirname "$0")/.."
many_streams=0
many_args=()
if [ "${1:-}" = "--many-streams" ]; then
  many_streams=1
  shift
  many_args=("$@")
fi
bash scripts/setup.sh
# shellcheck source=scripts/audio-env.sh
source scripts/audio-env.sh
py=.venv/bin/python
for bench in pipeline_cost first_frame av_sync memory; do
  echo "== $bench"
  $py -m "benchmarks.$bench"
done
for extra in abr_simulator hls_cpu hls_first_frame rtmp_first_frame; do
  if [ -f "benchmarks/$extra.py" ]; then
    echo "== $extra"
    $py -m "benchmarks.$extra"
  fi
done
for gui in gui_cpu startup glass_to_glass glass_stall; do
  if [ -f "benchmarks/$gui.py" ]; then
    echo "== $gui"
    if [ -z "${DISPLAY:-}" ]; then
      xvfb-run -a -s "-screen 0 1920x1080x24" $py -m "benchmarks.$gui"
    else
      $py -m "benchmarks.$gui"
    fi
  fi
done
if [ "$many_streams" = 1 ]; then
  echo "== many_streams"
  if [ -z "${DISPLAY:-}" ]; then
    xvfb-run -a -s "-screen 0 1920x1080x24" $py -m benchmarks.many_streams "${many_args[@]}"
  else
    $py -m benchmarks.many_streams "${many_args[@]}"
  fi
fi
