#!/usr/bin/env bash
# Sets up Heureum on Debian/Ubuntu: system packages and a virtualenv in .venv.
#   bash scripts/setup.sh        everything (the test rig: FFmpeg CLI, nginx, GStreamer
#                                RTSP server, mpv, PulseAudio, Xvfb, validators) and
#                                the test tools
#   bash scripts/setup.sh run    only what playing needs: Python, the libraries Qt's
#                                xcb platform plugin loads, and PortAudio
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-test}

RUN_PACKAGES=(
  python3-venv python3-pip libportaudio2
  libgl1 libegl1 libopengl0 libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4
  libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0
  libxcb-xinerama0 libxcb-xkb1 libfontconfig1 libdbus-1-3
)
TEST_PACKAGES=(
  ffmpeg mpv nginx libnginx-mod-rtmp
  gir1.2-gst-rtsp-server-1.0 python3-gi gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
  pulseaudio pulseaudio-utils libasound2-plugins dbus-daemon dbus-bin
  xvfb xauth xdotool imagemagick desktop-file-utils appstream fonts-noto-cjk
  gcc libc6-dev binutils patchelf icu-devtools strace
)
case "$MODE" in
  run) APT_PACKAGES=("${RUN_PACKAGES[@]}"); EXTRAS="" ;;
  test) APT_PACKAGES=("${RUN_PACKAGES[@]}" "${TEST_PACKAGES[@]}"); EXTRAS="[test]" ;;
  *) echo "usage: bash scripts/setup.sh [run|test]" >&2; exit 2 ;;
esac

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
  "$PY" -m venv .venv
fi
stamp=.venv/.heureum-installed-$MODE
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  # the versions CI passed with (constraints.txt says why)
  .venv/bin/python -m pip install -q -c constraints.txt -e ".$EXTRAS"
  touch "$stamp"
fi
