"""Outages: failures that last, live or VOD. Live, each retry is reported
(``Reconnecting``) until something loads again, once the origin itself
fails to answer (a segment failing beside a playlist that answers is no
outage); VOD, a failing segment has
the origin asked whether it still answers (``OriginCheck``). Either way the
outage is ridden out (playlist reloads with backoff) up to its bound, and
what could not advance meanwhile gets another chance after it."""

from __future__ import annotations

from collections.abc import Callable

from ..errors import NetworkError
from ..events import Reconnected, Reconnecting
from ..fetch import TransferKind
from ..redact import redact
from ..retry import RetryPolicy
from .followers import Renditions
from .hint_streams import HintStreams
from .ladder import Ladder
from .live_edge import OutageWatch, ride_out
from .loader_state import LoaderState
from .origin_check import OriginCheck
from .penalty_box import PenaltyBox

__all__ = ["OriginAway", "Outages"]


class OriginAway(Exception):
    """Out of a VOD segment's retries: the origin is away as a whole
    (``error``: how its playlist failed); the step is ridden out."""

    def __init__(self, error: NetworkError) -> None:
        super().__init__(str(error))
        self.error = error


class Outages:
    """Tells and rides out outages; ``watch`` keeps their clock and
    ``origin`` asks a VOD origin whether it still answers."""

    def __init__(
        self,
        state: LoaderState,
        watch: OutageWatch,
        origin: OriginCheck,
        *,
        ladder: Ladder,
        penalty: PenaltyBox,
        renditions: Renditions,
        hint_streams: HintStreams,
        rand: Callable[[], float],
    ) -> None:
        self._s = state
        self._watch = watch
        self._origin = origin
        self._ladder = ladder
        self._penalty = penalty
        self._renditions = renditions
        self._hint_streams = hint_streams
        self._rand = rand

    def fetch_worked(self) -> None:
        if self._origin.checking:
            return  # the origin answers, but the fetch that failed has not worked
        self._origin.worked()
        if self._watch.failing_since is not None:
            self.failures_over()

    def outage_tolerated(self, exc: NetworkError) -> bool:
        """Whether ``exc`` (out of a step) is the origin being away for a
        while: live, failures that last; VOD, once the playlist failed too."""
        if not self._s.live and not self._watch.playlist_failed:
            return False
        return self._watch.tolerated(exc)

    def note_failure(self, exc: NetworkError, kind: TransferKind, delay: float | None) -> None:
        """A fetch failed (``delay``: it is tried again after that long).
        Live: failures that last are an outage: each retry is reported
        (``Reconnecting``) until something loads again. VOD: a segment that
        fails in a way an outage makes it fail has the origin asked whether
        it still answers (``origin_away``). Live, a media fetch's lasting
        failures are reported only once the origin is asked that way and
        does not answer (or a playlist failed already)."""
        if not self._s.live:
            self._origin.failed()
            media = kind in ("segment", "part", "init", "key")
            if media and not self._origin.checking and self.origin_away(exc):
                raise OriginAway(exc)
            return
        self._origin.failed()
        if not self._watch.note(exc, kind, delay, self._s.clock.now()):
            return
        assert delay is not None
        media = kind in ("segment", "part", "init", "key")
        if media and not self._watch.playlist_failed and not self.origin_away(exc):
            # one segment failing while its playlist answers is that segment's
            # fault: retries, copies, rungs, then a gap with a warning, and no
            # Reconnecting (the origin is not unreachable)
            return
        self.outage_reported(redact(str(exc)), delay)

    def origin_away(self, exc: NetworkError, *, again: bool = False) -> bool:
        """VOD: whether the origin as a whole is away after a segment failed
        with ``exc`` (``OriginCheck``): ridden out then as a live outage is,
        the segment fetched again once it answers."""
        if self._s.rung is None:
            return False
        variant = self._s.ladder[self._s.rung]
        copies = (variant.uri, *variant.backups)[self._s.copy.get(self._s.rung, 0) :]
        return self._origin.away(exc, copies, again=again)

    def outage_reported(self, reason: str, delay: float) -> None:
        if not self._watch.attempt:
            with self._s.cond:
                self._s.mark(
                    "error", f"{'live ' if self._s.live else ''}origin unreachable: {reason}"
                )
        self._watch.attempt += 1
        self._s.emit(Reconnecting.of(self._watch.attempt, delay, reason, t=self._s.now()))

    def failures_over(self) -> None:
        """Something loaded after failures. After a reported outage nothing
        could advance or work meanwhile: stuck clocks restart, preload hints
        (and variants, if the playlists failed too) get another chance, and
        the playlist is reloaded before the next fetch (it is as old as the
        outage: we may have to rejoin)."""
        now = self._s.clock.now()
        outage, attempts, origin_wide = self._watch.over(now)
        if not attempts:
            return
        if origin_wide:
            self._penalty.clear()
        if not self._s.live:
            # VOD: the segment that failed is fetched again, nothing to rejoin
            with self._s.cond:
                self._s.mark("reload", f"origin back after {outage:.1f} s")
            self._s.emit(Reconnected(attempt=attempts, outage=outage, t=self._s.now()))
            return
        for track in self._s.tracks.values():
            track.reloader.restart(now)
        for f in (self._renditions.audio, self._renditions.subs):
            if f is not None:
                f.track.reloader.restart(now)
                f.hints_ok = True
        self._s.hints_ok = True
        self._hint_streams.ok = True
        self._s.refresh = True
        with self._s.cond:
            self._s.mark("reload", f"live origin back after {outage:.1f} s")
        self._s.emit(Reconnected(attempt=attempts, outage=outage, t=self._s.now()))

    def ride_out_outage(self, exc: NetworkError) -> None:
        """A step failed for good with the origin away: reload the playlist
        with backoff and jitter until the origin answers (live:
        ``_next_segment`` then decides whether to rejoin; VOD: the segment
        is fetched again) or the outage bound has passed (then one fatal
        error). read() meanwhile waits without timing out: a stall."""
        assert self._s.rung is not None and self._watch.failing_since is not None
        rung = self._s.rung

        def reload() -> None:
            # one request per attempt: the backoff is the retry policy
            self._ladder.track(rung, reload=True, retry=RetryPolicy(max_attempts=1))

        ride_out(
            self._watch,
            exc,
            self._s.url,
            clock=self._s.clock,
            rand=self._rand,
            reload=reload,
            report=self.outage_reported,
            sleep=self._s.sleep,
            check_stop=self._s.check_stop,
            live=self._s.live,
        )
        self._s.refresh = False  # just reloaded
        # the step failed on every variant it could try: all get another chance
        self._penalty.clear()
