"""A scripted origin behind the ``Fetcher`` seam: no sockets, no sleeps.

``FakeFetcher`` answers each URL from a script of ``Reply`` values (the body,
the status, the time to first byte and to the last byte on the injected
clock, a failure, a truncation, a stall before the break, whether the server
takes byte ranges), the last reply repeating, and fails every
request while an ``outage`` lasts. Time passes only on the clock: on a
``ManualClock`` a request with a delay blocks its thread until the test
advances the clock (``ManualClock.until_waiting`` tells when it is blocked).
The body is delivered in ``pieces``, each reported to ``progress`` and checked
against ``cancel``, so abandonment works as on a real link.

    origin = FakeFetcher(clock)
    origin.serve("http://o.test/a.m3u8", "#EXTM3U ...")
    origin.script("http://o.test/s1.ts", Reply(status=503), Reply(body=seg, ttfb=0.1))

Every request is logged (``requests``) with its clock time, for assertions
and golden logs. Media3's ``FakeDataSet`` and httpx's ``MockTransport`` play
the same part.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from player.clock import Clock
from player.errors import NetworkError
from player.fetch import (
    FetchAborted,
    FetchResult,
    HttpStatusError,
    PartialTransfer,
    ProgressCallback,
    ResponseTooLarge,
    TransferKind,
    TransferStats,
)
from player.redact import redact_url

__all__ = ["FakeFetcher", "FakeRangeStream", "Reply", "Request"]

OutageMode = Literal["refused", "503", "hang"]


@dataclass(frozen=True)
class Reply:
    """One scripted response."""

    body: bytes = b""
    status: int = 200
    #: clock seconds from the request to the headers (``math.inf``: never)
    ttfb: float = 0.0
    #: clock seconds from the headers to the last byte, spread over the pieces
    duration: float = 0.0
    #: how many pieces the body arrives in (progress is called after each)
    pieces: int = 1
    #: raised after ``ttfb`` instead of answering (a reset, a refused connection)
    error: NetworkError | None = None
    #: the body stops after this many bytes (a connection dropped mid-body);
    #: with a byte range, counted from the range's first byte
    truncate_at: int | None = None
    #: after a truncated body, clock seconds the connection hangs before it
    #: breaks off (a read timeout running out)
    stall: float = 0.0
    #: the server takes byte ranges (Accept-Ranges: bytes): a body that
    #: breaks off says so, and a retry may ask for the rest
    ranges: bool = False
    content_type: str | None = None


@dataclass(frozen=True)
class Request:
    """One request the fetcher saw, as a test asserts on it."""

    t: float
    url: str
    kind: str
    byterange: tuple[int, int] | None = None
    #: how it ended: a status, "aborted", "cancelled" or the error's class name
    outcome: str = ""


@dataclass
class _Route:
    replies: list[Reply]
    served: int = 0

    def next(self) -> Reply:
        reply = self.replies[min(self.served, len(self.replies) - 1)]
        self.served += 1
        return reply


@dataclass
class _Outage:
    start: float
    end: float
    mode: OutageMode


@dataclass
class _State:
    routes: dict[str, _Route] = field(default_factory=dict)
    live: dict[str, Callable[[float], Reply]] = field(default_factory=dict)
    outages: list[_Outage] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    closed: bool = False


def _as_bytes(body: bytes | str) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else body


class FakeFetcher:
    """``player.fetch.Fetcher`` over a script, timed on ``clock``."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        # guards the state; notified on close so a delayed request wakes
        self._cond = threading.Condition()
        self._state = _State()
        #: bits per second of the link at a clock time (None: each reply's own duration)
        self._link: Callable[[float], float] | None = None

    # ----------------------------------------------------------------- scripting

    def serve(self, url: str, body: bytes | str, **reply: object) -> None:
        """Answer every request for ``url`` with ``body`` (and the ``Reply``
        fields given)."""
        self.script(url, Reply(body=_as_bytes(body), **reply))  # type: ignore[arg-type]

    def script(self, url: str, *replies: Reply) -> None:
        """Answer the requests for ``url`` with ``replies`` in turn, the last
        one repeating."""
        if not replies:
            raise ValueError("a script needs at least one reply")
        with self._cond:
            self._state.routes[url] = _Route(list(replies))

    def serve_live(self, url: str, reply_at: Callable[[float], Reply]) -> None:
        """Answer ``url`` with ``reply_at(t)``, ``t`` the clock time of the
        request: a live playlist that grows as time passes."""
        with self._cond:
            self._state.live[url] = reply_at

    def serve_directory(
        self,
        base_url: str,
        root: Path,
        *,
        ttfb: float = 0.0,
        bits_per_second: float | None = None,
        pieces: int = 4,
    ) -> None:
        """Serve every file under ``root`` at ``base_url`` + its relative path:
        each reply after ``ttfb``, its body at ``bits_per_second`` (at once if
        None)."""
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path.name.startswith("."):
                continue
            body = path.read_bytes()
            duration = len(body) * 8 / bits_per_second if bits_per_second else 0.0
            self.script(
                base_url + path.relative_to(root).as_posix(),
                Reply(body=body, ttfb=ttfb, duration=duration, pieces=pieces),
            )

    def set_link(self, bits_per_second: Callable[[float], float]) -> None:
        """Time every body by a link whose speed is ``bits_per_second(t)`` at
        the clock time the body starts (replaces the replies' durations)."""
        self._link = bits_per_second

    def outage(self, start: float, end: float, mode: OutageMode = "refused") -> None:
        """Every request made while the clock is in [start, end) fails: refused
        at once, a 503, or a hang until the outage ends (then refused)."""
        with self._cond:
            self._state.outages.append(_Outage(start, end, mode))

    @property
    def requests(self) -> list[Request]:
        with self._cond:
            return list(self._state.requests)

    def urls(self, kind: str | None = None) -> list[str]:
        """The requested URLs in order (of one kind if given)."""
        return [r.url for r in self.requests if kind is None or r.kind == kind]

    # ----------------------------------------------------------------- Fetcher

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
        start = self._clock.now()
        try:
            result = self._get(url, kind, max_bytes, byterange, timeout, progress, cancel, start)
        except FetchAborted as exc:
            self._log(start, url, kind, byterange, str(exc))
            raise
        except HttpStatusError as exc:
            self._log(start, url, kind, byterange, str(exc.status))
            raise
        except NetworkError as exc:
            self._log(start, url, kind, byterange, type(exc).__name__)
            raise
        except BaseException:
            # the caller's progress callback raised (an ABR abandonment)
            self._log(start, url, kind, byterange, "stopped by the caller")
            raise
        self._log(start, url, kind, byterange, str(result.stats.status))
        return result

    def open_range(
        self,
        url: str,
        offset: int,
        *,
        kind: TransferKind = "part",
        max_bytes: int,
        timeout: float | None = None,
        cancel: threading.Event | None = None,
    ) -> FakeRangeStream:
        start = self._clock.now()
        reply = self._reply(url, timeout, cancel)
        self._log(start, url, kind, (offset, -1), str(reply.status))
        if reply.status >= 400:
            raise HttpStatusError(reply.status, url)
        return FakeRangeStream(reply.body[offset : offset + max_bytes], offset)

    def close(self) -> None:
        with self._cond:
            self._state.closed = True
            self._cond.notify_all()

    # ----------------------------------------------------------------- inside

    def _log(
        self,
        t: float,
        url: str,
        kind: str,
        byterange: tuple[int, int] | None,
        outcome: str,
    ) -> None:
        with self._cond:
            self._state.requests.append(Request(t, url, kind, byterange, outcome))

    def _wait(self, seconds: float, cancel: threading.Event | None) -> bool:
        """Let ``seconds`` of the clock pass; False if closed or cancelled first."""

        def stopped() -> bool:
            return self._state.closed or (cancel is not None and cancel.is_set())

        if seconds <= 0:
            return not stopped()
        with self._cond:
            return not self._clock.wait_for(
                self._cond, stopped, None if math.isinf(seconds) else seconds
            )

    def _reply(self, url: str, timeout: float | None, cancel: threading.Event | None) -> Reply:
        now = self._clock.now()
        with self._cond:
            if self._state.closed:
                raise FetchAborted("fetcher closed")
            outage = next((o for o in self._state.outages if o.start <= now < o.end), None)
            route = self._state.routes.get(url)
            live = self._state.live.get(url)
            reply = route.next() if route is not None else Reply(status=404)
        if live is not None:
            reply = live(now)
        if outage is not None:
            if outage.mode == "503":
                raise HttpStatusError(503, url)
            if outage.mode == "hang":
                wait = outage.end - now if timeout is None else min(timeout, outage.end - now)
                if not self._wait(wait, cancel):
                    raise FetchAborted("cancelled")
            raise NetworkError(f"connection refused by {redact_url(url)}")
        if timeout is not None and reply.ttfb > timeout:
            if not self._wait(timeout, cancel):
                raise FetchAborted("cancelled")
            raise NetworkError(f"timed out loading {redact_url(url)}")
        if not self._wait(reply.ttfb, cancel):
            raise FetchAborted("cancelled")
        if reply.error is not None:
            raise reply.error
        return reply

    def _get(
        self,
        url: str,
        kind: TransferKind,
        max_bytes: int,
        byterange: tuple[int, int] | None,
        timeout: float | None,
        progress: ProgressCallback | None,
        cancel: threading.Event | None,
        start: float,
    ) -> FetchResult:
        reply = self._reply(url, timeout, cancel)
        ttfb = self._clock.now() - start
        if reply.status >= 400 or reply.status < 200:
            raise HttpStatusError(reply.status, url)
        body = reply.body
        status = reply.status
        if byterange is not None:
            body = body[byterange[0] : byterange[0] + byterange[1]]
            status = 206
        if len(body) > max_bytes:
            raise ResponseTooLarge(
                f"{kind} from {redact_url(url)} is {len(body)} bytes, over the {max_bytes} cap"
            )
        expected = len(body)
        delivered = body if reply.truncate_at is None else body[: reply.truncate_at]
        pieces = max(1, reply.pieces)
        step = math.ceil(len(delivered) / pieces) if delivered else 0
        duration = reply.duration
        if self._link is not None:
            duration = len(delivered) * 8 / self._link(self._clock.now())
        received = 0
        for i in range(pieces):
            if not self._wait(duration / pieces, cancel):
                raise FetchAborted(
                    "cancelled", self._stats(url, kind, received, start, ttfb, status, True)
                )
            received = min(len(delivered), (i + 1) * step)
            elapsed = self._clock.now() - start
            if progress is not None and not progress(received, expected, elapsed):
                raise FetchAborted(
                    "abandoned", self._stats(url, kind, received, start, ttfb, status, True)
                )
        if len(delivered) < expected:
            if reply.stall > 0 and not self._wait(reply.stall, cancel):
                raise FetchAborted(
                    "cancelled", self._stats(url, kind, received, start, ttfb, status, True)
                )
            # what HttpFetcher raises: the bytes that came, for a retry to go on from
            raise PartialTransfer(
                f"truncated {kind}: {len(delivered)} of {expected} bytes from {redact_url(url)}",
                delivered,
                expected,
                reply.ranges,
            )
        return FetchResult(
            url=url,
            data=delivered,
            content_type=reply.content_type,
            stats=self._stats(url, kind, received, start, ttfb, status, False),
        )

    def _stats(
        self,
        url: str,
        kind: str,
        received: int,
        start: float,
        ttfb: float,
        status: int,
        aborted: bool,
    ) -> TransferStats:
        return TransferStats(
            url=redact_url(url),
            kind=kind,
            bytes=received,
            start=start,
            ttfb=ttfb,
            duration=max(self._clock.now() - start, ttfb),
            status=status,
            aborted=aborted,
        )


class FakeRangeStream:
    """An open-ended read over bytes the script already holds in full."""

    def __init__(self, data: bytes, offset: int) -> None:
        self.offset = offset
        self._data = data
        self._pos = 0

    def read(self, n: int) -> bytes:
        chunk = self._data[self._pos : self._pos + n]
        if len(chunk) < n:
            raise NetworkError(f"range stream ended after {len(chunk)} of {n} bytes")
        self._pos += n
        self.offset += n
        return chunk

    def close(self) -> None:
        self._data = b""
