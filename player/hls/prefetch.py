"""The first playlist request of an HLS start, sent before the engine exists.

Opening a stream first imports the engine (PyAV, a tenth of a second or more
in a fresh process), then the HLS loader (httpx), and only then asks the
server for the playlist. ``start_prefetch`` sends that request on its own
thread at ``open()``, so the round trip (and the TCP/TLS handshake that the
loader's next requests then reuse) overlaps the engine's imports.

The loader gets a ``PrimedFetcher``: its first GET of the same URL as a
playlist takes the answer already there, if it is fresh; anything else (a
failed prefetch, a stale answer, another URL) is an ordinary request on the
same pooled fetcher, so robustness is what it was without the prefetch.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from ..clock import Clock
from ..config import NetworkConfig
from ..fetch import FetchAborted, Fetcher, FetchResult, ProgressCallback, RangeStream, TransferKind

__all__ = ["MAX_AGE", "PrimedFetcher", "start_prefetch"]

log = logging.getLogger(__name__)

#: an answer older than this is asked again: a live playlist read late would
#: place the start that much further from the live edge
MAX_AGE = 0.5
#: how often a caller waiting for the prefetch looks at its cancel event
_POLL = 0.05


class PrimedFetcher:
    """``Fetcher`` whose first playlist GET of ``url`` may already be answered."""

    def __init__(self, url: str, make: Callable[[], Fetcher], clock: Clock) -> None:
        self.url = url
        self._make = make
        self._clock = clock
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._inner: Fetcher | None = None
        self._result: FetchResult | None = None
        self._answered_at = 0.0
        self._closed = False
        #: whether the loader took the prefetched answer (for tests and logs)
        self.used = False

    def run(self) -> None:
        """Make the fetcher and GET the playlist (the prefetch thread's body)."""
        # here, not at the top: the thread starts before the parser's imports
        from .playlist import MAX_PLAYLIST_BYTES

        try:
            inner = self._make()
        except Exception:  # the loader's own first request reports it
            log.debug("making the prefetch fetcher failed", exc_info=True)
            self._ready.set()
            return
        with self._lock:
            self._inner = inner
            closed = self._closed
        result: FetchResult | None = None
        if not closed:
            try:
                result = inner.get(self.url, kind="playlist", max_bytes=MAX_PLAYLIST_BYTES)
            except Exception as exc:  # the loader asks again, with its retries
                log.debug("playlist prefetch failed: %s", exc)
        with self._lock:
            self._result = result
            self._answered_at = self._clock.now()
            closed = self._closed
        self._ready.set()
        if closed:
            inner.close()

    def _wait(self, cancel: threading.Event | None) -> Fetcher:
        while not self._ready.wait(_POLL):
            if cancel is not None and cancel.is_set():
                raise FetchAborted("cancelled")
            if self._closed:
                raise FetchAborted("the fetcher is closed")
        with self._lock:
            if self._closed:
                raise FetchAborted("the fetcher is closed")
            if self._inner is None:
                self._inner = self._make()
            return self._inner

    def _take(
        self, url: str, kind: TransferKind, byterange: tuple[int, int] | None
    ) -> FetchResult | None:
        with self._lock:
            result, self._result = self._result, None
            age = self._clock.now() - self._answered_at
        if result is None or url != self.url or kind != "playlist" or byterange is not None:
            return None
        if age > MAX_AGE:
            log.debug("prefetched playlist is %.2f s old: asking again", age)
            return None
        return result

    def get(
        self,
        url: str,
        *,
        kind: TransferKind = "segment",
        max_bytes: int,
        byterange: tuple[int, int] | None = None,
        timeout: float | None = None,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> FetchResult:
        inner = self._wait(cancel)
        result = self._take(url, kind, byterange)
        if result is not None and len(result.data) <= max_bytes:
            self.used = True
            if progress is not None:
                n = len(result.data)
                progress(n, n, result.stats.duration)
            return result
        return inner.get(
            url,
            kind=kind,
            max_bytes=max_bytes,
            byterange=byterange,
            timeout=timeout,
            progress=progress,
            cancel=cancel,
        )

    def open_range(
        self,
        url: str,
        offset: int,
        *,
        kind: TransferKind = "part",
        max_bytes: int,
        timeout: float | None = None,
        cancel: threading.Event | None = None,
    ) -> RangeStream:
        return self._wait(cancel).open_range(
            url, offset, kind=kind, max_bytes=max_bytes, timeout=timeout, cancel=cancel
        )

    def close(self) -> None:
        with self._lock:
            self._closed = True
            inner = self._inner
            self._result = None
        # a prefetch still under way closes the fetcher it made when it ends
        if inner is not None:
            inner.close()


def start_prefetch(url: str, network: NetworkConfig, clock: Clock) -> PrimedFetcher:
    """A ``PrimedFetcher`` for ``url`` whose playlist GET is already under way."""

    def make() -> Fetcher:
        # imported here, on the prefetch thread: httpx is part of what overlaps
        from ..http_fetcher import HttpFetcher

        return HttpFetcher(network, clock)

    primed = PrimedFetcher(url, make, clock)
    threading.Thread(target=primed.run, name="hls-prefetch", daemon=True).start()
    return primed
