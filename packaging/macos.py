"""The macOS bundle's Info.plist, kept apart from the spec so that Linux CI can
check it: URL types for the stream schemes, document types for what we open."""

from __future__ import annotations

APP_ID = "io.github.heureum.Heureum"

URL_SCHEMES = ("rtsp", "rtsps", "rtmp", "rtmps")
DOCUMENT_TYPES = {
    "Video": ("mp4", "m4v", "mkv", "webm", "mov", "ts", "m2ts", "avi", "mpg", "flv", "ogv"),
    "Audio": ("mp3", "m4a", "aac", "ogg", "opus", "flac", "wav", "mka"),
    "Playlist": ("m3u8", "m3u"),
}


def info_plist(version: str) -> dict[str, object]:
    return {
        "CFBundleName": "Heureum",
        "CFBundleDisplayName": "Heureum",
        "CFBundleIdentifier": APP_ID,
        "CFBundleShortVersionString": version,
        "CFBundleVersion": version,
        "LSMinimumSystemVersion": "12.0",
        "NSHighResolutionCapable": True,
        "LSApplicationCategoryType": "public.app-category.video",
        "NSHumanReadableCopyright": "GPL-3.0-or-later, The Heureum developers",
        "CFBundleURLTypes": [
            {
                "CFBundleURLName": f"{APP_ID}.{scheme}",
                "CFBundleURLSchemes": [scheme],
                "CFBundleTypeRole": "Viewer",
            }
            for scheme in URL_SCHEMES
        ],
        "CFBundleDocumentTypes": [
            {
                "CFBundleTypeName": name,
                "CFBundleTypeRole": "Viewer",
                "CFBundleTypeExtensions": list(exts),
                "LSHandlerRank": "Alternate",
            }
            for name, exts in DOCUMENT_TYPES.items()
        ],
    }
