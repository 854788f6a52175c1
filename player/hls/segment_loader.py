"""Loading one segment's bytes: the transfer measured for the ABR (and
abandoned when it says so, or when it arrives too slowly to wait for), and
on lasting failure the same time from a redundant copy or another rung; a
segment that fails everywhere is a hole (skipped as a gap) or an outage."""

from __future__ import annotations

from collections.abc import Callable

from ..abr.driver import AbrDriver, Download
from ..abr.policy import Decision
from ..errors import NetworkError, PlaylistError, SecurityError
from ..fetch import FetchAborted, HttpStatusError
from ..retry import SEGMENT_RETRY, RetryPolicy
from ..warning_text import WarningCode
from .downloads import Downloads
from .ladder import Ladder
from .live_edge import Chunk
from .loader_state import LoaderState
from .outages import OriginAway, Outages
from .penalty_box import PenaltyBox
from .playlist import MediaPlaylist, Segment
from .rung_choice import RungChoice
from .slow_transfer import FirstByte, SlowTransfer, slow_verdict

__all__ = ["END", "Abandon", "End", "NextSegment", "SegmentLoader"]

#: live: playlist reloads that may show a segment failing everywhere to be
#: a hole (a newer one listed) before it is taken for the origin failing
_HOLE_RELOADS = 3


class End:
    """The stream has no more segments (a VOD's end), as opposed to a gap."""


END = End()

#: the next segment (or part) of the rung in use; None at a VOD's end
NextSegment = Callable[[], "tuple[MediaPlaylist, Chunk] | None"]


class Abandon(Exception):
    """A transfer given up for another rung (``decision``)."""

    def __init__(self, decision: Decision) -> None:
        self.decision = decision


class SegmentLoader:
    """Fetches the rung's segments; ``next_segment`` finds the same time on
    the rung or copy moved to after a failure."""

    def __init__(
        self,
        state: LoaderState,
        downloads: Downloads,
        abr: AbrDriver,
        *,
        ladder: Ladder,
        choice: RungChoice,
        penalty: PenaltyBox,
        outages: Outages,
        next_segment: NextSegment,
    ) -> None:
        self._s = state
        self._downloads = downloads
        self._abr = abr
        self._ladder = ladder
        self._choice = choice
        self._penalty = penalty
        self._outages = outages
        self._next_segment = next_segment
        #: VOD segments in a row skipped because they failed everywhere
        self.failed_in_row = 0
        #: sequence numbers of the segments skipped that way (for the tests and stats)
        self.segment_gaps: list[int] = []
        #: segments reported slow (downloading slower than they play, not in time)
        self.slow_segments = 0

    def segment_bytes(
        self, seg: Segment, rung: int, live_edge: bool, *, retry: RetryPolicy = SEGMENT_RETRY
    ) -> bytes:
        bitrate = self._s.ladder[rung].bandwidth if self._s.ladder[rung].bandwidth else 0
        expected = int(bitrate * seg.duration / 8) if bitrate else 0
        cap = self._s.hls.max_segment_bytes
        if expected:
            cap = min(cap, max(3 * expected, 4 * 1024 * 1024))
        download = self._abr.begin(rung, expected)
        last_check = [0.0]
        warned = [False]
        first = FirstByte()

        def progress(done: int, total: int | None, elapsed: float) -> bool:
            download.silences.heard(elapsed)
            first.heard(done, elapsed)
            if first.flowing(elapsed) >= self._s.hls.slow_after and elapsed - last_check[0] >= 0.1:
                last_check[0] = elapsed
                self._check_slow(
                    seg, download, done, total or expected or None, elapsed, first, warned
                )
            if self._s.manual is not None or not self._abr.due(download, elapsed):
                return True
            decision = self._abr.check(
                download, self._choice.inputs(seg.duration), done, total, elapsed
            )
            if decision is not None:
                raise Abandon(decision)
            return True

        return self._downloads.media(
            seg, "segment", cap, retry=retry, live_edge=live_edge, progress=progress
        )

    def _check_slow(
        self,
        seg: Segment,
        download: Download,
        done: int,
        size: int | None,
        elapsed: float,
        first: FirstByte,
        warned: list[bool],
    ) -> None:
        """Say when playback is waiting on a slow segment, and give up one so
        slow that waiting for it is worse than asking again or elsewhere."""
        behind, give_up = slow_verdict(
            done,
            size,
            elapsed,
            self._s.buffer_level(),
            seg.duration,
            patience=self._s.hls.stuck_factor,
            first=first,
            after=self._s.hls.slow_after,
        )
        if not behind:
            return
        rate = (first.rate(done, elapsed) or 0.0) / 1000
        if not warned[0]:
            warned[0] = True
            self.slow_segments += 1
            with self._s.cond:
                self._s.mark("slow", f"segment {seg.sequence} at {rate:.1f} kB/s")
            self._s.warn(WarningCode.SLOW_SEGMENT, sequence=seg.sequence, rate=f"{rate:.1f}")
        if not give_up:
            return
        rung = download.rung
        if rung > 0 and self._s.manual is None:
            out = self._ladder.excluded()
            lower = [i for i in range(rung) if i not in out]
            if lower:
                self._abr.measure_given_up(download, done, elapsed)
                raise Abandon(
                    Decision(
                        min(lower), "slow", f"segment {seg.sequence} arriving at {rate:.1f} kB/s"
                    )
                )
        raise SlowTransfer(
            f"segment {seg.sequence} abandoned: arriving at {rate:.1f} kB/s, too slow to wait for"
        )

    def hint_bytes(self, seg: Segment) -> bytes | None:
        """A part fetched through its preload hint (the server answers when the
        part exists). One attempt: a server that fails hints gets blocking
        playlist reloads instead."""
        assert self._s.rung is not None
        try:
            return self.segment_bytes(seg, self._s.rung, True, retry=RetryPolicy(max_attempts=1))
        except (FetchAborted, SecurityError):
            raise
        except NetworkError as exc:
            self._s.check_stop()  # closing mid-request is not a failing hint
            self._s.hints_ok = False
            self._s.warn(WarningCode.PRELOAD_HINT_FAILED, reason=exc)
            return None

    def fetch_with_fallback(self, pl: MediaPlaylist, chunk: Chunk) -> tuple[Chunk, bytes] | None:
        """The chunk's bytes; on lasting failure, the same time from another
        copy or rung (which may be another chunk: it is returned with its
        bytes). None for a gap."""
        assert self._s.rung is not None
        #: rungs that failed this time of the stream
        tried: set[int] = set()
        while True:
            seg = chunk.seg
            if seg.gap:
                return None
            live_edge = self._s.live and seg.sequence >= pl.last_sequence - 1
            try:
                return chunk, self.segment_bytes(seg, self._s.rung, live_edge)
            except (FetchAborted, SecurityError):
                raise
            except OriginAway as away:
                raise away.error from None
            except NetworkError as exc:
                failure = exc
            with self._s.cond:
                self._s.mark("error", str(failure))
            nxt = self._elsewhere(failure, tried)
            while nxt is None:
                if len(tried) < len(self._s.ladder):
                    # the rung fallen back to could not even list the segment
                    nxt = self._elsewhere(failure, tried)
                    continue
                if self._s.live and not self._live_hole(seg, failure):
                    raise NetworkError(
                        f"every variant failed; last error: {failure}. Check the stream URL "
                        "or try again later."
                    ) from None
                # the origin may have gone away during the retries: asked again
                if not self._s.live and self._outages.origin_away(failure, again=True):
                    raise failure  # not this segment's fault: ridden out, then fetched again
                self._skip_failed(seg, failure)
                return None
            if nxt is END:
                return None
            assert not isinstance(nxt, End)
            pl, chunk = nxt

    def _elsewhere(
        self, exc: NetworkError, tried: set[int]
    ) -> tuple[MediaPlaylist, Chunk] | End | None:
        """After the current rung failed (``exc``): the same time from its
        next redundant copy, else from another rung (``END``: the stream has
        no such time). None when every rung has been ``tried``, or when the
        one moved to failed to load its playlist (it is then ``tried`` too)."""
        assert self._s.rung is not None
        rung = self._s.rung
        moved = self._ladder.to_backup(rung, exc)
        if not moved:
            tried.add(rung)
            self._penalty.penalise(rung, self._s.clock.now())
            choice = self._penalty.fallback(rung, len(self._s.ladder), tried)
            if choice is None:
                return None
            target, readmitted = choice
            if readmitted:
                # every rung out of the box failed here too: try the boxed ones
                self._penalty.release(target)
                self._ladder.readmit(target, "every other variant failed")
            self._s.warn(WarningCode.VARIANT_FAILED, variant=rung, reason=exc, target=target)
            self._choice.switch(Decision(target, "fallback", f"variant {rung} failed"))
        try:
            nxt = self._next_segment()
        except (FetchAborted, SecurityError):
            raise
        except (NetworkError, PlaylistError) as err:
            # the copy or rung moved to has no playlist to offer: it failed too
            with self._s.cond:
                self._s.mark("error", str(err))
            if moved:
                return self._elsewhere(exc, tried)
            tried.add(self._s.rung)
            self._penalty.penalise(self._s.rung, self._s.clock.now())
            return None
        return END if nxt is None else nxt

    def _live_hole(self, seg: Segment, exc: NetworkError) -> bool:
        """Live: whether a segment that failed everywhere is a hole in a stream
        that goes on (the origin answers and lists newer segments: skip it as
        a gap) rather than the origin being away (ride the outage out). A 404
        behind the edge is a hole already; otherwise the playlist decides,
        reloaded a target duration apart until it lists a newer segment (at
        most ``_HOLE_RELOADS`` times)."""
        assert self._s.rung is not None
        if isinstance(exc, HttpStatusError) and seg.sequence < self._ladder.edge_sequence() - 1:
            return True
        for n in range(_HOLE_RELOADS):
            if n:
                self._s.sleep(self._s.tracks[self._s.rung].playlist.target_duration)
                self._s.check_stop()
            try:
                track = self._ladder.track(
                    self._s.rung, reload=True, retry=RetryPolicy(max_attempts=1)
                )
            except (FetchAborted, SecurityError):
                raise
            except (NetworkError, PlaylistError):
                return False  # the origin is away: an outage
            if track.playlist.last_sequence > seg.sequence:
                return True
        return False

    def _skip_failed(self, seg: Segment, exc: NetworkError) -> None:
        """A segment failed on every variant and copy. It is skipped as a
        gap (the timeline keeps its time) and playback goes on; the variants
        get another chance with the next segment, the fault was this one's.
        Too many in a row and no progress is being made: one fatal error."""
        self.failed_in_row += 1
        if self.failed_in_row >= self._s.hls.max_failed_segments:
            raise NetworkError(
                f"{self.failed_in_row} segments in a row failed on every variant; "
                f"last error: {exc}. Check the stream URL or try again later."
            ) from None
        self._penalty.clear()
        # The copies too: a backup failed over to for this segment may be
        # broken as a whole while the primary serves the next one.
        for rung in [r for r, copy in self._s.copy.items() if copy]:
            del self._s.copy[rung]
            self._s.tracks.pop(rung, None)
        self.segment_gaps.append(seg.sequence)
        self._s.warn(
            WarningCode.SEGMENT_SKIPPED,
            sequence=seg.sequence,
            reason=exc,
            duration=f"{seg.duration:.1f}",
        )
