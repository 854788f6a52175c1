#!/usr/bin/env bash
# macOS: sign, notarize and wrap dist/Heureum.app (made by PyInstaller's BUNDLE
# in packaging/heureum.spec) into dist/heureum-VERSION-macos.dmg.
# Runs on a macOS runner (hdiutil, codesign, xcrun are Apple's). Credentials
# come from the environment only and are never written to disk or printed:
#   MACOS_SIGN_IDENTITY   "Developer ID Application: NAME (TEAMID)"; empty = unsigned build
#   MACOS_NOTARY_APPLE_ID, MACOS_NOTARY_TEAM_ID, MACOS_NOTARY_PASSWORD (app-specific password)
# Steps (what each does is written beside it):
#   1. codesign every Mach-O inside the bundle, innermost first, with the
#      hardened runtime and a secure timestamp, then the .app itself with the
#      entitlements (network client; JIT off);
#   2. verify: codesign --verify --deep --strict, spctl --assess;
#   3. make the .dmg with hdiutil (UDZO), with an /Applications link;
#   4. notarize: xcrun notarytool submit --wait; then xcrun stapler staple on
#      the .dmg so Gatekeeper accepts it offline.
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' player/__init__.py)
APP=${APP:-dist/Heureum.app}
DMG=dist/heureum-$VERSION-macos.dmg
ENTITLEMENTS=packaging/macos/entitlements.plist
[ -d "$APP" ] || { echo "build-dmg: $APP is missing (run pyinstaller packaging/heureum.spec first)" >&2; exit 1; }
cp LICENSE resources/licenses/THIRD-PARTY-NOTICES.md "$APP/Contents/Resources/"
[ -f build/sbom.cdx.json ] && cp build/sbom.cdx.json "$APP/Contents/Resources/"

if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
  find "$APP/Contents" -type f \( -name '*.so' -o -name '*.dylib' -o -perm -u+x \) -print0 |
    while IFS= read -r -d '' f; do
      file -b "$f" | grep -q Mach-O || continue
      codesign --force --options runtime --timestamp --sign "$MACOS_SIGN_IDENTITY" "$f"
    done
  codesign --force --options runtime --timestamp --entitlements "$ENTITLEMENTS" \
    --sign "$MACOS_SIGN_IDENTITY" "$APP"
  codesign --verify --deep --strict --verbose=2 "$APP"
else
  echo "build-dmg: MACOS_SIGN_IDENTITY is empty: making an unsigned .dmg" >&2
fi

stage=$(mktemp -d)
cp -R "$APP" "$stage/"
ln -s /Applications "$stage/Applications"
rm -f "$DMG"
hdiutil create -volname "Heureum $VERSION" -srcfolder "$stage" -ov -format UDZO "$DMG"
rm -rf "$stage"

if [ -n "${MACOS_SIGN_IDENTITY:-}" ] && [ -n "${MACOS_NOTARY_APPLE_ID:-}" ]; then
  codesign --force --timestamp --sign "$MACOS_SIGN_IDENTITY" "$DMG"
  xcrun notarytool submit "$DMG" --wait \
    --apple-id "$MACOS_NOTARY_APPLE_ID" --team-id "$MACOS_NOTARY_TEAM_ID" \
    --password "$MACOS_NOTARY_PASSWORD"
  xcrun stapler staple "$DMG"
  spctl --assess --type open --context context:primary-signature --verbose "$DMG"
fi
# Smoke test from inside the image, as a user would start it.
mnt=$(mktemp -d)
hdiutil attach -nobrowse -readonly -mountpoint "$mnt" "$DMG" >/dev/null
"$mnt/Heureum.app/Contents/MacOS/heureum" --version
hdiutil detach "$mnt" >/dev/null
echo "build-dmg: $DMG"
