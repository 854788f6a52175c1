"""Small loopback HTTP servers for HLS demos and tests.

``ThrottleServer`` serves a directory, throttled to a bandwidth pattern, with
byte ranges, a request log and scriptable faults (status codes, hangs,
truncated bodies). ``LowLatencyServer`` is a real-time LL-HLS origin over
pre-encoded parts (blocking reloads, preload hints, delta updates), or a
plain live sliding window of the same media. Either can go down for a while
(``outage()``: connections refused, 503s or hanging requests) and come back
on the same port.

    with ThrottleServer(root, bandwidth=lambda t: 2e6 / 8) as srv:
        url = srv.url("ladder/master.m3u8")
"""

from __future__ import annotations

import contextlib
import math
import mimetypes
import posixpath
import re
import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = ["LowLatencyServer", "OutageMode", "ThrottleServer"]

#: how an origin is down: ``refuse`` connections (the listening socket is
#: closed), answer ``error`` (503) to everything, or ``hang`` (hold every
#: request unanswered)
OutageMode = Literal["refuse", "error", "hang"]

_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".m4s": "video/iso.segment",
    ".mp4": "video/mp4",
    ".vtt": "text/vtt",
    ".key": "application/octet-stream",
}


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conns_lock:
            self._conns.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._conns_lock:
            self._conns.discard(request)
        super().shutdown_request(request)

    def drop_connections(self) -> None:
        """Cut every open connection (kept-alive ones and requests being
        answered or held), as an origin that goes away does."""
        with self._conns_lock:
            conns = list(self._conns)
        for c in conns:
            with contextlib.suppress(OSError):
                c.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: object, client_address: object) -> None:
        return  # a client that hangs up mid-answer is normal here


class _Origin:
    """What both loopback origins share: the listening server, its thread,
    and scripted outages (``outage()``), during which a real-time origin
    goes on producing, so it comes back with its live edge moved on."""

    def _serve(self, host: str, port: int = 0) -> None:
        origin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                with origin._times_lock:
                    origin.request_times.append((time.monotonic(), self.path))
                # a client that hangs up mid-answer is normal here
                with contextlib.suppress(OSError):
                    if not origin._intercepted(self):
                        origin._handle(self)

        self._host = host
        self._handler: type[BaseHTTPRequestHandler] = Handler
        #: (time.monotonic(), path) of every request as it arrives, answered or not
        self.request_times: list[tuple[float, str]] = []
        self._times_lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _QuietServer((host, port), Handler)
        self._port = int(self._httpd.server_address[1])
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._listening = False
        self._outage_lock = threading.Lock()
        self._down: OutageMode | None = None
        self._up = threading.Event()
        self._up.set()
        #: [mode, start, end] (time.monotonic()) of every outage; end None while down
        self.outages: list[list[Any]] = []
        #: paths asked for while down (answered 503 or held); refused connections
        #: never reach the server
        self.outage_requests: list[str] = []

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self._port}"

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        raise NotImplementedError

    @staticmethod
    def _status(h: BaseHTTPRequestHandler, status: int) -> None:
        """An empty answer with ``status``."""
        h.send_response(status)
        h.send_header("Content-Length", "0")
        h.end_headers()

    def _started(self) -> None:
        """Clocks that count from ``start()``."""
        self._start = time.monotonic()

    def start(self) -> Self:
        self._started()
        self._thread.start()
        self._listening = True
        return self

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopping.set()
        self._up.set()
        with self._outage_lock:
            listening, self._listening = self._listening, False
        if listening:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(2)
        else:  # never started (or down): its socket is let go all the same
            self._httpd.server_close()
        self._httpd.drop_connections()

    @property
    def down(self) -> bool:
        return self._down is not None

    def outage(self, seconds: float | None = None, mode: OutageMode = "refuse") -> None:
        """Go down now, and come back after ``seconds`` (None: at ``restore()``).
        Every open connection is cut when the outage starts."""
        with self._outage_lock:
            if self._down is not None:
                raise RuntimeError("the origin is down already")
            self._down = mode
            self._up.clear()
            self.outages.append([mode, time.monotonic(), None])
            if mode == "refuse" and self._listening:
                self._listening = False
                self._httpd.shutdown()
                self._httpd.server_close()
                self._thread.join(2)
        self._httpd.drop_connections()
        if seconds is not None:

            def later() -> None:
                if not self._stopping.wait(seconds):
                    self.restore()

            threading.Thread(target=later, name="origin-outage", daemon=True).start()

    def restore(self) -> None:
        """End the outage: listening again on the same port if it was closed."""
        with self._outage_lock:
            mode, self._down = self._down, None
            if mode is None or self._stopping.is_set():
                return
            if mode == "refuse":
                self._httpd = _QuietServer((self._host, self._port), self._handler)
                self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
                self._thread.start()
                self._listening = True
            self.outages[-1][2] = time.monotonic()
        self._up.set()

    def _intercepted(self, h: BaseHTTPRequestHandler) -> bool:
        """Answer ``h`` as the outage does; False when the origin is up."""
        mode = self._down
        if mode is None:
            return False
        with self._outage_lock:
            self.outage_requests.append(h.path)
        if mode == "error":
            h.send_response(503)
            h.send_header("Content-Length", "0")
            h.send_header("Retry-After", "1")
            h.end_headers()
            return True
        if mode == "hang":
            while not self._up.wait(0.1) and not self._stopping.is_set():
                pass
        # "refuse": a request on a connection opened before the outage gets
        # no answer, as from a server that is gone
        h.close_connection = True
        return True


class ThrottleServer(_Origin):
    def __init__(
        self,
        root: Path,
        *,
        bandwidth: Callable[[float], float] | None = None,
        host: str = "127.0.0.1",
        chunk: int = 16 * 1024,
        port: int = 0,
    ) -> None:
        self.root = Path(root).resolve()
        #: bytes per second as a function of seconds since start (None: unthrottled)
        self.bandwidth = bandwidth
        self.chunk = chunk
        self.faults: dict[str, int] = {}
        self.hang: set[str] = set()
        self.truncate: dict[str, int] = {}
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._serve(host, port)
        self._start = time.monotonic()

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        path = unquote(urlsplit(h.path).path)
        with self._lock:
            self.requests.append(h.path)
        rel = posixpath.normpath(path).lstrip("/")
        if rel in self.hang:
            self._stopping.wait(60)
            return
        if rel in self.faults:
            self._status(h, self.faults[rel])
            return
        target = (self.root / rel).resolve()
        if not target.is_relative_to(self.root) or not target.is_file():
            self._status(h, 404)
            return
        data = target.read_bytes()
        status = 200
        headers = {}
        rng = h.headers.get("Range")
        if rng and rng.startswith("bytes="):
            a_s, _, b_s = rng[6:].partition("-")
            a = int(a_s)
            b = int(b_s) if b_s else len(data) - 1
            if a >= len(data):
                self._status(h, 416)
                return
            data = data[a : b + 1]
            status = 206
            headers["Content-Range"] = f"bytes {a}-{a + len(data) - 1}/{target.stat().st_size}"
        ctype = _TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0]
        h.send_response(status)
        h.send_header("Content-Type", ctype or "application/octet-stream")
        h.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            h.send_header(k, v)
        h.end_headers()
        limit = self.truncate.get(rel)
        if limit is not None:
            data = data[:limit]
        with contextlib.suppress(OSError):
            self._send_body(h, data)
            if limit is not None:
                h.close_connection = True

    def _send_body(self, h: BaseHTTPRequestHandler, data: bytes) -> None:
        if self.bandwidth is None:
            h.wfile.write(data)
            return
        for i in range(0, len(data), self.chunk):
            if self._stopping.is_set():
                return
            piece = data[i : i + self.chunk]
            rate = max(self.bandwidth(time.monotonic() - self._start), 1.0)
            t0 = time.monotonic()
            h.wfile.write(piece)
            h.wfile.flush()
            spare = len(piece) / rate - (time.monotonic() - t0)
            if spare > 0:
                self._stopping.wait(spare)


class LowLatencyServer(_Origin):
    """A loopback LL-HLS origin that "produces" real encoded parts in real
    time: part ``n`` of every variant exists from ``(n + 1 - backlog) x
    part_duration`` seconds after start. It serves media playlists with
    EXT-X-PART, PRELOAD-HINT, PROGRAM-DATE-TIME and RENDITION-REPORT tags,
    holds blocking reloads (``_HLS_msn``/``_HLS_part``) and hinted part
    requests until what they ask for exists, answers ``_HLS_skip=YES`` with
    delta updates, and ends the playlist when the parts run out.

    URLs: ``/master.m3u8``, ``/v<i>/live.m3u8``, ``/v<i>/p<n>.ts`` (part n),
    ``/v<i>/s<m>.ts`` (segment m: its parts, concatenated).

    With ``low_latency=False`` it is a plain live sliding window (whole
    segments only). Production goes on in wall time through an ``outage()``.
    """

    def __init__(
        self,
        variants: list[list[bytes]],
        *,
        bandwidths: list[int],
        part_duration: float = 0.5,
        parts_per_segment: int = 4,
        independent_every: int = 2,
        backlog_parts: int = 40,
        window_segments: int = 10,
        parts_listed_segments: int = 3,
        part_hold_back: float | None = None,
        can_skip_until: float | None = 12.0,
        blocking: bool = True,
        hints: bool = True,
        stall_after_parts: int | None = None,
        low_latency: bool = True,
        host: str = "127.0.0.1",
        wall: Callable[[], float] = time.time,
        port: int = 0,
    ) -> None:
        if not variants or len({len(v) for v in variants}) != 1:
            raise ValueError("every variant needs the same number of parts")
        self.variants = variants
        self.bandwidths = bandwidths
        self.part_duration = part_duration
        self.k = parts_per_segment
        self.independent_every = independent_every
        self.backlog = backlog_parts
        self.window = window_segments
        self.parts_listed = parts_listed_segments
        self.part_hold_back = part_hold_back or 3 * part_duration
        self.can_skip_until = can_skip_until
        self.blocking = blocking
        self.hints = hints
        #: production stops after this many parts (no ENDLIST): a stalled encoder
        self.stall_after = stall_after_parts
        #: False: a plain live sliding window of whole segments (no parts,
        #: hints, blocking reloads or delta updates), produced in real time all the same
        self.low_latency = low_latency
        self.requests: list[str] = []
        self._wall = wall
        self._lock = threading.Lock()
        self._start = time.monotonic()
        self._wall_start = wall()
        self._serve(host, port)

    def _started(self) -> None:
        super()._started()
        self._wall_start = self._wall()

    # -------------------------------------------------------------- the clock

    @property
    def total(self) -> int:
        return len(self.variants[0])

    def produced(self) -> int:
        """Parts complete now."""
        n = self.backlog + int((time.monotonic() - self._start) / self.part_duration)
        if self.stall_after is not None:
            n = min(n, self.stall_after)
        return min(self.total, n)

    def edge_seconds(self) -> float:
        """Media seconds produced so far (the live edge)."""
        return self.produced() * self.part_duration

    def _wait_for_part(self, n: int, limit: float) -> bool:
        """Hold until part ``n`` exists (or ``limit`` s pass); True if it does."""
        deadline = time.monotonic() + limit
        while self.produced() <= n and self.produced() < self.total:
            if self.stall_after is not None and n >= self.stall_after:
                self._stopping.wait(max(0.0, deadline - time.monotonic()))
                return False
            left = deadline - time.monotonic()
            if left <= 0 or self._stopping.is_set():
                return False
            ready = self._start + (n + 1 - self.backlog) * self.part_duration
            self._stopping.wait(max(0.001, min(left, ready - time.monotonic())))
        return self.produced() > n

    # -------------------------------------------------------------- playlists

    def master(self) -> str:
        lines = ["#EXTM3U", "#EXT-X-VERSION:9", "#EXT-X-INDEPENDENT-SEGMENTS"]
        for i, bw in enumerate(self.bandwidths):
            lines += [f"#EXT-X-STREAM-INF:BANDWIDTH={bw}", f"v{i}/live.m3u8"]
        return "\n".join(lines) + "\n"

    def _ll_head(self, first: int, complete: int, skip: bool) -> tuple[list[str], int]:
        """An LL-HLS media playlist's header lines from ``first``, and how many
        segments a delta update (``_HLS_skip``) leaves out before ``complete``."""
        seg_dur = self.k * self.part_duration
        sc = f"CAN-BLOCK-RELOAD={'YES' if self.blocking else 'NO'}"
        sc += f",PART-HOLD-BACK={self.part_hold_back:g}"
        if self.can_skip_until is not None:
            sc += f",CAN-SKIP-UNTIL={self.can_skip_until:g}"
        lines = [
            "#EXTM3U",
            "#EXT-X-VERSION:9",
            f"#EXT-X-TARGETDURATION:{math.ceil(seg_dur)}",
            f"#EXT-X-SERVER-CONTROL:{sc}",
            f"#EXT-X-PART-INF:PART-TARGET={self.part_duration:g}",
            f"#EXT-X-MEDIA-SEQUENCE:{first}",
        ]
        skipped = 0
        if skip and self.can_skip_until is not None:
            while first + skipped < complete and (complete - first - skipped) * seg_dur > (
                self.can_skip_until
            ):
                skipped += 1
            if skipped:
                lines.append(f"#EXT-X-SKIP:SKIPPED-SEGMENTS={skipped}")
        return lines, skipped

    def media(self, variant: int, produced: int, skip: bool = False) -> str:
        k = self.k
        seg_dur = k * self.part_duration
        complete = produced // k
        first = max(0, complete - self.window)
        if not self.low_latency:
            return self._plain_media(first, complete, produced)
        lines, skipped = self._ll_head(first, complete, skip)
        for m in range(first + skipped, complete):
            lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{self._date(m * seg_dur)}")
            if m >= complete - self.parts_listed:
                lines += [self._part_line(n) for n in range(m * k, (m + 1) * k)]
            lines += [f"#EXTINF:{seg_dur:.5f},", f"s{m}.ts"]
        if produced >= self.total and self.stall_after is None:
            lines.append("#EXT-X-ENDLIST")
            return "\n".join(lines) + "\n"
        lines += [self._part_line(n) for n in range(complete * k, produced)]
        if self.hints:
            lines.append(f'#EXT-X-PRELOAD-HINT:TYPE=PART,URI="p{produced}.ts"')
        last = produced - 1
        for j in range(len(self.variants)):
            if j != variant:
                lines.append(
                    f'#EXT-X-RENDITION-REPORT:URI="../v{j}/live.m3u8",'
                    f"LAST-MSN={last // k},LAST-PART={last % k}"
                )
        return "\n".join(lines) + "\n"

    def _plain_media(self, first: int, complete: int, produced: int) -> str:
        seg_dur = self.k * self.part_duration
        lines = [
            "#EXTM3U",
            "#EXT-X-VERSION:6",
            f"#EXT-X-TARGETDURATION:{math.ceil(seg_dur)}",
            f"#EXT-X-MEDIA-SEQUENCE:{first}",
        ]
        for m in range(first, complete):
            lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{self._date(m * seg_dur)}")
            lines += [f"#EXTINF:{seg_dur:.5f},", f"s{m}.ts"]
        if produced >= self.total and self.stall_after is None:
            lines.append("#EXT-X-ENDLIST")
        return "\n".join(lines) + "\n"

    def _part_line(self, n: int) -> str:
        ind = ",INDEPENDENT=YES" if n % self.independent_every == 0 else ""
        return f'#EXT-X-PART:DURATION={self.part_duration:g},URI="p{n}.ts"{ind}'

    def wall_time(self, media_seconds: float) -> float:
        """The wall-clock time (Unix seconds) media time ``media_seconds`` was
        captured at: its PROGRAM-DATE-TIME."""
        return self._wall_start + media_seconds - self.backlog * self.part_duration

    def _date(self, media_seconds: float) -> str:
        t = self.wall_time(media_seconds)
        return datetime.fromtimestamp(t, UTC).isoformat(timespec="milliseconds")

    # -------------------------------------------------------------- serving

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.requests.append(h.path)
        parts = urlsplit(h.path)
        query = dict(parse_qsl(parts.query))
        path = parts.path.strip("/")
        hold = 3 * self.k * self.part_duration
        if path == "master.m3u8":
            self._send(h, self.master().encode(), "application/vnd.apple.mpegurl")
            return
        m = re.fullmatch(r"v(\d+)/(live\.m3u8|p(\d+)\.ts|s(\d+)\.ts)", path)
        if not m or int(m.group(1)) >= len(self.variants):
            self._status(h, 404)
            return
        variant = int(m.group(1))
        if m.group(2) == "live.m3u8":
            if not self._hold_for_reload(h, query, hold):
                return
            text = self.media(variant, self.produced(), query.get("_HLS_skip") == "YES")
            self._send(h, text.encode(), "application/vnd.apple.mpegurl")
            return
        if m.group(3) is not None:
            n = int(m.group(3))
            if n >= self.total or n > self.produced() or not self._wait_for_part(n, hold):
                self._status(h, 404)
                return
            self._send(h, self.variants[variant][n], "video/mp2t")
            return
        seg = int(m.group(4))
        if (seg + 1) * self.k > self.produced():
            self._status(h, 404)
            return
        body = b"".join(self.variants[variant][seg * self.k : (seg + 1) * self.k])
        self._send(h, body, "video/mp2t")

    def _hold_for_reload(
        self, h: BaseHTTPRequestHandler, query: dict[str, str], hold: float
    ) -> bool:
        """A blocking playlist reload (``_HLS_msn``/``_HLS_part``) is held until
        what it asks for exists (at most ``hold`` s). False when it was refused
        with a 400 (bad numbers, or more than two segments ahead)."""
        if "_HLS_msn" not in query or not self.blocking:
            return True
        try:
            msn = int(query["_HLS_msn"])
            part = int(query["_HLS_part"]) if "_HLS_part" in query else None
        except ValueError:
            self._status(h, 400)
            return False
        wanted = msn * self.k + part if part is not None else (msn + 1) * self.k - 1
        if wanted >= self.produced() + 3 * self.k:
            self._status(h, 400)
            return False
        self._wait_for_part(wanted, hold)
        return True

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, body: bytes, ctype: str) -> None:
        h.send_response(200)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        h.send_header("Cache-Control", "no-cache")
        h.end_headers()
        h.wfile.write(body)
