"""WebVTT subtitle segments (RFC 8216 §3.5) → cues on our timeline.

Pure: ``parse_webvtt`` turns one segment's text into cues in the file's own
(LOCAL) time plus its ``X-TIMESTAMP-MAP``; ``cue_offset`` says how to move
them onto the timeline the source hands out (the MPEG-TS clock re-based by
``Rebaser``); ``CueStore`` keeps the cues and answers "what text now".

Timing rules:

* With ``X-TIMESTAMP-MAP=MPEGTS:m,LOCAL:l`` a cue at LOCAL time ``c`` is at
  media time ``m / 90000 + (c - l)`` seconds: the same clock the media
  segments' timestamps use, so the source maps it with the offset of the
  segment's discontinuity domain (and unwraps the 33-bit MPEG-TS clock).
* Without the header, cue times count from the start of the segment's
  discontinuity domain on the playlist timeline (what hls.js does), which for
  a VOD without discontinuities is the playlist time itself.
"""

from __future__ import annotations

import bisect
import re
import threading
from dataclasses import dataclass

from ..errors import FormatError

__all__ = [
    "MAX_CUES",
    "MAX_VTT_BYTES",
    "Cue",
    "CueStore",
    "TimestampMap",
    "WebVtt",
    "cue_text",
    "parse_timestamp",
    "parse_webvtt",
]

MAX_VTT_BYTES = 2 * 1024 * 1024
MAX_CUES = 20_000
_MPEGTS_HZ = 90_000

_TIMESTAMP = re.compile(r"^(?:(\d{1,9}):)?([0-5]\d):([0-5]\d)[.,](\d{3})$")
_TAG = re.compile(r"<[^>\n]*>")


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class TimestampMap:
    #: the MPEG-TS (90 kHz) timestamp that LOCAL time ``local`` is at
    mpegts: int
    #: seconds, in the WebVTT file's own clock
    local: float

    def media_seconds(self, local_time: float) -> float:
        return self.mpegts / _MPEGTS_HZ + (local_time - self.local)


@dataclass(frozen=True)
class WebVtt:
    cues: tuple[Cue, ...]
    timestamp_map: TimestampMap | None = None


def parse_timestamp(text: str) -> float:
    """``[hh:]mm:ss.ttt`` → seconds. Raises ``FormatError``."""
    m = _TIMESTAMP.match(text.strip())
    if not m:
        raise FormatError(f"bad WebVTT timestamp {text.strip()[:40]!r}")
    hours = int(m.group(1) or 0)
    return hours * 3600 + int(m.group(2)) * 60 + int(m.group(3)) + int(m.group(4)) / 1000


def cue_text(payload: str) -> str:
    """The text to show: markup tags (``<b>``, ``<c.x>``, ``<v Name>``,
    karaoke timestamps) removed, character references decoded, lines kept."""
    # here: html's entity table is for streams that carry subtitles, while
    # every HLS start imports this module for its (empty) cue store
    import html

    lines = [html.unescape(_TAG.sub("", line)).strip() for line in payload.split("\n")]
    return "\n".join(line for line in lines if line)


def _timestamp_map(value: str) -> TimestampMap:
    mpegts: int | None = None
    local: float | None = None
    for item in value.split(","):
        key, _, val = item.strip().partition(":")
        key = key.strip().upper()
        if key == "MPEGTS":
            try:
                mpegts = int(val.strip())
            except ValueError:
                raise FormatError(f"bad X-TIMESTAMP-MAP MPEGTS {val.strip()[:30]!r}") from None
            if mpegts < 0 or mpegts >= 1 << 33:
                raise FormatError("X-TIMESTAMP-MAP MPEGTS out of the 33-bit range")
        elif key == "LOCAL":
            local = parse_timestamp(val)
    if mpegts is None or local is None:
        raise FormatError("X-TIMESTAMP-MAP needs MPEGTS and LOCAL")
    return TimestampMap(mpegts, local)


def parse_webvtt(data: bytes | str) -> WebVtt:
    """One WebVTT file or segment. Raises ``FormatError`` on anything that is
    not WebVTT; a malformed cue inside a valid file is skipped."""
    if isinstance(data, bytes):
        if len(data) > MAX_VTT_BYTES:
            raise FormatError(f"WebVTT segment larger than {MAX_VTT_BYTES // 1024} KiB")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FormatError(f"WebVTT is not UTF-8 (byte {exc.start})") from None
    else:
        text = data
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise FormatError("NUL character in WebVTT")
    blocks = re.split(r"\n{2,}", text.strip("\n"))
    header = blocks[0].split("\n") if blocks else [""]
    first = header[0]
    if not (first == "WEBVTT" or first.startswith(("WEBVTT ", "WEBVTT\t"))):
        raise FormatError("not WebVTT (first line is not WEBVTT)")
    tmap = None
    for line in header[1:]:
        if line.startswith("X-TIMESTAMP-MAP="):
            tmap = _timestamp_map(line[len("X-TIMESTAMP-MAP=") :])
    cues: list[Cue] = []
    for block in blocks[1:]:
        lines = block.split("\n")
        if lines[0].startswith(("NOTE", "STYLE", "REGION")) and "-->" not in lines[0]:
            continue
        if "-->" not in lines[0]:
            lines = lines[1:]  # a cue identifier
        if not lines or "-->" not in lines[0]:
            continue
        start_s, _, rest = lines[0].partition("-->")
        end_s = rest.strip().split(None, 1)[0] if rest.strip() else ""
        try:
            start = parse_timestamp(start_s)
            end = parse_timestamp(end_s)
        except FormatError:
            continue  # the spec says skip a cue with bad timings
        if end <= start:
            continue
        body = cue_text("\n".join(lines[1:]))
        if body:
            cues.append(Cue(start, end, body))
            if len(cues) > MAX_CUES:
                raise FormatError(f"more than {MAX_CUES} cues in one WebVTT segment")
    return WebVtt(tuple(cues), tmap)


class CueStore:
    """Cues on the timeline, thread-safe: the loader adds, the engine asks
    ``text_at`` about 50 times a second. Bounded: the oldest cues go first."""

    def __init__(self, max_cues: int = MAX_CUES) -> None:
        self._lock = threading.Lock()
        self._cues: list[Cue] = []
        self._starts: list[float] = []
        self._seen: set[tuple[float, float, str]] = set()
        self._max = max_cues
        #: the longest cue so far: how far back ``text_at`` must look
        self._longest = 0.0

    def add(self, cues: list[Cue] | tuple[Cue, ...]) -> int:
        """Add cues (duplicates, as when segments repeat a cue, are ignored)."""
        added = 0
        with self._lock:
            for c in cues:
                key = (round(c.start, 3), round(c.end, 3), c.text)
                if key in self._seen:
                    continue
                self._seen.add(key)
                i = bisect.bisect_right(self._starts, c.start)
                self._starts.insert(i, c.start)
                self._cues.insert(i, c)
                self._longest = max(self._longest, c.end - c.start)
                added += 1
            while len(self._cues) > self._max:
                old = self._cues.pop(0)
                self._starts.pop(0)
                self._seen.discard((round(old.start, 3), round(old.end, 3), old.text))
        return added

    def clear(self) -> None:
        with self._lock:
            self._cues.clear()
            self._starts.clear()
            self._seen.clear()
            self._longest = 0.0

    def __len__(self) -> int:
        with self._lock:
            return len(self._cues)

    def text_at(self, t: float) -> str | None:
        """The text of every cue active at ``t`` (start <= t < end), in start
        order, one cue per line group; None when none is."""
        with self._lock:
            hi = bisect.bisect_right(self._starts, t)
            lo = bisect.bisect_left(self._starts, t - self._longest)
            active = [c.text for c in self._cues[lo:hi] if c.start <= t < c.end]
        return "\n".join(active) if active else None
