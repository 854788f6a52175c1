#!/usr/bin/env bash
# Builds Heureum's installable artifacts into dist/:
#   bash packaging/build.sh onedir    # build/onedir/heureum: the PyInstaller folder (+ SBOM, licences)
#   bash packaging/build.sh tarball   # dist/heureum-VERSION-linux-x86_64.tar.gz
#   bash packaging/build.sh deb       # dist/heureum_VERSION_amd64.deb (checked with lintian)
#   bash packaging/build.sh nsis      # compiles packaging/windows/heureum.nsi (Linux: a check build)
#   bash packaging/build.sh wheel     # dist/heureum-VERSION-py3-none-any.whl and the sdist
#   bash packaging/build.sh all       # all of the above
# Uses .venv (scripts/setup.sh) for the build tools and a clean venv in
# build/pkg-venv holding only the wheel and its dependencies, which is what the
# frozen folder carries and what the SBOM lists. Installs the Debian tools it
# needs (dpkg-dev, lintian, nsis) with apt-get when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VERSION=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' player/__init__.py)
APP_ID=io.github.heureum.Heureum
ONEDIR=build/onedir/heureum
PKGVENV=build/pkg-venv
mkdir -p dist build

say() { echo "build: $*" >&2; }

apt_need() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  say "installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

tools() {
  [ -x .venv/bin/python ] || bash scripts/setup.sh
  .venv/bin/python -c 'import build, cyclonedx' 2>/dev/null ||
    .venv/bin/python -m pip install -q -c constraints.txt 'build>=1.2' 'cyclonedx-bom>=4.4'
}

wheel() {
  tools
  rm -f dist/heureum-*.whl dist/heureum-*.tar.gz.sdist
  .venv/bin/python -m build --outdir dist . >build/wheel.log 2>&1 || { cat build/wheel.log >&2; exit 1; }
  ls dist/heureum-"$VERSION"-py3-none-any.whl >/dev/null
  say "wheel: $(ls dist/heureum-*.whl)"
}

py_version() { "$1" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")'; }

pkg_venv() {
  local py
  py=$(.venv/bin/python -c 'import sys; print(sys._base_executable)')
  # PyInstaller needs the shared libpython; Debian's python3 has it in libpython3.X.
  if [[ $py == /usr/bin/* ]]; then
    apt_need "libpython$(py_version "$py")"
  fi
  rm -rf "$PKGVENV"
  "$py" -m venv "$PKGVENV"
  "$PKGVENV/bin/python" -m pip install -q --upgrade pip
  # the versions the tests passed with (constraints.txt), not the newest
  "$PKGVENV/bin/python" -m pip install -q -c constraints.txt dist/heureum-"$VERSION"-py3-none-any.whl
  # The SBOM before PyInstaller goes in: it lists what the bundle carries.
  .venv/bin/cyclonedx-py environment --of JSON -o build/sbom.cdx.json "$PKGVENV/bin/python" 2>/dev/null
  # pip and setuptools come with every venv and are not frozen into the bundle.
  .venv/bin/python - build/sbom.cdx.json <<'PY'
import json, sys
path = sys.argv[1]
sbom = json.load(open(path))
drop = {c["bom-ref"] for c in sbom["components"] if c["name"].lower() in ("pip", "setuptools", "wheel")}
sbom["components"] = [c for c in sbom["components"] if c["bom-ref"] not in drop]
sbom["dependencies"] = [
    {**d, "dependsOn": [r for r in d.get("dependsOn", []) if r not in drop]}
    for d in sbom.get("dependencies", []) if d["ref"] not in drop
]
json.dump(sbom, open(path, "w"), indent=2)
PY
  "$PKGVENV/bin/python" -m pip install -q -c constraints.txt 'pyinstaller>=6.10'
}

drop_build_rpaths() {
  # An interpreter built in a home folder (pyenv) leaves its lib folder as the
  # RUNPATH of libpython and of every extension module: a path of the build
  # machine, meaningless (or worse, another Python) on the user's. It becomes
  # the bundle's own folder, relative to $ORIGIN, where libpython is.
  [[ $(uname) == Linux ]] || return 0
  apt_need patchelf file
  local internal
  internal=$(realpath "$1/_internal")
  find "$1" -type f -name '*.so*' | while read -r f; do
    rpath=$(patchelf --print-rpath "$f" 2>/dev/null) || continue
    [ -n "$rpath" ] || continue
    keep=$(tr ':' '\n' <<<"$rpath" | grep '^\$ORIGIN' | paste -sd: || true)
    [ "$keep" = "$rpath" ] && continue
    rel=$(realpath --relative-to="$(dirname "$(realpath "$f")")" "$internal")
    own='$ORIGIN'
    [ "$rel" = . ] || own="\$ORIGIN/$rel"
    patchelf --set-rpath "${keep:+$keep:}$own" "$f"
  done
}

system_x_libs() {
  # PyAV's wheels (18.1.1 on) carry their own libxcb, libXau and libdrm, each
  # padded to 2 MB pages (~30 MB of zeros): packaging/linux/system_x_libs.sh
  # points the bundle at the system's (the .deb then depends on them).
  [[ $(uname) == Linux ]] || return 0
  apt_need patchelf binutils libxcb1 libxcb-shm0 libxcb-shape0 libxcb-xfixes0 libxau6 libxdmcp6 libdrm2
  bash packaging/linux/system_x_libs.sh "$1" >&2
}

strip_unstripped() {
  # strip breaks the libraries auditwheel patched into the wheels' *.libs
  # folders (numpy's OpenBLAS: "ELF load command address/offset not
  # page-aligned"), so PyInstaller's strip is off and those are left alone;
  # the rest that `file` says are not stripped are (libpython of a self-built
  # interpreter, mostly).
  # Never the heureum program: its archive is appended after the ELF image.
  [[ $(uname) == Linux ]] || return 0
  apt_need binutils file
  find "$1" -type f -name '*.so*' -not -path '*.libs/*' | while read -r f; do
    file -b "$f" | grep -q 'ELF.*not stripped' || continue
    strip --strip-unneeded "$f"
  done
}

slim() {
  # A decode-only FFmpeg (stubs for the encoder libraries) and ICU data for
  # the UI's languages: 57 MB of the folder that Heureum never uses. The
  # smoke test plays H.264, HEVC, VP9, AV1, MP3 and Opus from the result.
  [[ $(uname) == Linux ]] || return 0
  apt_need gcc binutils icu-devtools
  python3 packaging/decode_only.py "$1" >&2
  python3 packaging/icu_trim.py "$1" >&2
}

launcher() {
  # Prints the Linux launcher with the interpreter linked in, when the build
  # interpreter is a static one (packaging/static_bootloader.py); else nothing.
  [[ $(uname) == Linux ]] || return 0
  "$PKGVENV/bin/python" packaging/static_bootloader.py --check || return 0
  # make, dpkg-dev and libffi-dev: the libpython rebuilt with its link-time IR
  # (packaging/libpython_rebuild.py, about 10 minutes on 2 cores, then cached)
  apt_need gcc libc6-dev binutils "libpython$(py_version "$PKGVENV/bin/python")-dev" zlib1g-dev libexpat1-dev \
    make dpkg-dev libffi-dev
  "$PKGVENV/bin/python" packaging/static_bootloader.py build/launcher >build/launcher.log 2>&1 ||
    { tail -20 build/launcher.log >&2; exit 1; }
  tail -1 build/launcher.log
}

onedir() {
  wheel
  pkg_venv
  local run
  run=$(launcher)
  [ -z "$run" ] || say "launcher: $run (the interpreter linked in)"
  rm -rf build/onedir build/pyinstaller
  # Run from build/ so the checkout's packages cannot shadow the installed ones.
  (cd build && HEUREUM_SBOM="$ROOT/build/sbom.cdx.json" HEUREUM_LAUNCHER="$run" "$ROOT/$PKGVENV/bin/pyinstaller" \
    --noconfirm --clean --log-level WARN --distpath "$ROOT/build/onedir" \
    --workpath "$ROOT/build/pyinstaller" "$ROOT/packaging/heureum.spec") >build/pyinstaller.log 2>&1 ||
    { tail -40 build/pyinstaller.log >&2; exit 1; }
  drop_build_rpaths "$ONEDIR"
  system_x_libs "$ONEDIR"
  strip_unstripped "$ONEDIR"
  slim "$ONEDIR"
  cp LICENSE "$ONEDIR/LICENSE"
  cp resources/licenses/THIRD-PARTY-NOTICES.md "$ONEDIR/THIRD-PARTY-NOTICES.md"
  cp build/sbom.cdx.json "$ONEDIR/sbom.cdx.json"
  say "onedir: $ONEDIR ($(du -sm "$ONEDIR" | cut -f1) MB)"
}

tarball() {
  [ -x "$ONEDIR/heureum" ] || onedir
  local name=heureum-$VERSION-linux-x86_64 stage=build/tarball
  rm -rf "$stage"
  mkdir -p "$stage/$name/share"
  cp -a "$ONEDIR/." "$stage/$name/"
  cp resources/linux/$APP_ID.desktop resources/linux/$APP_ID.metainfo.xml "$stage/$name/share/"
  cp resources/icons/heureum.svg "$stage/$name/share/$APP_ID.svg"
  cp packaging/linux/README-tarball.txt "$stage/$name/README.txt"
  tar -C "$stage" -czf "dist/$name.tar.gz" "$name"
  say "tarball: dist/$name.tar.gz ($(du -m "dist/$name.tar.gz" | cut -f1) MB)"
}

deb_depends() {
  # Every library the bundle's ELF files load from outside it, as the Debian
  # packages that ship them; PortAudio is loaded by name (ctypes), so it is named.
  local dir=$1
  find "$dir" -type f \( -name '*.so*' -o -name heureum \) -exec sh -c 'file -b "$1" | grep -q ELF && ldd "$1"' _ {} \; 2>/dev/null |
    awk '/=> \// { print $3 }' | grep -v "^$ROOT/$dir" | sort -u |
    while read -r lib; do
      dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")" 2>/dev/null ||
        dpkg -S "/usr$lib" 2>/dev/null || echo "UNOWNED: $lib"
    done | sed 's/:.*//; s/, /\n/g' | sort -u | grep -v '^$' | grep -v UNOWNED || true
}

deb() {
  [ -x "$ONEDIR/heureum" ] || onedir
  apt_need lintian file
  local stage=build/deb/heureum_${VERSION}_amd64
  rm -rf build/deb
  mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" \
    "$stage/usr/share/metainfo" "$stage/usr/share/doc/heureum" "$stage/usr/share/lintian/overrides" \
    "$stage/usr/share/man/man1"
  cp -a "$ONEDIR" "$stage/opt/heureum"
  ln -s /opt/heureum/heureum "$stage/usr/bin/heureum"
  install -m644 resources/linux/$APP_ID.desktop "$stage/usr/share/applications/"
  install -m644 resources/linux/$APP_ID.metainfo.xml "$stage/usr/share/metainfo/"
  for size in 16 24 32 48 64 128 256 512; do
    install -D -m644 "resources/icons/heureum-$size.png" \
      "$stage/usr/share/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
  done
  install -D -m644 resources/icons/heureum.svg "$stage/usr/share/icons/hicolor/scalable/apps/$APP_ID.svg"
  install -m644 packaging/linux/copyright "$stage/usr/share/doc/heureum/copyright"
  install -m644 packaging/linux/lintian-overrides "$stage/usr/share/lintian/overrides/heureum"
  printf 'heureum (%s) unstable; urgency=medium\n\n  * Packaged build; see CHANGELOG.md.\n\n -- The Heureum developers <heureum@users.noreply.github.com>  %s\n' \
    "$VERSION" "$(date -R -d @"${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}")" |
    gzip -9n >"$stage/usr/share/doc/heureum/changelog.gz"
  gzip -9n <packaging/linux/heureum.1 >"$stage/usr/share/man/man1/heureum.1.gz"
  # Files: readable by all, owned by root (dpkg-deb --root-owner-group);
  # libraries are not programs (dlopen needs no execute bit).
  find "$stage" -type d -exec chmod 755 {} +
  find "$stage/opt" -type f -exec chmod go+r,go-w {} +
  find "$stage/opt" -type f -name '*.so*' -exec chmod 644 {} +

  local depends
  depends=$( (deb_depends "$stage/opt/heureum"; echo libportaudio2) | sort -u | paste -sd, | sed 's/,/, /g')
  local size
  size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
  sed -e "s/@VERSION@/$VERSION/" -e "s/@DEPENDS@/$depends/" -e "s/@SIZE@/$size/" \
    packaging/linux/control.in >"$stage/DEBIAN/control"
  local out=dist/heureum_${VERSION}_amd64.deb
  dpkg-deb --root-owner-group -Zxz --build "$stage" "$out" >/dev/null
  say "deb: $out ($(du -m "$out" | cut -f1) MB), Depends: $depends"
  # lintian's errors fail the build; warnings are printed.
  lintian --tag-display-limit 0 "$out" >build/lintian.txt 2>&1 || true
  cat build/lintian.txt >&2
  if grep -q '^E: ' build/lintian.txt; then
    say "lintian found errors"
    exit 1
  fi
}

nsis() {
  apt_need nsis
  local src=${NSIS_SOURCE:-}
  local out=dist/heureum-$VERSION-windows-x64-setup.exe
  if [ -z "$src" ]; then
    # On Linux there is no Windows onedir: compile against a stand-in folder
    # (same layout) to check the script, and say so in the file name.
    src=build/nsis-check
    rm -rf "$src"
    mkdir -p "$src/_internal"
    printf 'stand-in' >"$src/heureum.exe"
    cp LICENSE resources/licenses/THIRD-PARTY-NOTICES.md "$src/"
    out=build/heureum-$VERSION-nsis-check.exe
  fi
  makensis -V2 -DVERSION="$VERSION" -DSRCDIR="$ROOT/$src" -DOUTFILE="$ROOT/$out" \
    -DROOT="$ROOT" packaging/windows/heureum.nsi
  say "nsis: $out"
}

case "${1:-}" in
  wheel) wheel ;;
  onedir) onedir ;;
  tarball) tarball ;;
  deb) deb ;;
  nsis) nsis ;;
  all) onedir; tarball; deb; nsis ;;
  *) echo "usage: bash packaging/build.sh wheel|onedir|tarball|deb|nsis|all" >&2; exit 2 ;;
esac
