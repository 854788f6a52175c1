"""An HLS stream's first playlist, asked for as the open begins: before the
engine's own imports (PyAV, the session's modules, the HLS loader's), which
take a tenth of a second of a cold start. The request's round trip then
passes while they run, not after them. The HLS source that opens the
stream takes the answer (and the fetcher, whose connection to the origin is
then open already) as its first playlist; a failed request is asked again
the ordinary way, by the loader's retry policy (``EarlyFetches``)."""

from __future__ import annotations

import threading

from ..clock import Clock
from ..config import NetworkConfig
from ..fetch import Fetcher, FetchResult
from ..http_fetcher import HttpFetcher
from .early_fetch import EarlyFetches
from .playlist import MAX_PLAYLIST_BYTES

__all__ = ["HeadStart"]


class HeadStart:
    """The request for ``url`` starts as this is made, on ``fetcher`` (an
    ``HttpFetcher`` of ``network`` by default)."""

    def __init__(
        self, url: str, network: NetworkConfig, clock: Clock, fetcher: Fetcher | None = None
    ) -> None:
        self.url = url
        #: the source's fetcher from here on (it closes it)
        if fetcher is None:
            fetcher = HttpFetcher(network, clock)
            fetcher.prepare(url)
        self.fetcher: Fetcher = fetcher
        self._cancel = threading.Event()
        self._taken = False
        # a wait for the answer ends when the fetcher closes (the source's
        # close shuts its sockets): nothing else to check for meanwhile
        self._early = EarlyFetches(self.fetcher, self._cancel, lambda: None, clock)
        self._early.start("playlist", url, "playlist", MAX_PLAYLIST_BYTES)

    def take(self, url: str) -> FetchResult | None:
        """The answer for ``url`` (waiting for it), the first time it is
        asked for; None for another URL, after the first time, or when the
        request failed."""
        if url != self.url or self._taken:
            return None
        self._taken = True
        return self._early.take("playlist")

    def close(self) -> None:
        """Not used after all: the request ends and its connection closes."""
        self.fetcher.close()
