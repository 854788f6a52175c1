"""The live cursor's moves at the edge, and a live origin's outages.

What the loader fetches next in a live playlist (a segment, an LL-HLS part
listed or hinted, or an open-ended hint to start reading), where the cursor
starts or rejoins, how the playlist is reloaded (blocking, delta updates),
which EXT-X-PROGRAM-DATE-TIME anchors the edge, and the bookkeeping of
fetches that keep failing (an outage, ridden out for a bounded time). Apart
from the loader because each piece decides from a playlist and a few
numbers handed to it; the loader applies the answers to its state.
``live_playlist.py`` holds the pure rules these build on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from ..clock import Clock
from ..errors import NetworkError, PlaylistError, SecurityError
from ..fetch import FetchAborted, HttpStatusError, ResponseTooLarge, TransferKind
from ..redact import redact, redact_url
from ..retry import LIVE_OUTAGE_RETRY, PLAYLIST_RETRY, RetryPolicy, is_retryable
from .live_playlist import (
    LiveReloader,
    hint_position,
    live_start_index,
    ll_start,
    merge_delta,
    open_hint,
    part_at,
    target_latency,
)
from .playlist import ByteRange, MediaPlaylist, Part, PreloadHint, Segment

__all__ = [
    "Chunk",
    "OutageWatch",
    "Track",
    "edge_date",
    "live_chunk",
    "live_start_point",
    "part_chunk",
    "reload_live",
    "ride_out",
    "switch_params",
]

log = logging.getLogger(__name__)

#: loads a media playlist: (URL, blocking-reload query or None, retry policy)
LoadMedia = Callable[[str, dict[str, str] | None, RetryPolicy], MediaPlaylist]


@dataclass
class Track:
    """The media playlist of one rung (or of an alternate rendition)."""

    playlist: MediaPlaylist
    reloader: LiveReloader
    loaded_at: float


@dataclass(frozen=True)
class Chunk:
    """What to fetch next: a whole segment, or one part of it (LL-HLS), as a
    segment-shaped record (the part's URI, byte range and duration with the
    parent's sequence, key and init section)."""

    seg: Segment
    #: the part's index in its parent segment; None for a whole segment
    part: int | None = None
    independent: bool = True
    #: fetched through a preload hint: the duration is PART-TARGET until listed
    hint: bool = False


def part_chunk(
    pl: MediaPlaylist,
    seg: Segment | None,
    seq: int,
    idx: int,
    part: Part,
    *,
    hint: bool = False,
) -> Chunk:
    base = seg if seg is not None else (pl.segments[-1] if pl.segments else None)
    record = Segment(
        uri=part.uri,
        duration=part.duration,
        sequence=seq,
        discontinuity_sequence=(
            base.discontinuity_sequence if base is not None else pl.discontinuity_sequence
        ),
        start=0.0,
        key=base.key if base is not None else None,
        init=base.init if base is not None else None,
        byterange=part.byterange,
        program_date_time=seg.program_date_time if seg is not None and idx == 0 else None,
        gap=part.gap,
    )
    return Chunk(record, idx, part.independent or idx == 0, hint)


def live_start_point(pl: MediaPlaylist, ll: bool, latency_target: float | None) -> tuple[int, int]:
    """(sequence, part) at the target latency from the live edge: an
    independent part in LL-HLS, else a segment (RFC 8216 §6.3.3)."""
    if ll:
        hold = latency_target or target_latency(pl, True)
        pos = ll_start(pl, hold)
        if pos is not None:
            return pos
    i = live_start_index(pl, ll)
    return (pl.segments[i].sequence if pl.segments else pl.first_sequence), 0


def live_chunk(
    pl: MediaPlaylist, seq: int, idx: int, *, ll: bool, hints_ok: bool
) -> tuple[int, int, Chunk | None, PreloadHint | None]:
    """From the live cursor at part ``idx`` of segment ``seq``: where the
    cursor is (past segments whose parts are all in hand), the chunk there if
    ``pl`` lists it (or hints at it), and else an open-ended hint at it whose
    bytes can flow while the blocking reload waits for the part's listing."""
    while True:
        seg = next((s for s in pl.segments if s.sequence == seq), None)
        if seg is None:
            break
        if idx == 0:
            return seq, idx, Chunk(seg), None
        if idx < len(seg.parts):
            return seq, idx, part_chunk(pl, seg, seq, idx, seg.parts[idx]), None
        # every part of this (now complete) segment is in hand: the next one
        seq, idx = seq + 1, 0
    if not ll or seq != pl.last_sequence + 1:
        return seq, idx, None, None
    part = part_at(pl, seq, idx)
    if part is not None:
        return seq, idx, part_chunk(pl, None, seq, idx, part), None
    hint = hint_position(pl)
    if hint is not None and hints_ok and hint[:2] == (seq, idx) and pl.part_target:
        h = hint[2]
        br = None
        if h.byterange_start is not None and h.byterange_length:
            br = ByteRange(h.byterange_length, h.byterange_start)
        guess = Part(h.uri, pl.part_target, byterange=br)
        return seq, idx, part_chunk(pl, None, seq, idx, guess, hint=True), None
    opened = open_hint(pl)
    if opened is not None and opened[:2] == (seq, idx):
        return seq, idx, None, opened[2]
    return seq, idx, None, None


def edge_date(
    pl: MediaPlaylist, seq: int, part: int, next_time: float
) -> tuple[datetime, float] | None:
    """(EXT-X-PROGRAM-DATE-TIME, timeline time) of the latest segment of
    ``pl`` that has one, the cursor (at ``seq``/``part``) being at timeline
    time ``next_time``."""
    nxt = next((s for s in pl.segments if s.sequence == seq), None)
    if nxt is not None:
        here = nxt.start + sum(p.duration for p in nxt.parts[:part])
    elif pl.segments and seq == pl.last_sequence + 1:
        here = pl.segments[-1].end + sum(p.duration for p in pl.trailing_parts[:part])
    else:
        return None
    for s in reversed(pl.segments):
        if s.program_date_time is not None:
            return s.program_date_time, next_time - here + s.start
    return None


def reload_live(
    track: Track,
    url: str,
    cursor: tuple[int, int] | None,
    *,
    ll: bool,
    delta_updates: bool,
    stuck_factor: float,
    failing: bool,
    clock: Clock,
    load: LoadMedia,
    sleep: Callable[[float], None],
    check_stop: Callable[[], None],
    stats: dict[str, int],
) -> None:
    """Reload ``track``'s live playlist from ``url``: blocking until the
    cursor's (sequence, part) is there when the server can, else after the
    reload delay; as a delta update when allowed. ``failing``: fetches are
    failing (an outage, not a stuck playlist)."""
    pl = track.playlist
    now = clock.now()
    # while fetches fail the origin is down, not stuck: the outage bound rules
    if not failing and track.reloader.stuck(pl, now):
        raise NetworkError(
            f"the live playlist has not advanced for {stuck_factor:g} target "
            f"durations ({redact_url(pl.url)}): the stream has stalled"
        )
    params: dict[str, str] = {}
    sc = pl.server_control
    if sc.can_block_reload and cursor is not None and track.reloader.changed:
        # the server answers when what we need next is there (LL-HLS §6.2.5.2)
        params["_HLS_msn"] = str(cursor[0])
        if ll:
            params["_HLS_part"] = str(cursor[1])
        stats["blocking_reloads"] += 1
    else:
        wait = track.reloader.delay(pl) - (now - track.loaded_at)
        if wait > 0:
            sleep(wait)
        check_stop()
    skip = (
        delta_updates
        and sc.can_skip_until is not None
        and clock.now() - track.loaded_at < sc.can_skip_until / 2
    )
    if skip:
        params["_HLS_skip"] = "YES"
    if "_HLS_msn" in params:
        try:
            new = load(url, params, RetryPolicy(max_attempts=1))
        except (FetchAborted, ResponseTooLarge, SecurityError, PlaylistError):
            raise
        except NetworkError as exc:
            # a held request that timed out is no news, not an error: the
            # next reload waits instead, and stuck detection takes over
            log.info("blocking playlist reload failed: %s", exc)
            track.reloader.update(pl, clock.now())
            return
    else:
        new = load(url, params or None, PLAYLIST_RETRY)
    if new.skipped_segments:
        if not skip:
            raise PlaylistError("delta playlist update (EXT-X-SKIP) without a request for one")
        try:
            new = merge_delta(pl, new)
            stats["delta_updates"] += 1
        except PlaylistError as exc:
            log.info("full playlist reload: %s", exc)
            params.pop("_HLS_skip")
            new = load(url, params or None, PLAYLIST_RETRY)
            if new.skipped_segments:
                raise PlaylistError("delta update (EXT-X-SKIP) without a request for one") from None
    track.playlist = new
    track.loaded_at = clock.now()
    track.reloader.update(new, track.loaded_at)


def switch_params(current: MediaPlaylist, target: str, ll: bool) -> dict[str, str] | None:
    """The blocking-reload query for the first request of the rung at
    ``target`` after a switch away from ``current``: in LL-HLS the current
    playlist's EXT-X-RENDITION-REPORT for it says how far it is, so the
    request blocks for exactly that and the answer is fresh."""
    if not current.server_control.can_block_reload:
        return None
    for r in current.rendition_reports:
        if r.last_msn is None or urlsplit(r.uri).path != urlsplit(target).path:
            continue
        params = {"_HLS_msn": str(r.last_msn)}
        if r.last_part is not None and ll:
            params["_HLS_part"] = str(r.last_part)
        return params
    return None


class OutageWatch:
    """Live fetches failing in a row: since when, the last failure, whether
    playlists failed too (the origin is away, not one variant), and how many
    ``Reconnecting`` events the outage has had."""

    def __init__(self, bound: float) -> None:
        #: how long a live origin may stay unreachable (0: not at all)
        self.bound = bound
        #: clock time since which fetches have been failing (None: the last one worked)
        self.failing_since: float | None = None
        self.last_failure: NetworkError | None = None
        self.playlist_failed = False
        #: Reconnecting events of the outage under way (0: none reported)
        self.attempt = 0

    def tolerated(self, exc: NetworkError) -> bool:
        """Whether ``exc`` (out of a live step) is the origin being away for a
        while: fetches failing the way a restart, an overload or a network cut
        makes them fail. A refusal (401, 403) or a stuck playlist is not."""
        if self.bound <= 0:
            return False
        if isinstance(exc, FetchAborted | ResponseTooLarge):
            return False
        last = self.last_failure
        if self.failing_since is None or last is None:
            return False
        status = last.status if isinstance(last, HttpStatusError) else None
        return is_retryable(status, live_edge=True)

    def note(self, exc: NetworkError, kind: TransferKind, delay: float | None, now: float) -> bool:
        """A fetch failed (``delay``: it is tried again after that long).
        True: the retry is to be reported (failures that last)."""
        if self.failing_since is None:
            self.failing_since = now
        self.last_failure = exc
        self.playlist_failed = self.playlist_failed or kind == "playlist"
        # one quick retry that works is a hiccup the buffer hides, not worth a word
        return delay is not None and (self.attempt > 0 or now - self.failing_since >= 1.0)

    def over(self, now: float) -> tuple[float, int, bool]:
        """Something loaded: (seconds the failures lasted, Reconnecting events
        reported, whether playlists failed too). The watch starts afresh."""
        assert self.failing_since is not None
        outage = now - self.failing_since
        attempts, self.attempt = self.attempt, 0
        origin_wide, self.playlist_failed = self.playlist_failed, False
        self.failing_since = None
        return outage, attempts, origin_wide


def ride_out(
    watch: OutageWatch,
    exc: NetworkError,
    url: str,
    *,
    clock: Clock,
    rand: Callable[[], float],
    reload: Callable[[], None],
    report: Callable[[str, float], None],
    sleep: Callable[[float], None],
    check_stop: Callable[[], None],
    live: bool = True,
) -> None:
    """A step failed for good (``exc``) with the origin away: ``reload`` the
    playlist (one request each time) with backoff and jitter, each attempt
    ``report``ed, until the origin answers or the outage bound has passed
    (then one fatal error about ``url``; ``live``: a live stream's)."""
    assert watch.failing_since is not None
    started = watch.failing_since
    reason = redact(str(exc))
    attempt = 0
    while True:
        check_stop()
        elapsed = clock.now() - started
        if elapsed >= watch.bound:
            raise NetworkError(
                f"the {'live ' if live else ''}stream has been unreachable for {elapsed:.0f} s "
                f"({redact_url(url)}); last error: {reason}. "
                "Check the connection or try again later."
            )
        attempt += 1
        delay = min(LIVE_OUTAGE_RETRY.delay(attempt, rand), watch.bound - elapsed)
        report(reason, delay)
        sleep(delay)
        check_stop()
        try:
            reload()
        except (FetchAborted, SecurityError):
            raise
        except NetworkError as again:
            if not watch.tolerated(again):
                raise
            reason = redact(str(again))
            continue
        return
