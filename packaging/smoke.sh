#!/usr/bin/env bash
# The packaging part of CI (.ci/run calls it after scripts/test.sh), on Debian
# 12 as root (sudo otherwise): builds the onedir, the .deb (lintian-checked),
# the tarball and the NSIS check build; installs the .deb with apt-get and,
# from the installed copy, checks --version, plays a loopback HLS stream
# headless for 5 s with audio into the null sink and checks the report, starts
# the window under Xvfb with an empty cache and checks that it makes the
# built-in demo and shows its first frame, takes a screenshot that must not be
# blank, and checks with ldd that the bundle loads nothing from outside it
# but libraries of the packages it depends on. Then removes the package and
# checks nothing is left behind. Between the two, an older version is
# installed and upgraded over, and the user's settings must survive both.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
VERSION=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' player/__init__.py)
DEB=dist/heureum_${VERSION}_amd64.deb
WORK=$(mktemp -d /tmp/heureum-smoke.XXXXXX)
start=$SECONDS
passed=0
step() { echo "smoke: [$((SECONDS - start)) s] $*"; }
ok() { passed=$((passed + 1)); }
fail() { echo "smoke: FAILED: $*" >&2; exit 1; }

server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  # Never leave the package installed after a failed run.
  if dpkg-query -W -f='${Status}' heureum 2>/dev/null | grep -q "install ok installed"; then
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get remove -y -qq --purge heureum >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

step "building the onedir and the .deb"
bash packaging/build.sh deb
bash packaging/build.sh tarball
bash packaging/build.sh nsis
[ -f "$DEB" ] || fail "$DEB was not built"
for f in LICENSE THIRD-PARTY-NOTICES.md sbom.cdx.json; do
  [ -s build/onedir/heureum/$f ] || fail "the onedir lacks $f"
  tar -tzf dist/heureum-"$VERSION"-linux-x86_64.tar.gz "heureum-$VERSION-linux-x86_64/$f" >/dev/null ||
    fail "the tarball lacks $f"
done
python3 - build/onedir/heureum/sbom.cdx.json <<'PY' || fail "the SBOM does not list the bundled packages"
import json, sys
names = {c["name"].lower().replace("_", "-") for c in json.load(open(sys.argv[1]))["components"]}
missing = {"heureum", "av", "pyside6-essentials", "httpx", "m3u8", "sounddevice", "numpy"} - names
assert not missing, missing
assert not names & {"pip", "setuptools", "pyinstaller", "pytest"}, names
PY

ok
step "installing $DEB"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "./$DEB" >/dev/null
[ "$(command -v heureum)" = /usr/bin/heureum ] || fail "heureum is not /usr/bin/heureum"

ok
step "heureum --version"
heureum --version | tee "$WORK/version.txt"
grep -q "^heureum $VERSION$" "$WORK/version.txt" || fail "--version does not name $VERSION"
grep -q "running from: frozen build" "$WORK/version.txt" || fail "--version is not the frozen build"
grep -q "PortAudio: V19" "$WORK/version.txt" || fail "PortAudio is not found by the installed build"

ok
step "the launcher has the interpreter linked in when the build's python3 is static"
if .venv/bin/python packaging/static_bootloader.py --check; then
  [ -z "$(find /opt/heureum -name 'libpython*')" ] || fail "a libpython is bundled beside the launcher"
  # not grep -q: nm would die of SIGPIPE, and pipefail count it
  nm -D --defined-only /opt/heureum/heureum | grep ' T Py_InitializeFromConfig$' >/dev/null ||
    fail "the launcher exports no interpreter for the extension modules"
  echo "smoke: no libpython bundled; the launcher exports the interpreter"
  # the distribution's libpython rebuilt with the link-time IR it strips
  # (packaging/libpython_rebuild.py): without it the launcher starts slower
  # than the venv on the same python3
  grep "^static_bootloader: libpython .*(LTO)$" build/launcher.log ||
    fail "the launcher's libpython has no link-time IR (build/launcher.log, build/launcher/libpython.log)"
  # PyInstaller's bootloader executes itself again to apply LD_LIBRARY_PATH;
  # ours carries on in the first process (libpython_in_exe.c), which the
  # ldd step below makes safe: one execve, not two
  strace -qq -e trace=execve -o "$WORK/execve.txt" heureum --version >/dev/null
  execs=$(grep -c '^execve(' "$WORK/execve.txt" || true)
  [ "$execs" -eq 1 ] || { cat "$WORK/execve.txt" >&2; fail "the launcher started $execs times, not once"; }
  echo "smoke: the launcher starts once (no restart for LD_LIBRARY_PATH)"
else
  echo "smoke: the build interpreter loads a shared libpython: the stock launcher"
fi

ok
step "ldd over the bundle"
depends=$(dpkg-query -W -f='${Depends}' heureum | tr -d ' ' | tr ',' '\n' | sed 's/(.*//')
find /opt/heureum -type f \( -name '*.so*' -o -name heureum \) | while read -r f; do
  file -b "$f" | grep -q ELF || continue
  # ldd fails on a static ELF ("not a dynamic executable"): nothing to check there.
  { ldd "$f" 2>&1 || true; } | sed "s|^|$f: |"
done >"$WORK/ldd.txt"
if grep "not found" "$WORK/ldd.txt"; then fail "libraries not found (above)"; fi
# Every library in the bundle is dynamic; ldd refuses one the loader cannot map.
if grep "not a dynamic executable" "$WORK/ldd.txt"; then fail "libraries the loader refuses (above)"; fi
# The bundle's own copies are found by each library's RUNPATH, with no
# LD_LIBRARY_PATH (the launcher does not set one for itself): a library the
# bundle carries must never come from the system instead.
find /opt/heureum -name '*.so*' -printf '%f\n' | sort -u >"$WORK/bundled.txt"
awk '/=> \// && $4 !~ /^\/opt\/heureum\// { print $2 }' "$WORK/ldd.txt" | sort -u |
  comm -12 - "$WORK/bundled.txt" >"$WORK/astray.txt"
if [ -s "$WORK/astray.txt" ]; then
  grep -F -f "$WORK/astray.txt" "$WORK/ldd.txt" | grep -v '/opt/heureum/[^ ]*$' >&2 || true
  fail "libraries the bundle carries resolve to the system's copies (above)"
fi
awk '/=> \// { print $4 }' "$WORK/ldd.txt" | grep -v '^/opt/heureum/' | sort -u >"$WORK/outside.txt"
while read -r lib; do
  pkg=$(dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "/usr$lib" 2>/dev/null || true)
  pkg=${pkg%%:*}
  [ -n "$pkg" ] || fail "$lib is owned by no package"
  echo "$depends" | grep -qx "$pkg" || fail "$lib comes from $pkg, which heureum does not depend on"
done <"$WORK/outside.txt"
echo "smoke: $(wc -l <"$WORK/outside.txt") system libraries, all from declared dependencies"

ok
step "headless HLS over loopback for 5 s with audio"
# shellcheck source=scripts/audio-env.sh
source scripts/audio-env.sh
ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc2=size=640x360:rate=25 \
  -f lavfi -i sine=frequency=440:sample_rate=48000 -t 12 -c:v libx264 -preset ultrafast -g 25 \
  -c:a aac -f hls -hls_time 2 -hls_playlist_type vod "$WORK/index.m3u8"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$WORK" >/dev/null 2>&1 &
server_pid=$!
for _ in $(seq 1 50); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/index.m3u8')" 2>/dev/null && break
  sleep 0.1
done
heureum --headless "http://127.0.0.1:$port/index.m3u8" --duration 5 --report "$WORK/report.json"
python3 - "$WORK/report.json" <<'PY' || fail "the report is not what 5 s of playback gives"
import json, sys
r = json.load(open(sys.argv[1]))
# 25 fps for 5 s is 125 frames; a loaded 2-core machine may drop some late.
assert r["frames"]["presented"] >= 25, r["frames"]
assert r["frames"]["dropped"] < r["frames"]["presented"], r["frames"]
assert r.get("audio", {}).get("sample_rate", 0) > 0, r.get("audio")
assert r["time_to_first_frame_s"] is not None and r["time_to_first_frame_s"] < 4, r
assert r["state"] in ("playing", "ended"), r["state"]
print(f"smoke: report: presented={r['frames']['presented']} audio={r['audio']['device']!r}")
PY
kill "$server_pid"; server_pid=""

ok
step "the decode-only build plays every codec family"
# The encoder libraries but x264 are stubs (packaging/decode_only.py): each
# decoder Heureum relies on must still work from the installed copy.
for spec in "h264.mp4:-c:v libx264 -preset ultrafast" "hevc.mp4:-c:v libx265 -preset ultrafast -x265-params log-level=error" \
  "vp9.webm:-c:v libvpx-vp9 -deadline realtime -cpu-used 8" "vp8.webm:-c:v libvpx -deadline realtime" \
  "av1.mkv:-c:v libaom-av1 -cpu-used 8 -row-mt 1"; do
  name=${spec%%:*}
  # shellcheck disable=SC2086
  ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc2=size=320x180:rate=25 -t 1 ${spec#*:} "$WORK/$name"
  heureum --headless --frames 5 --no-audio "$WORK/$name" >"$WORK/codec.txt" 2>&1 || { cat "$WORK/codec.txt"; fail "$name did not play"; }
  grep -q "presented=5" "$WORK/codec.txt" || { cat "$WORK/codec.txt"; fail "$name: no frames"; }
done
for spec in "mp3.mp3:-c:a libmp3lame" "opus.ogg:-c:a libopus" "aac.m4a:-c:a aac"; do
  name=${spec%%:*}
  # shellcheck disable=SC2086
  ffmpeg -hide_banner -loglevel error -f lavfi -i sine=frequency=440:sample_rate=48000 -t 1 ${spec#*:} "$WORK/$name"
  heureum --headless --duration 1 --report "$WORK/audio.json" "$WORK/$name" >/dev/null 2>&1 || fail "$name did not play"
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["time_to_first_audio_s"] is not None, r' \
    "$WORK/audio.json" || fail "$name: no audio played"
done
echo "smoke: H.264, HEVC, VP8, VP9, AV1, MP3, Opus and AAC decode from the installed build"
# Headless never loads Qt (packaging/rth_qt_lazy.py): glibc lists every library it opens.
LD_DEBUG=files heureum --headless --frames 1 --no-audio "$WORK/h264.mp4" >/dev/null 2>"$WORK/ld.txt" ||
  fail "headless play failed"
grep -q "file=.*libavcodec" "$WORK/ld.txt" || fail "LD_DEBUG listed no libraries"
if grep -q "file=.*libQt6Core" "$WORK/ld.txt"; then fail "the headless run loaded Qt"; fi
# nor ctypes (packaging/pyimod03_ctypes_lazy.py: PyInstaller's bootstrap would)
if grep -q "file=.*_ctypes" "$WORK/ld.txt"; then fail "the headless run loaded ctypes"; fi

ok
step "a first start makes the built-in demo (H.264 from the bundle's x264) and plays it"
# An empty cache, as on a user's first start: the demo is encoded, served and
# shown, or the log says why not.
XDG_CACHE_HOME="$WORK/cache" python3 - <<'PY' || fail "the window did not play the built-in demo"
import sys
from pathlib import Path

sys.path.insert(0, ".")
from benchmarks.packaging import first_frame_s

took = first_frame_s(Path("/usr/bin/heureum"), timeout=400)
print(f"smoke: the demo made and its first frame shown {took:.1f} s after start")
PY

ok
step "the window on the built-in demo under Xvfb"
XDG_CACHE_HOME="$WORK/cache" bash packaging/screenshot.sh "$WORK/window.png" 3 240 -- heureum
cp "$WORK/window.png" build/smoke-window.png

ok
step "installing over an older version keeps the user's settings"
# The same build repacked as an older version, installed first; a user's
# settings written; then the new .deb over it, then a purge: the settings
# stay through both (they live in the home, which no package touches).
DEBIAN_FRONTEND=noninteractive $SUDO apt-get remove -y -qq --purge heureum >/dev/null
rm -rf "$WORK/old"
dpkg-deb -R "$DEB" "$WORK/old"
sed -i "s/^Version: .*/Version: 0.0.1/" "$WORK/old/DEBIAN/control"
dpkg-deb --root-owner-group -Zgzip -z1 --build "$WORK/old" "$WORK/heureum_0.0.1_amd64.deb" >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$WORK/heureum_0.0.1_amd64.deb" >/dev/null
[ "$(dpkg-query -W -f='${Version}' heureum)" = 0.0.1 ] || fail "the older version did not install"
user_home="$WORK/home"
mkdir -p "$user_home/.config/Heureum"
printf '[audio]\nvolume=0.42\n' >"$user_home/.config/Heureum/heureum.ini"
cp "$user_home/.config/Heureum/heureum.ini" "$WORK/settings.before"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "./$DEB" >/dev/null
[ "$(dpkg-query -W -f='${Version}' heureum)" = "$VERSION" ] || fail "the upgrade to $VERSION did not happen"
HOME="$user_home" heureum --version | grep -q "^heureum $VERSION$" || fail "the upgraded program is not $VERSION"
cmp -s "$WORK/settings.before" "$user_home/.config/Heureum/heureum.ini" || fail "the upgrade changed the user's settings"
echo "smoke: 0.0.1 -> $VERSION kept the user's settings"

ok
step "removing the package"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get remove -y -qq --purge heureum >/dev/null
[ ! -e /opt/heureum ] || fail "/opt/heureum is left: $(find /opt/heureum | head)"
if ls /usr/share/applications | grep -qi heureum; then fail "a desktop entry is left"; fi
[ ! -e /usr/bin/heureum ] || fail "/usr/bin/heureum is left"
[ -z "$(find /usr/share/icons /usr/share/metainfo -iname '*heureum*' 2>/dev/null)" ] || fail "icons or metainfo are left"
cmp -s "$WORK/settings.before" "$user_home/.config/Heureum/heureum.ini" || fail "removing the package touched the user's settings"
ok
step "done ($(du -m "$DEB" | cut -f1) MB .deb)"
echo "smoke: $passed passed, 0 failed"
