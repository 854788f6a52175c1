"""``HttpFetcher``: the ``Fetcher`` over httpx, with the safety we need.

TLS verified (certifi, or a given CA file), redirects followed by us (at most
``MAX_REDIRECTS``, http(s) only, never https → http), at most one
content-coding, decoded bytes counted against a cap while streaming,
per-request timeouts and a cancel flag checked between chunks; an open byte
range read as the origin writes it. Every failure is mapped onto our errors.
"""

from __future__ import annotations

import contextlib
import logging
import ssl
import threading
from urllib.parse import urljoin, urlsplit

import certifi
import httpx

from .clock import Clock, SystemClock
from .config import NetworkConfig
from .errors import ErrorCode, NetworkError, SecurityError, code_for_socket_error
from .fetch import (
    MAX_REDIRECTS,
    FetchAborted,
    FetchResult,
    HttpStatusError,
    PartialTransfer,
    ProgressCallback,
    RangeStream,
    ResponseTooLarge,
    TransferKind,
    TransferStats,
)
from .http_sockets import ConnectionSockets
from .redact import redact, redact_url

__all__ = ["HttpFetcher"]

log = logging.getLogger(__name__)

_CHUNK = 64 * 1024
#: a whole resource fetched only to slice a byte range out of it (server ignored Range)
_MAX_UNRANGED = 256 * 1024 * 1024


def _family_ok(previous: str, target: str) -> str | None:
    """None if a redirect from ``previous`` to ``target`` is allowed, else why not."""
    scheme = urlsplit(target).scheme.lower()
    if scheme not in ("http", "https"):
        return f"redirect to a {scheme or 'relative'!r} URL is not allowed"
    if urlsplit(previous).scheme.lower() == "https" and scheme == "http":
        return "redirect from https to http is not allowed"
    return None


class HttpFetcher:
    """``Fetcher`` over one ``httpx.Client`` (thread-safe, pooled connections)."""

    def __init__(
        self,
        config: NetworkConfig | None = None,
        clock: Clock | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._config = config or NetworkConfig()
        self._clock = clock or SystemClock()
        self._transport = transport
        #: one client per scheme, made on first use: loading the CA bundle
        #: costs ~40 ms that a plain-HTTP stream need not pay at start-up, and
        #: an https request never goes through the plain client
        self._clients: dict[str, httpx.Client] = {}
        self._clients_lock = threading.Lock()
        self._closed = False
        #: for close() to end the requests still waiting for an answer
        self._sockets = ConnectionSockets()

    def _client(self, url: str) -> httpx.Client:
        tls = urlsplit(url).scheme.lower() == "https"
        key = "https" if tls else "http"
        with self._clients_lock:
            if self._closed:
                # a loader still running after close() must not open a new pool
                raise FetchAborted("the fetcher is closed")
            client = self._clients.get(key)
            if client is None:
                verify: ssl.SSLContext | bool = False
                if tls and self._config.tls_verify:
                    verify = ssl.create_default_context(
                        cafile=self._config.ca_file or certifi.where()
                    )
                client = httpx.Client(
                    verify=verify,
                    follow_redirects=False,
                    timeout=httpx.Timeout(
                        self._config.read_timeout, connect=self._config.open_timeout
                    ),
                    headers={"User-Agent": self._config.user_agent},
                    transport=self._transport,
                    trust_env=False,
                )
                self._clients[key] = client
            return client

    def prepare(self, url: str) -> None:
        """Make the plain-HTTP client ``url`` needs now, on the caller's
        thread (httpcore's and h11's imports): a request on another thread
        then has little left to do before it is on its way, where it would
        wait for its share of the interpreter. An https client is left to
        the request's thread: its CA bundle (~40 ms) must not hold up the
        caller, the window's thread."""
        if urlsplit(url).scheme.lower() != "http":
            return
        with contextlib.suppress(FetchAborted):
            self._client(url)

    def close(self) -> None:
        with self._clients_lock:
            self._closed = True
            clients = list(self._clients.values())
        # before the clients close: they would leave a connection in use open
        self._sockets.shut_all()
        for client in clients:
            try:
                client.close()
            except Exception:  # closing while another thread streams: nothing to do
                log.debug("closing the HTTP client raised", exc_info=True)

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
        if self._closed:
            raise FetchAborted("the fetcher is closed")
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            raise SecurityError(f"refusing to fetch a non-http(s) URL: {redact_url(url)}")
        headers = {"Accept-Encoding": "gzip, deflate" if kind == "playlist" else "identity"}
        if byterange is not None:
            offset, length = byterange
            headers["Range"] = f"bytes={offset}-{offset + length - 1}"
        deadline_total = timeout if timeout is not None else max(self._config.read_timeout * 4, 20)
        start = self._clock.now()
        try:
            response, current = self._send(url, headers)
            try:
                return self._read(
                    response,
                    url=current,
                    kind=kind,
                    start=start,
                    max_bytes=max_bytes,
                    byterange=byterange,
                    deadline=deadline_total,
                    progress=progress,
                    cancel=cancel,
                )
            finally:
                response.close()
        except Exception as exc:
            raise _mapped(exc, url, self._closed, cancel) from None

    def _send(self, url: str, headers: dict[str, str]) -> tuple[httpx.Response, str]:
        """The response (headers read, body not) and the URL after redirects."""
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            client = self._client(current)
            request = client.build_request(
                "GET", current, headers=headers, extensions={"trace": self._sockets.trace}
            )
            response = client.send(request, stream=True)
            if response.status_code not in (301, 302, 303, 307, 308):
                return response, current
            location = response.headers.get("location")
            response.close()
            if not location:
                raise NetworkError(f"redirect without Location from {redact_url(current)}")
            target = urljoin(current, location)
            why = _family_ok(current, target)
            if why:
                raise SecurityError(f"{why}: {redact_url(current)}")
            current = target
        raise NetworkError(f"more than {MAX_REDIRECTS} redirects from {redact_url(url)}")

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
        if self._closed:
            raise FetchAborted("the fetcher is closed")
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            raise SecurityError(f"refusing to fetch a non-http(s) URL: {redact_url(url)}")
        if offset < 0:
            raise ValueError("negative offset")
        headers = {"Accept-Encoding": "identity", "Range": f"bytes={offset}-"}
        deadline = timeout if timeout is not None else max(self._config.read_timeout * 4, 20)
        start = self._clock.now()
        try:
            response, current = self._send(url, headers)
        except Exception as exc:
            raise _mapped(exc, url, self._closed, cancel) from None
        try:
            return _HttpRangeStream(
                self,
                response,
                url=current,
                kind=kind,
                offset=offset,
                max_bytes=max_bytes,
                deadline=start + deadline,
                cancel=cancel,
            )
        except BaseException:
            response.close()
            raise

    def _read(
        self,
        response: httpx.Response,
        *,
        url: str,
        kind: str,
        start: float,
        max_bytes: int,
        byterange: tuple[int, int] | None,
        deadline: float,
        progress: ProgressCallback | None,
        cancel: threading.Event | None,
    ) -> FetchResult:
        ttfb = self._clock.now() - start
        status = response.status_code
        if status >= 400 or status < 200 or status in (204, 205):
            raise HttpStatusError(status, url)
        codings = [
            c.strip().lower()
            for c in response.headers.get("content-encoding", "").split(",")
            if c.strip() and c.strip().lower() != "identity"
        ]
        if len(codings) > 1:
            raise SecurityError(
                f"more than one content-coding ({', '.join(codings)}) from {redact_url(url)}"
            )
        # Range ignored (200 instead of 206): read up to the end of the range and slice.
        slice_from = 0
        limit = max_bytes
        if byterange is not None and status == 200:
            slice_from = byterange[0]
            limit = byterange[0] + byterange[1]
            if limit > _MAX_UNRANGED:
                raise NetworkError(f"server ignored the byte range of {redact_url(url)}")
        elif byterange is not None:
            limit = min(max_bytes, byterange[1])
            first = _range_start(response.headers.get("content-range"))
            if status == 206 and first is not None and first != byterange[0]:
                # another part of the resource than the one asked for (a resume
                # spliced from wrong bytes would be silent corruption)
                raise NetworkError(
                    f"asked {redact_url(url)} for bytes from {byterange[0]}, got them from {first}"
                )
        expected: int | None = None
        length_header = response.headers.get("content-length")
        if length_header is not None and not codings:
            try:
                expected = int(length_header)
            except ValueError:
                raise NetworkError(f"bad Content-Length from {redact_url(url)}") from None
            if expected > limit and byterange is None:
                raise ResponseTooLarge(
                    f"{kind} from {redact_url(url)} is {expected} bytes, over the {limit} cap"
                )
        chunks: list[bytes] = []
        received = 0
        ranges = status == 206 or response.headers.get("accept-ranges", "").lower() == "bytes"

        def broken(message: str) -> NetworkError:
            # only an identity body sent whole or as asked can be continued by range
            if not received or codings or (byterange is not None and status != 206):
                return NetworkError(message)
            return PartialTransfer(message, b"".join(chunks), expected, ranges)

        try:
            return self._body(
                response,
                url=url,
                kind=kind,
                start=start,
                ttfb=ttfb,
                status=status,
                chunks=chunks,
                limit=limit,
                slice_from=slice_from,
                byterange=byterange,
                expected=expected,
                deadline=deadline,
                progress=progress,
                cancel=cancel,
            )
        except PartialTransfer:
            raise
        except (FetchAborted, ResponseTooLarge, SecurityError):
            raise
        except NetworkError as exc:
            received = sum(len(c) for c in chunks)
            raise broken(str(exc)) from None
        except (httpx.HTTPError, OSError) as exc:
            received = sum(len(c) for c in chunks)
            mapped = _mapped(exc, url, self._closed, cancel)
            if isinstance(mapped, FetchAborted) or not isinstance(mapped, NetworkError):
                raise mapped from None
            raise broken(str(mapped)) from None

    def _body(
        self,
        response: httpx.Response,
        *,
        url: str,
        kind: str,
        start: float,
        ttfb: float,
        status: int,
        chunks: list[bytes],
        limit: int,
        slice_from: int,
        byterange: tuple[int, int] | None,
        expected: int | None,
        deadline: float,
        progress: ProgressCallback | None,
        cancel: threading.Event | None,
    ) -> FetchResult:
        received = 0
        # as the socket delivers, so progress (and ABR abandonment) is checked
        # often on a slow link, not once per 64 KiB
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            received += len(chunk)
            now = self._clock.now()
            if byterange is not None and received >= limit:
                # enough for the range: not one chunk more (a growing resource
                # sent whole would hold us until its next part is written)
                break
            if received > limit:
                raise ResponseTooLarge(
                    f"{kind} from {redact_url(url)} is over the {limit} byte cap; stopped reading"
                )
            if cancel is not None and cancel.is_set():
                raise FetchAborted(
                    "cancelled", self._stats(url, kind, received, start, ttfb, now, status, True)
                )
            if now - start > deadline:
                raise NetworkError(f"timed out loading {redact_url(url)} (total {deadline:g} s)")
            if progress is not None and not progress(received, expected, now - start):
                raise FetchAborted(
                    "abandoned", self._stats(url, kind, received, start, ttfb, now, status, True)
                )
        end = self._clock.now()
        data = b"".join(chunks)
        if byterange is not None:
            data = data[slice_from : slice_from + byterange[1]]
            if len(data) < byterange[1]:
                raise NetworkError(
                    f"truncated {kind}: {len(data)} of {byterange[1]} bytes from {redact_url(url)}"
                )
        elif expected is not None and received < expected:
            raise NetworkError(
                f"truncated {kind}: {received} of {expected} bytes from {redact_url(url)}"
            )
        return FetchResult(
            url=url,
            data=data,
            content_type=response.headers.get("content-type"),
            stats=self._stats(url, kind, received, start, ttfb, end, status, False),
        )

    @staticmethod
    def _stats(
        url: str,
        kind: str,
        received: int,
        start: float,
        ttfb: float,
        end: float,
        status: int,
        aborted: bool,
    ) -> TransferStats:
        return TransferStats(
            url=redact_url(url),
            kind=kind,
            bytes=received,
            start=start,
            ttfb=ttfb,
            duration=max(end - start, ttfb),
            status=status,
            aborted=aborted,
        )


def _socket_errno(exc: BaseException) -> int | None:
    """The errno of the socket error under httpx's (and httpcore's) wrappers."""
    seen: BaseException | None = exc
    for _ in range(6):
        if seen is None:
            return None
        if isinstance(seen, OSError) and seen.errno is not None:
            return seen.errno
        seen = seen.__cause__ or seen.__context__
    return None


def _mapped(
    exc: Exception, url: str, closed: bool, cancel: threading.Event | None
) -> NetworkError | SecurityError:
    """An exception raised while talking HTTP, as one of our errors."""
    if closed and not isinstance(exc, FetchAborted):
        # close() shut the sockets: whatever broke, broke because of it
        return FetchAborted("the fetcher is closed")
    if isinstance(exc, (NetworkError, SecurityError)):
        return exc
    refused = _certificate_refusal(exc)
    if refused is not None:
        # Not a network hiccup: retrying cannot make the certificate trusted.
        return SecurityError(
            f"The server's TLS certificate is not trusted ({refused}): {redact_url(url)}",
            code=ErrorCode.TLS_UNTRUSTED,
            reason=refused,
            where=redact_url(url),
        )
    if isinstance(exc, httpx.TimeoutException):
        return NetworkError(
            f"timed out loading {redact_url(url)} ({type(exc).__name__})",
            code=ErrorCode.TIMEOUT,
            where=redact_url(url),
        )
    if isinstance(exc, httpx.HTTPError):
        # The socket's own words ("[Errno 111] Connection refused") name what happened.
        code = code_for_socket_error(str(exc), _socket_errno(exc))
        message = f"could not load {redact_url(url)}: {redact(str(exc))}"
        if code is not None:
            return NetworkError(message, code=code, where=redact_url(url))
        return NetworkError(message)
    if isinstance(exc, (OSError, ValueError, RuntimeError)):
        # closed client from another thread, bad URL, SSL errors
        if closed or (cancel is not None and cancel.is_set()):
            return FetchAborted("cancelled")
        return NetworkError(f"could not load {redact_url(url)}: {redact(str(exc))}")
    raise exc


def _certificate_refusal(exc: BaseException) -> str | None:
    """Why TLS verification refused the server, when that is what ``exc``
    (httpx wraps ssl's error in its ConnectError) comes down to."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return str(current.verify_message or current.reason or "verification failed")
        current = current.__cause__ or current.__context__
    return None


class _HttpRangeStream:
    """The body of ``Range: bytes=N-`` read on demand, as the origin writes it.

    206 must start at N (Content-Range). A server may ignore Range (RFC 9110
    §14.2) and send the whole resource with 200: its first N bytes are read
    and dropped, within the byte cap, because the rest is still the bytes
    asked for and a growing resource cannot be asked again any better; an N
    over the cap is refused. A content-coded answer is refused: offsets would
    count coded bytes. Every byte read counts against ``max_bytes``; the cancel
    flag and the total deadline are checked at each chunk, the read timeout
    bounds each wait for one.
    """

    def __init__(
        self,
        owner: HttpFetcher,
        response: httpx.Response,
        *,
        url: str,
        kind: str,
        offset: int,
        max_bytes: int,
        deadline: float,
        cancel: threading.Event | None,
    ) -> None:
        self._owner = owner
        self._response = response
        self._url = url
        self._kind = kind
        self._max_bytes = max_bytes
        self._deadline = deadline
        self._cancel = cancel
        self._buffer = bytearray()
        self._received = 0
        self._ended = False
        self.offset = offset
        status = response.status_code
        if status >= 400 or status < 200 or status in (204, 205):
            raise HttpStatusError(status, url)
        if response.headers.get("content-encoding", "identity").strip().lower() != "identity":
            raise NetworkError(f"content-coded byte range from {redact_url(url)}")
        self._chunks = response.iter_raw()
        if status == 206:
            first = _range_start(response.headers.get("content-range"))
            if first is not None and first != offset:
                raise NetworkError(
                    f"asked {redact_url(url)} for bytes from {offset}, got them from {first}"
                )
        elif offset > 0:
            if offset > max_bytes:
                raise NetworkError(
                    f"server ignored the byte range of {redact_url(url)} and the range starts "
                    f"past the {max_bytes} byte cap"
                )
            self._fill(offset)
            del self._buffer[:offset]

    def read(self, n: int) -> bytes:
        self._fill(n)
        if len(self._buffer) < n:
            raise NetworkError(
                f"truncated {self._kind}: the stream of {redact_url(self._url)} ended "
                f"{n - len(self._buffer)} bytes short"
            )
        out = bytes(self._buffer[:n])
        del self._buffer[:n]
        self.offset += n
        return out

    def _fill(self, n: int) -> None:
        clock = self._owner._clock
        try:
            while len(self._buffer) < n and not self._ended:
                chunk = next(self._chunks, None)
                if chunk is None:
                    self._ended = True
                    break
                self._buffer += chunk
                self._received += len(chunk)
                if self._received > self._max_bytes:
                    raise ResponseTooLarge(
                        f"{self._kind} stream from {redact_url(self._url)} is over the "
                        f"{self._max_bytes} byte cap; stopped reading"
                    )
                if self._cancel is not None and self._cancel.is_set():
                    raise FetchAborted("cancelled")
                if clock.now() > self._deadline:
                    raise NetworkError(f"timed out streaming {redact_url(self._url)}")
        except Exception as exc:
            self.close()
            raise _mapped(exc, self._url, self._owner._closed, self._cancel) from None

    def close(self) -> None:
        self._ended = True
        try:
            self._response.close()
        except Exception:  # closing while the client closes: nothing to do
            log.debug("closing a range stream raised", exc_info=True)


def _range_start(header: str | None) -> int | None:
    """The first byte of a ``Content-Range: bytes a-b/c`` header (None: absent
    or unreadable, which a 206 to a one-range request may be)."""
    if not header or not header.strip().lower().startswith("bytes "):
        return None
    first = header.strip()[6:].partition("-")[0].strip()
    return int(first) if first.isdigit() else None
