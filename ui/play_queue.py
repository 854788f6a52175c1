"""The window's play queue (the play list the user builds): M3U/PLS parsing
and writing, next/previous, loop and shuffle. Pure (no Qt, no I/O beyond
what the caller passes in)."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from enum import Enum
from urllib.parse import urljoin, urlsplit

__all__ = [
    "Loop",
    "Playlist",
    "PlaylistEntry",
    "is_hls_playlist",
    "looks_like_playlist",
    "parse_m3u",
    "parse_pls",
    "to_m3u8",
]


class Loop(Enum):
    """mpv's loop-file (ONE) and loop-playlist (ALL)."""

    NONE = "none"
    ONE = "one"
    ALL = "all"


@dataclass(frozen=True)
class PlaylistEntry:
    url: str
    title: str = ""


def is_hls_playlist(text: str) -> bool:
    """An HLS media/master playlist is played as one stream, not as a list."""
    return "#EXT-X-" in text


def looks_like_playlist(path: str) -> bool:
    return urlsplit(path).path.lower().endswith((".m3u", ".m3u8", ".pls"))


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


def parse_pls(text: str, base: str = "") -> list[PlaylistEntry]:
    """Entries of a PLS play list (``FileN=``/``TitleN=``, in N order)."""
    files: dict[int, str] = {}
    titles: dict[int, str] = {}
    for raw in text.lstrip("\ufeff").splitlines():
        key, sep, value = raw.strip().partition("=")
        if not sep:
            continue
        key = key.strip().lower()
        for prefix, into in (("file", files), ("title", titles)):
            number = key[len(prefix) :]
            if key.startswith(prefix) and number.isdigit():
                into[int(number)] = value.strip()
    return [
        PlaylistEntry(_resolve(files[n], base), titles.get(n, ""))
        for n in sorted(files)
        if files[n]
    ]


def to_m3u8(entries: list[PlaylistEntry]) -> str:
    """An extended M3U (UTF-8) that ``parse_m3u`` reads back as the same list."""
    lines = ["#EXTM3U"]
    for entry in entries:
        title = entry.title.replace("\n", " ").strip()
        if title:
            lines.append(f"#EXTINF:-1,{title}")
        lines.append(entry.url)
    return "\n".join(lines) + "\n"


class Playlist:
    """An ordered list with a current index. Next and previous follow the play
    order (the list's, or a shuffled one); ``loop`` decides what comes after
    the last entry and after an entry ends."""

    def __init__(
        self, entries: list[PlaylistEntry] | None = None, *, rng: random.Random | None = None
    ) -> None:
        self.entries: list[PlaylistEntry] = list(entries or [])
        self.index = 0 if self.entries else -1
        self.loop = Loop.NONE
        self._rng = rng or random.Random()
        self._order: list[int] | None = None  # a shuffled play order, None: the list's

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def current(self) -> PlaylistEntry | None:
        return self.entries[self.index] if 0 <= self.index < len(self.entries) else None

    @property
    def shuffle(self) -> bool:
        return self._order is not None

    def set_shuffle(self, on: bool) -> None:
        """A new random order that starts at the current entry (VLC's random)."""
        if not on:
            self._order = None
            return
        rest = [i for i in range(len(self.entries)) if i != self.index]
        self._rng.shuffle(rest)
        self._order = ([self.index] if self.index >= 0 else []) + rest

    def _play_order(self) -> list[int]:
        return self._order if self._order is not None else list(range(len(self.entries)))

    def _step(self, delta: int) -> int | None:
        order = self._play_order()
        if not order:
            return None
        pos = order.index(self.index) if self.index in order else -1
        target = pos + delta
        if 0 <= target < len(order):
            return order[target]
        if self.loop == Loop.ALL:
            return order[target % len(order)]
        return None

    def has_next(self) -> bool:
        return self._step(1) is not None

    def has_previous(self) -> bool:
        return self._step(-1) is not None

    def next(self) -> PlaylistEntry | None:
        target = self._step(1)
        if target is None:
            return None
        self.index = target
        return self.current

    def previous(self) -> PlaylistEntry | None:
        target = self._step(-1)
        if target is None:
            return None
        self.index = target
        return self.current

    def after_end(self) -> PlaylistEntry | None:
        """What plays when the current entry ends: itself again (loop one), the
        next one, or nothing."""
        if self.loop == Loop.ONE:
            return self.current
        return self.next()

    def select(self, index: int) -> PlaylistEntry | None:
        if 0 <= index < len(self.entries):
            self.index = index
        return self.current

    def append(self, entry: PlaylistEntry) -> None:
        self.entries.append(entry)
        if self._order is not None:
            self._order.append(len(self.entries) - 1)
        if self.index < 0:
            self.index = 0

    def remove(self, index: int) -> None:
        if not 0 <= index < len(self.entries):
            return
        del self.entries[index]
        if self._order is not None:
            self._order = [i - (i > index) for i in self._order if i != index]
        if index < self.index or self.index >= len(self.entries):
            self.index -= 1
        if not self.entries:
            self.index = -1
        elif self.index < 0:
            self.index = 0

    def move(self, source: int, target: int) -> None:
        """Drag to reorder: the entry at ``source`` goes to ``target``; the
        current entry stays current wherever it lands."""
        n = len(self.entries)
        if not (0 <= source < n and 0 <= target < n) or source == target:
            return
        mapping = list(range(n))
        moved = mapping.pop(source)
        mapping.insert(target, moved)
        self.entries = [self.entries[i] for i in mapping]
        new_of_old = {old: new for new, old in enumerate(mapping)}
        if self.index >= 0:
            self.index = new_of_old[self.index]
        if self._order is not None:
            self._order = [new_of_old[i] for i in self._order]
