"""Live playlist timing (RFC 8216 §6.3.4, §6.3.3): when to reload, where to
start, when a playlist is stuck, which LL-HLS part or preload hint comes
next. Pure: playlists and times come in as arguments."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..errors import PlaylistError
from ..warning_reasons import Reason, ReasonCode
from .playlist import MAX_BYTERANGE, MediaPlaylist, Part, PreloadHint

__all__ = [
    "STALLED_LAG",
    "LiveReloader",
    "duration_ahead",
    "hint_position",
    "live_start_index",
    "ll_start",
    "max_live_lag",
    "merge_delta",
    "open_hint",
    "part_at",
    "rejoin_reason",
    "target_latency",
    "uses_parts",
]


def target_latency(pl: MediaPlaylist, low_latency: bool = True) -> float:
    """How far behind the live edge to play: PART-HOLD-BACK in low-latency mode,
    else HOLD-BACK, else 3 target durations."""
    sc = pl.server_control
    if low_latency and sc.part_hold_back is not None and pl.part_target is not None:
        return sc.part_hold_back
    if sc.hold_back is not None:
        return sc.hold_back
    return 3 * pl.target_duration


def live_start_index(pl: MediaPlaylist, low_latency: bool = False) -> int:
    """Index into ``pl.segments`` to start a live stream at."""
    if not pl.segments:
        return 0
    if pl.start_offset is not None:
        offset = pl.start_offset
        total = pl.duration
        position = offset if offset >= 0 else total + offset
        position = max(0.0, min(position, total))
        for i, s in enumerate(pl.segments):
            if s.end > position:
                return i
        return len(pl.segments) - 1
    hold = target_latency(pl, low_latency)
    acc = 0.0
    for i in range(len(pl.segments) - 1, -1, -1):
        acc += pl.segments[i].duration
        if acc >= hold:
            return i
    return 0


def uses_parts(pl: MediaPlaylist) -> bool:
    """Whether the playlist offers LL-HLS partial segments."""
    return (
        pl.part_target is not None
        and pl.is_live
        and (bool(pl.trailing_parts) or any(s.parts for s in pl.segments))
    )


def ll_start(pl: MediaPlaylist, hold: float) -> tuple[int, int] | None:
    """(media sequence, part index) to start a low-latency stream at: the
    latest independent part at least ``hold`` seconds from the end of the
    playlist (part 0 of a segment counts as independent). None when the
    playlist lists no parts."""
    entries: list[tuple[int, int, float, bool]] = []
    for s in pl.segments:
        if s.parts:
            for i, p in enumerate(s.parts):
                entries.append((s.sequence, i, p.duration, p.independent or i == 0))
        else:
            entries.append((s.sequence, 0, s.duration, True))
    nxt = pl.last_sequence + 1
    for i, p in enumerate(pl.trailing_parts):
        entries.append((nxt, i, p.duration, p.independent or i == 0))
    if not any(s.parts for s in pl.segments) and not pl.trailing_parts:
        return None
    acc = 0.0
    for seq, idx, dur, independent in reversed(entries):
        acc += dur
        if acc >= hold and independent:
            return seq, idx
    for seq, idx, _dur, independent in entries:
        if independent:
            return seq, idx
    return None


def part_at(pl: MediaPlaylist, sequence: int, index: int) -> Part | None:
    """Part ``index`` of segment ``sequence``, complete or being produced."""
    if sequence == pl.last_sequence + 1:
        parts = pl.trailing_parts
    else:
        seg = next((s for s in pl.segments if s.sequence == sequence), None)
        parts = seg.parts if seg is not None else ()
    return parts[index] if 0 <= index < len(parts) else None


def hint_position(pl: MediaPlaylist) -> tuple[int, int, PreloadHint] | None:
    """The (sequence, part index) the playlist's PART preload hint stands for:
    the part after the last one listed. None without a usable hint (an
    open-ended byte range is not fetched)."""
    for h in pl.preload_hints:
        if h.type != "PART":
            continue
        if h.byterange_start is not None and h.byterange_length is None:
            return None
        return pl.last_sequence + 1, len(pl.trailing_parts), h
    return None


def open_hint(pl: MediaPlaylist) -> tuple[int, int, PreloadHint] | None:
    """(sequence, part index, hint) of the playlist's open-ended PART hint:
    the part after the last one listed. None without one (a hint with a
    length is a whole part, see ``hint_position``).

    ``EXT-X-PRELOAD-HINT:TYPE=PART,URI=...,BYTERANGE-START=N`` without
    BYTERANGE-LENGTH stands for the rest of the resource from byte N, as it
    is produced (draft-pantos-hls-rfc8216bis §4.4.5.3): typically the segment
    being written, its parts listed later as byte ranges of it."""
    for h in pl.preload_hints:
        if h.type != "PART":
            continue
        start = h.byterange_start
        if start is None or h.byterange_length is not None or start > MAX_BYTERANGE:
            return None
        return pl.last_sequence + 1, len(pl.trailing_parts), h
    return None


def duration_ahead(pl: MediaPlaylist, sequence: int, part: int = 0) -> float:
    """Seconds listed from (``sequence``, ``part``) to the end of the playlist,
    partial segments included."""
    total = 0.0
    for s in pl.segments:
        if s.sequence > sequence:
            total += s.duration
        elif s.sequence == sequence:
            total += max(0.0, s.duration - sum(p.duration for p in s.parts[:part]))
    nxt = pl.last_sequence + 1
    if sequence < nxt:
        total += sum(p.duration for p in pl.trailing_parts)
    elif sequence == nxt:
        total += sum(p.duration for p in pl.trailing_parts[part:])
    return total


#: the lag allowed while nothing is buffered (see ``max_live_lag``)
STALLED_LAG = 1.0


def max_live_lag(
    pl: MediaPlaylist, configured: float | None = None, *, stalled: bool = False
) -> float:
    """Seconds the fetch position may fall behind the target latency before
    it jumps ahead to the target point: ``configured``, else one target
    duration but at least 3 s. The rate controller (at most +3 %) needs
    about L / 0.03 s to take a lag L back, so 3 s is already a minute and a
    half of speed-up, while a cut in what plays is a visible jolt. While
    playback has (nearly) nothing buffered, stalled or about to, a jump
    costs the viewer nothing the stall did not: then ``STALLED_LAG``."""
    lag = max(0.0, configured) if configured is not None else max(3.0, pl.target_duration)
    return min(lag, STALLED_LAG) if stalled else lag


def rejoin_reason(
    pl: MediaPlaylist,
    sequence: int,
    part: int,
    target: float,
    max_lag: float,
    landing: tuple[int, int] | None = None,
) -> Reason | None:
    """Why the live cursor (``sequence``, ``part``) has to jump to the target
    latency point of ``pl`` (``landing``, the start rule's (sequence, part)),
    as hls.js and Media3 rejoin, or None to keep fetching where it is: the
    segment has left the live window (an outage longer than the window), or
    more than ``target + max_lag`` seconds are listed after it (an outage,
    or downloads that fell behind) and the landing point is ahead of it
    (the start rule works in whole segments or independent parts)."""
    if pl.endlist or not pl.segments:
        return None
    if sequence < pl.first_sequence:
        return Reason.of(ReasonCode.LEFT_LIVE_WINDOW, sequence=sequence)
    if landing is not None and landing <= (sequence, part):
        return None
    behind = duration_ahead(pl, sequence, part)
    if behind > target + max_lag:
        return Reason.of(ReasonCode.BEHIND_LIVE_EDGE, behind=f"{behind:.1f}", target=f"{target:g}")
    return None


def merge_delta(old: MediaPlaylist, delta: MediaPlaylist) -> MediaPlaylist:
    """A playlist delta update (EXT-X-SKIP) completed with the segments it
    skipped, taken from the last full playlist. Raises ``PlaylistError`` when
    ``old`` does not have them (ask for a full playlist then)."""
    if not delta.skipped_segments:
        return delta
    first = delta.media_sequence
    by_seq = {s.sequence: s for s in old.segments}
    skipped = []
    for seq in range(first, first + delta.skipped_segments):
        s = by_seq.get(seq)
        if s is None:
            raise PlaylistError(
                f"delta update skips segment {seq}, which the previous playlist does not have"
            )
        skipped.append(s)
    segments = []
    t = 0.0
    for s in skipped:
        segments.append(replace(s, start=t))
        t += s.duration
    dseq = skipped[-1].discontinuity_sequence
    for s in delta.segments:
        if s.discontinuity:
            dseq += 1
        segments.append(replace(s, start=t, discontinuity_sequence=dseq))
        t += s.duration
    return replace(
        delta,
        segments=tuple(segments),
        skipped_segments=0,
        discontinuity_sequence=skipped[0].discontinuity_sequence,
    )


@dataclass
class LiveReloader:
    """Reload delays and stuck detection for one live media playlist.

    After a reload that changed the playlist, wait one target duration (or one
    part target in LL-HLS); after an unchanged one, half of it. A playlist
    whose last segment has not advanced for ``stuck_factor`` target durations
    is stuck (Exo uses 3.5; the anchors 3).
    """

    stuck_factor: float = 3.0
    min_delay: float = 0.1
    _last_seq: float | None = None
    _last_change: float | None = None
    _changed: bool = True

    def update(self, pl: MediaPlaylist, now: float) -> bool:
        """Record a reload; returns whether the playlist advanced."""
        seq = pl.last_sequence + (len(pl.trailing_parts) / 1000.0 if pl.trailing_parts else 0)
        changed = self._last_seq is None or seq != self._last_seq
        if changed:
            self._last_change = now
        self._last_seq = seq
        self._changed = changed
        return changed

    @property
    def changed(self) -> bool:
        """Whether the last reload brought anything new."""
        return self._changed

    def restart(self, now: float) -> None:
        """Count stuck time from ``now``: the origin answers again after an
        outage, during which nothing could advance."""
        self._last_change = now
        self._changed = True

    def delay(self, pl: MediaPlaylist) -> float:
        base = pl.part_target if pl.part_target else pl.target_duration
        return max(self.min_delay, base if self._changed else base / 2)

    def stuck(self, pl: MediaPlaylist, now: float) -> bool:
        if pl.endlist or self._last_change is None:
            return False
        return now - self._last_change > self.stuck_factor * pl.target_duration
