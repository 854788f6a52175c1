"""Subtitle files as cues: SubRip, WebVTT and ASS/SSA (text with its
override tags removed: the view draws plain white text)."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import FormatError
from ..hls.webvtt import Cue, cue_text, parse_webvtt

__all__ = ["MAX_SUBTITLE_BYTES", "decode_text", "load_subtitle_file", "parse_ass", "parse_srt"]

#: far above any real subtitle file (a feature film's SRT is ~100 KB)
MAX_SUBTITLE_BYTES = 10 * 1024 * 1024

_SRT_TIME = re.compile(
    r"(\d{1,3}):([0-5]?\d):([0-5]?\d)[,.](\d{1,3})\s*-->\s*(\d{1,3}):([0-5]?\d):([0-5]?\d)[,.](\d{1,3})"
)
_ASS_OVERRIDE = re.compile(r"\{[^}]*\}")
_ASS_TIME = re.compile(r"^(\d+):(\d{1,2}):(\d{1,2})[.:](\d{1,3})$")


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM, or UTF-16 with one), else the legacy
    encodings subtitle files still come in (CP949 for Korean, then Latin-1)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _ms(fraction: str) -> float:
    return int(fraction.ljust(3, "0")[:3]) / 1000


def parse_srt(text: str) -> list[Cue]:
    """SubRip: numbered blocks of a timing line and text. A block that does
    not parse is skipped, as players do."""
    cues: list[Cue] = []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.split("\n")
        for i, line in enumerate(lines[:2]):
            m = _SRT_TIME.search(line)
            if m is None:
                continue
            h1, m1, s1, f1, h2, m2, s2, f2 = m.groups()
            start = int(h1) * 3600 + int(m1) * 60 + int(s1) + _ms(f1)
            end = int(h2) * 3600 + int(m2) * 60 + int(s2) + _ms(f2)
            body = cue_text("\n".join(lines[i + 1 :]))
            if body and end > start:
                cues.append(Cue(start, end, body))
            break
    return cues


def ass_text(dialogue: str) -> str:
    """An ASS Text field as plain lines: override blocks removed, \\N and \\n
    as line breaks, \\h as a space."""
    text = _ASS_OVERRIDE.sub("", dialogue)
    text = text.replace("\\N", "\n").replace("\\n", "\n").replace("\\h", " ")
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


def _ass_time(value: str) -> float:
    m = _ASS_TIME.match(value.strip())
    if m is None:
        raise FormatError(f"bad ASS time {value.strip()[:20]!r}")
    h, mi, s, fraction = (str(g) for g in m.groups())
    # ASS writes centiseconds; milliseconds are tolerated
    return int(h) * 3600 + int(mi) * 60 + int(s) + int(fraction) / 10.0 ** len(fraction)


def parse_ass(text: str) -> list[Cue]:
    """ASS/SSA ``Dialogue:`` lines of the [Events] section, by its Format line."""
    cues: list[Cue] = []
    fields = [
        "layer",
        "start",
        "end",
        "style",
        "name",
        "marginl",
        "marginr",
        "marginv",
        "effect",
        "text",
    ]
    in_events = False
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if line.startswith("["):
            in_events = line.lower() == "[events]"
            continue
        if not in_events:
            continue
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key == "format":
            fields = [f.strip().lower() for f in value.split(",")]
        elif key == "dialogue" and "text" in fields:
            parts = value.strip().split(",", len(fields) - 1)
            if len(parts) != len(fields):
                continue
            row = dict(zip(fields, parts, strict=True))
            try:
                start, end = _ass_time(row["start"]), _ass_time(row["end"])
            except (FormatError, KeyError):
                continue
            body = ass_text(row["text"])
            if body and end > start:
                cues.append(Cue(start, end, body))
    cues.sort(key=lambda c: c.start)
    return cues


def load_subtitle_file(path: str | Path) -> list[Cue]:
    """The cues of a subtitle file, by its content (then its name). Raises
    ``FormatError`` for what is not a subtitle file, ``OSError`` when it
    cannot be read."""
    p = Path(path)
    size = p.stat().st_size
    if size > MAX_SUBTITLE_BYTES:
        raise FormatError(f"{p.name} is {size // 1024} KiB: not a subtitle file")
    text = decode_text(p.read_bytes())
    head = text.lstrip("\ufeff").lstrip()
    if head.startswith("WEBVTT"):
        return list(parse_webvtt(text).cues)
    if (
        head.startswith("[Script Info]")
        or "\nDialogue:" in text
        or p.suffix.lower() in (".ass", ".ssa")
    ):
        cues = parse_ass(text)
    else:
        cues = parse_srt(text)
    if not cues:
        raise FormatError(f"{p.name}: no subtitles found (SubRip, WebVTT or ASS expected)")
    return cues
