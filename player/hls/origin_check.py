"""VOD: whether the origin as a whole is away after a segment failed, or
only that segment is bad.

A segment that fails the way an outage makes it fail (refused, reset, 5xx,
a timeout) has the origin asked once: its media playlist, from the copy in
use and the redundant copies after it, one request each, none moved to. If
every one fails the same way, the origin is away: the caller rides the
outage out as a live one is, and fetches the segment again. If one answers,
the segment is its own fault (retries, copies, variants, a gap). While the
origin is being asked (a hanging origin takes a read timeout to answer) the
outage watch says "failing" so that ``read()`` waits rather than giving up
first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..clock import Clock
from ..errors import NetworkError, PlaylistError, SecurityError
from ..fetch import FetchAborted, HttpStatusError
from ..retry import is_retryable
from .live_edge import OutageWatch
from .slow_transfer import SlowTransfer

__all__ = ["OriginCheck"]


def _retryable(exc: NetworkError) -> bool:
    return is_retryable(exc.status if isinstance(exc, HttpStatusError) else None)


class OriginCheck:
    def __init__(self, watch: OutageWatch, clock: Clock, ask: Callable[[str], object]) -> None:
        self._watch = watch
        self._clock = clock
        #: loads a media playlist (one request): raises when it fails
        self._ask = ask
        #: clock time of the first of the fetches failing in a row (None: the last worked)
        self.failing_since: float | None = None
        #: the origin was asked during this run of failures
        self.checked = False
        #: the origin is being asked now (its answer is not the failed fetch working)
        self.checking = False

    def failed(self) -> None:
        """A fetch failed."""
        if self.failing_since is None:
            self.failing_since = self._clock.now()

    def worked(self) -> None:
        """A fetch worked: the run of failures is over."""
        self.failing_since = None
        self.checked = False

    def away(self, exc: NetworkError, copies: Sequence[str], *, again: bool = False) -> bool:
        """After a segment failed with ``exc``: whether ``copies`` (the
        variant's playlists from the one in use on) all fail as an outage
        makes them fail. Asked once per run of failures (a retry that fails
        too is the same answer) unless ``again`` (the retries are over: the
        origin may have gone meanwhile). True: the outage watch holds it."""
        if again:
            self.checked = False
        if self._watch.bound <= 0:
            return False  # outages are not ridden out (``reconnect`` is off)
        if self.checked or not copies or not _retryable(exc) or isinstance(exc, SlowTransfer):
            return False  # (bytes were arriving in a slow transfer: the origin answers)
        self.checked = True
        self.checking = True
        since = self.failing_since if self.failing_since is not None else self._clock.now()
        provisional = self._watch.failing_since is None
        if provisional:
            self._watch.failing_since = since
        away = False
        try:
            for n, url in enumerate(copies):
                try:
                    self._ask(url)
                    break
                except (FetchAborted, SecurityError):
                    raise
                except (NetworkError, PlaylistError) as err:
                    if not isinstance(err, NetworkError) or not _retryable(err):
                        break  # it answered, if not with a playlist
                    if n == len(copies) - 1:
                        self._watch.note(err, "playlist", None, self._clock.now())
                        self._watch.failing_since = since
                        away = True
        finally:
            self.checking = False
            if provisional and not away:
                self._watch.failing_since = None
        return away
