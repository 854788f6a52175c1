#!/usr/bin/env bash
# Runs the test suite several times in a row while another process keeps one
# core busy: timing that only holds on an idle machine shows up here.
#
#   bash scripts/stress-suite.sh              # the whole suite, 5 runs
#   bash scripts/stress-suite.sh -n 3 tests/unit/test_clock.py -x
#
# -n RUNS (default 5); everything after goes to pytest. Stops at the first
# failing run unless -k is given (keep going). Exit status: 0 when every run
# passed. The busy process is this script's own child and is ended with it.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=5
keep_going=0
while getopts "n:k" opt; do
  case "$opt" in
    n) runs="$OPTARG" ;;
    k) keep_going=1 ;;
    *) echo "usage: $0 [-n RUNS] [-k] [pytest args...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
  echo "-n wants a positive number of runs, not '$runs'" >&2
  exit 2
fi

python=.venv/bin/python
if [ ! -x "$python" ]; then
  echo "no .venv here: run bash scripts/setup.sh first" >&2
  exit 2
fi
# shellcheck source=scripts/audio-env.sh
source scripts/audio-env.sh

# One core kept busy for the whole stress run (a spinning Python loop).
"$python" -c "while True: pass" &
busy=$!
trap 'kill "$busy" 2>/dev/null || true' EXIT INT TERM

pytest_cmd=("$python" -m pytest -q -p no:cacheprovider "$@")
if [ -z "${DISPLAY:-}" ]; then
  pytest_cmd=(xvfb-run -a -s "-screen 0 1920x1080x24" "${pytest_cmd[@]}")
fi

failed=0
for ((i = 1; i <= runs; i++)); do
  started=$(date +%s)
  if "${pytest_cmd[@]}"; then
    echo "stress run $i/$runs: passed in $(($(date +%s) - started)) s (one core busy, pid $busy)"
  else
    echo "stress run $i/$runs: FAILED after $(($(date +%s) - started)) s" >&2
    failed=$((failed + 1))
    if [ "$keep_going" -eq 0 ]; then
      break
    fi
  fi
done
if [ "$failed" -ne 0 ]; then
  echo "$failed of $runs stress runs failed" >&2
  exit 1
fi
echo "all $runs stress runs passed"
