"""What loading over HTTP is for our own protocols (HLS playlists, segments,
keys): the ``Fetcher`` protocol the HLS loader is handed, its results and its
errors. ``http_fetcher.HttpFetcher`` is the real one (httpx); tests hand the
loader a scripted one (``tests/support/fake_fetcher.py``).

Every download yields one ``TransferStats`` (bytes, time to first byte, total
time): the bandwidth meter's only input, and the metrics' download record.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from .errors import NetworkError, code_for_status
from .redact import redact_url

__all__ = [
    "MAX_REDIRECTS",
    "FetchAborted",
    "FetchResult",
    "Fetcher",
    "HttpStatusError",
    "PartialTransfer",
    "ProgressCallback",
    "RangeStream",
    "ResponseTooLarge",
    "TransferKind",
    "TransferStats",
]

MAX_REDIRECTS = 5

TransferKind = Literal["playlist", "segment", "init", "key", "part", "subtitle"]
#: progress(bytes_so_far, expected_total_or_None, elapsed_seconds) -> keep going?
ProgressCallback = Callable[[int, int | None, float], bool]


@dataclass(frozen=True)
class TransferStats:
    """One download, as the bandwidth meter and the metrics see it."""

    url: str  # redacted
    kind: str
    bytes: int
    #: clock time the request was sent
    start: float
    #: seconds from the request to the response headers (redirects included)
    ttfb: float
    #: seconds from the request to the last byte
    duration: float
    status: int = 200
    from_cache: bool = False
    aborted: bool = False

    @property
    def transfer_seconds(self) -> float:
        """Time spent receiving the body (the part throughput is measured over)."""
        return max(self.duration - self.ttfb, 0.0)

    @property
    def throughput_bps(self) -> float:
        t = self.transfer_seconds
        return self.bytes * 8 / t if t > 0 else 0.0


@dataclass(frozen=True)
class FetchResult:
    url: str  # final URL after redirects (not redacted: internal use only)
    data: bytes
    content_type: str | None
    stats: TransferStats


class HttpStatusError(NetworkError):
    def __init__(self, status: int, url: str) -> None:
        self.status = status
        self.url = url
        super().__init__(
            f"HTTP {status} for {redact_url(url)}",
            code=code_for_status(status),
            protocol="HTTP",
            where=redact_url(url),
        )


class PartialTransfer(NetworkError):
    """The body broke off (timeout, reset, fewer bytes than Content-Length)
    after some bytes: what arrived, so a retry can ask for the rest only."""

    def __init__(self, message: str, data: bytes, total: int | None, resumable: bool) -> None:
        self.data = data
        #: the body's length as its headers announced it (None: unknown)
        self.total = total
        #: the server takes byte ranges (Accept-Ranges: bytes, or it answered 206)
        self.resumable = resumable
        super().__init__(message)


class ResponseTooLarge(NetworkError):
    """The response is over the caller's byte cap: the same request would get
    the same answer, so it is not worth retrying."""


class FetchAborted(NetworkError):
    """The download was cancelled (interrupt) or abandoned (ABR)."""

    def __init__(self, message: str, stats: TransferStats | None = None) -> None:
        self.stats = stats
        super().__init__(message)


class Fetcher(Protocol):
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
        """GET ``url`` (``byterange`` = (offset, length)). Raises NetworkError
        (HttpStatusError, FetchAborted) or SecurityError."""
        ...

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
        """GET ``url`` from byte ``offset`` to its end (``Range: bytes=offset-``),
        returned as soon as the headers arrive: the body is read as the origin
        writes it (a resource still being produced). Same errors as ``get``."""
        ...

    def close(self) -> None: ...


class RangeStream(Protocol):
    #: the resource offset of the next byte ``read`` returns
    offset: int

    def read(self, n: int) -> bytes:
        """Exactly ``n`` more bytes, waiting for the origin to write them.
        NetworkError if the body ends first."""
        ...

    def close(self) -> None: ...
