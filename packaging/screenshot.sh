#!/usr/bin/env bash
# Starts a Heureum command in a window on its own virtual screen, waits until the
# screen shows more than a blank window, and saves a screenshot of it.
#   bash packaging/screenshot.sh OUT.png SETTLE_S TIMEOUT_S -- COMMAND [ARGS...]
# SETTLE_S: seconds to let it play once something is on screen (the demo's
# bitrate panel fills in as it goes). Exits 1 when nothing but a blank screen
# was seen within TIMEOUT_S. Needs xvfb-run, xdotool and ImageMagick.
set -euo pipefail
out=$1 settle=$2 timeout=$3
shift 3
[ "$1" = "--" ] && shift
if [ -z "${_HEUREUM_IN_XVFB:-}" ]; then
  export _HEUREUM_IN_XVFB=1
  exec xvfb-run -a -s "-screen 0 1280x800x24" bash "$0" "$out" "$settle" "$timeout" -- "$@"
fi
"$@" >"${out%.png}.log" 2>&1 &
app=$!
trap 'kill "$app" 2>/dev/null || true; wait "$app" 2>/dev/null || true' EXIT
# A grey window is one colour; a playing video with text is many.
spread() { import -window root -silent png:- 2>/dev/null | identify -format '%[fx:standard_deviation]' - 2>/dev/null || echo 0; }
deadline=$((SECONDS + timeout))
while :; do
  if ! kill -0 "$app" 2>/dev/null; then
    echo "screenshot: the program exited early; its output:" >&2
    cat "${out%.png}.log" >&2
    exit 1
  fi
  if xdotool search --onlyvisible --name Heureum >/dev/null 2>&1; then
    wid=$(xdotool search --onlyvisible --name Heureum | head -1)
    xdotool windowsize "$wid" 1200 740 windowmove "$wid" 40 30 2>/dev/null || true
    if awk -v s="$(spread)" 'BEGIN { exit !(s > 0.08) }'; then
      break
    fi
  fi
  if [ $SECONDS -ge $deadline ]; then
    echo "screenshot: nothing but a blank screen after ${timeout} s" >&2
    exit 1
  fi
  sleep 1
done
sleep "$settle"
wid=$(xdotool search --onlyvisible --name Heureum | head -1)
import -window "$wid" -silent "$out"
s=$(identify -format '%[fx:standard_deviation]' "$out")
echo "screenshot: $out ($(identify -format '%wx%h' "$out"), spread $s)"
awk -v s="$s" 'BEGIN { exit !(s > 0.08) }' || { echo "screenshot: $out is blank" >&2; exit 1; }
