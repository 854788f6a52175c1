"""The window's local play list: M3U parsing and next/previous. Pure (no Qt, no I/O
beyond what the caller passes in)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

__all__ = ["Playlist", "PlaylistEntry", "is_hls_playlist", "looks_like_playlist", "parse_m3u"]


@dataclass(frozen=True)
class PlaylistEntry:
    url: str
    title: str = ""


def is_hls_playlist(text: str) -> bool:
    """An HLS media/master playlist is played as one stream, not as a list."""
    return "#EXT-X-" in text


def looks_like_playlist(path: str) -> bool:
    return urlsplit(path).path.lower().endswith((".m3u", ".m3u8"))


def _resolve(entry: str, base: str) -> str:
    if "://" in entry or os.path.isabs(entry):
        return entry
    if "://" in base:
        return urljoin(base, entry)
    return os.path.normpath(os.path.join(os.path.dirname(base), entry))


def parse_m3u(text: str, base: str = "") -> list[PlaylistEntry]:
    """Entries of a (extended) M3U play list; relative entries resolve against
    ``base`` (the play list's own path or URL)."""
    entries: list[PlaylistEntry] = []
    title = ""
    for raw in text.lstrip("\ufeff").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if line.upper().startswith("#EXTINF:"):
                _, _, title = line.partition(",")
                title = title.strip()
            continue
        entries.append(PlaylistEntry(_resolve(line, base), title))
        title = ""
    return entries


class Playlist:
    """An ordered list with a current index (next/previous, no wrap-around)."""

    def __init__(self, entries: list[PlaylistEntry] | None = None) -> None:
        self.entries: list[PlaylistEntry] = list(entries or [])
        self.index = 0 if self.entries else -1

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def current(self) -> PlaylistEntry | None:
        return self.entries[self.index] if 0 <= self.index < len(self.entries) else None

    def has_next(self) -> bool:
        return self.index + 1 < len(self.entries)

    def has_previous(self) -> bool:
        return self.index > 0

    def next(self) -> PlaylistEntry | None:
        if not self.has_next():
            return None
        self.index += 1
        return self.current

    def previous(self) -> PlaylistEntry | None:
        if not self.has_previous():
            return None
        self.index -= 1
        return self.current

    def append(self, entry: PlaylistEntry) -> None:
        self.entries.append(entry)
        if self.index < 0:
            self.index = 0
