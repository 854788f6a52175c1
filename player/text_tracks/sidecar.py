"""Subtitle files beside a media file, found by name as mpv's
``sub-auto=fuzzy`` does: ``movie.srt``, ``movie.ko.srt``, ``movie.English.ass``
and other files that start with the movie's name."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SUBTITLE_EXTENSIONS", "Sidecar", "find_sidecars", "guess_language"]

SUBTITLE_EXTENSIONS = (".srt", ".vtt", ".ass", ".ssa")
#: a folder with more entries than this is not searched (a download folder)
MAX_ENTRIES = 5000

_LANGUAGES = {
    "ko": "ko", "kor": "ko", "korean": "ko", "한국어": "ko",
    "en": "en", "eng": "en", "english": "en",
    "ja": "ja", "jpn": "ja", "japanese": "ja",
    "zh": "zh", "chi": "zh", "zho": "zh", "chinese": "zh",
    "fr": "fr", "fre": "fr", "fra": "fr", "french": "fr",
    "de": "de", "ger": "de", "deu": "de", "german": "de",
    "es": "es", "spa": "es", "spanish": "es",
}  # fmt: skip


@dataclass(frozen=True)
class Sidecar:
    path: Path
    language: str | None
    name: str


def language_of(tag: str) -> str | None:
    return _LANGUAGES.get(tag.strip().lower())


def _tags_language(text: str) -> str | None:
    tags = [t for t in text.replace("_", ".").replace("-", ".").split(".") if t]
    return next((lang for t in reversed(tags) if (lang := language_of(t))), None)


def guess_language(path: str | Path) -> str | None:
    """The language a subtitle file's name states (``film.ko.srt``), if any."""
    return _tags_language(Path(path).stem)


def find_sidecars(media: str | Path) -> list[Sidecar]:
    """Subtitle files beside ``media`` whose name starts with its stem, the
    exact match first, then by name."""
    path = Path(media)
    folder, stem = path.parent, path.stem.lower()
    try:
        with os.scandir(folder) as entries:
            names = []
            for i, entry in enumerate(entries):
                if i >= MAX_ENTRIES:
                    return []
                names.append(entry.name)
    except OSError:
        return []
    found: list[Sidecar] = []
    for name in sorted(names):
        candidate = Path(name)
        if candidate.suffix.lower() not in SUBTITLE_EXTENSIONS:
            continue
        base = candidate.stem
        if not base.lower().startswith(stem):
            continue
        language = _tags_language(base[len(stem) :])
        found.append(Sidecar(folder / name, language, name))
    found.sort(key=lambda s: (s.path.stem.lower() != stem, s.name.lower()))
    return found
