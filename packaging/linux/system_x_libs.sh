#!/usr/bin/env bash
# Usage: system_x_libs.sh ONEDIR
#
# PyAV's wheels (18.1.1 on) carry their own libxcb, libXau and libdrm, for
# libavdevice's screen grabbing and libavutil's DRM frames, each padded to
# 2 MB pages: ~30 MB of zeros in the bundle. They are the system's on any
# Linux desktop (Qt's xcb plugin loads them from there already), so every
# library of the bundle that needs a copy is pointed at the system's soname,
# and the copy goes; the .deb depends on their packages (build.sh reads ldd).
# Only these X and DRM libraries, whose ABIs have held for decades, and only
# when this system has them: other copies in the wheels stay.
set -euo pipefail
dir=$1
copies=$(find "$dir" -path '*.libs/*' -regextype posix-extended \
  -regex '.*/lib(xcb(-[a-z]+)?|Xau|Xdmcp|drm)-[0-9a-f]{8}\.so\.[0-9.]+' | sort)
[ -n "$copies" ] || exit 0
while read -r copy; do
  name=$(basename "$copy")
  base=$(sed -E 's/-[0-9a-f]{8}(\.so\.[0-9]+).*/\1/' <<<"$name")
  # awk reads to the end: an early exit would kill ldconfig with SIGPIPE,
  # and pipefail would end the script there
  sys=$(/sbin/ldconfig -p | awk -v n="$base" '$1 == n && /x86-64/ && !found { print $NF; found = 1 }')
  [ -n "$sys" ] || continue
  find "$dir" -type f -name '*.so*' | while read -r f; do
    readelf -d "$f" 2>/dev/null | grep -F "[$name]" >/dev/null || continue
    patchelf --replace-needed "$name" "$base" "$f"
  done
  rm -f "$copy"
  echo "system_x_libs: $name: the system's $base instead"
done <<<"$copies"
