"""A small threaded HTTP server for faults nginx cannot make.

URLs (build them with the methods, which return full URLs):

* ``hang()`` -> ``/hang``: reads the request, never sends a status line.
* ``stall_after(n, file)`` -> ``/stall/N/FILE``: full headers (real Content-Length), the first
  ``n`` bytes of ``FILE``, then nothing - the socket stays open until :meth:`stop`.
* ``reset_after(n, file, rate)`` -> ``/reset/N/FILE[?rate=R]``: headers + ``n`` bytes (paced at
  ``R`` bytes/s if given), then a TCP RST.
* ``stall_once(n, file)`` -> ``/stall-once/N/FILE``: like ``stall_after`` on the first request
  for that URL; later requests are answered properly, byte ranges included (a server that
  hiccups once, as a CDN edge may).
* ``reset_once(n, file)`` -> ``/reset-once/N/FILE``: like ``reset_after`` on the first request
  for that URL; later requests are answered properly, byte ranges included.
* ``cut_after(n, file)`` -> ``/cut/N/FILE``: the first request gets full headers, ``n`` bytes
  and a clean close (all ``n`` bytes reach the client, unlike a reset's, which may drop what is
  still in flight); every later request for it gets 503 (the origin is gone).
* ``garbage(n)`` -> ``/garbage/N``: 200, ``n`` random bytes labelled ``video/mp2t``.
* ``file(name)`` -> ``/file/FILE``: the file, plainly (a control case).
* ``live()`` -> ``/live/index.m3u8``: a live window over the segments of ``root``'s
  ``index.m3u8`` that slides with the wall clock from the first request of it (segment
  ``n`` listed ``(n - lead)`` segment durations after that), ``EXT-X-ENDLIST`` once the
  last one is listed; the segments are served by the ``/hls/`` route, faults included.
* ``hls(name)`` -> ``/hls/FILE``: the file with byte ranges (unless ``ranges`` is False), and
  the faults that :meth:`FaultyHttpServer.add_fault` scripts for the paths matching a pattern:
  a status, a reset, a pause (bytes from an offset held until some seconds after the first
  request for the path), a trickle, a Content-Length shorter or longer than the body. A
  fault hits the first ``times`` requests of each matching path (None: every request).
  :meth:`FaultyHttpServer.outage` takes the whole route down for a while (every request
  answered 503), as an origin that goes away and comes back.

``FILE`` is relative to ``root``. :meth:`FaultyHttpServer.stop` returns promptly: it wakes every
blocked handler and shuts down every client socket. ``requests`` logs each request.
"""

from __future__ import annotations

import contextlib
import fnmatch
import random
import socket
import struct
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self
from urllib.parse import quote, unquote

__all__ = ["FaultyHttpServer", "FaultyRequest", "SegmentFault"]

MAX_CLIENTS = 64


@dataclass(frozen=True)
class FaultyRequest:
    """One request the faulty server received."""

    method: str
    path: str
    fault: str  # hang, stall, reset, garbage, file, unknown
    headers: dict[str, str]
    at: float  # time.monotonic()


FaultKind = Literal["status", "reset", "pause", "trickle", "short-length", "long-length"]


@dataclass(frozen=True)
class SegmentFault:
    """What the ``/hls/`` route does to the requests of the paths a pattern matches."""

    kind: FaultKind
    #: status: the status sent; reset: bytes of the body sent before the RST;
    #: pause: the file offset from which bytes are held
    status: int = 404
    after: int = 0
    #: pause: bytes from ``after`` on are sent this long after the path's first request
    seconds: float = 0.0
    #: trickle: bytes per second
    rate: int = 2000
    #: requests of each matching path that get the fault (None: all of them)
    times: int | None = 1


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, owner: FaultyHttpServer) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.owner._lock:
            full = len(self.owner._clients) >= MAX_CLIENTS or self.owner._stopping.is_set()
            if not full:
                self.owner._clients.add(request)
        if full:
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.owner._lock:
            self.owner._clients.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # broken pipes and resets are the point of this server


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    @property
    def owner(self) -> FaultyHttpServer:
        return self.server.owner

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        parts = [unquote(p) for p in self.path.split("?", 1)[0].split("/") if p]
        fault = parts[0] if parts else "unknown"
        self.owner._record(
            FaultyRequest(
                self.command, self.path, fault, dict(self.headers.items()), time.monotonic()
            )
        )
        try:
            if fault == "hang":
                self.owner._stopping.wait()
            elif fault in ("stall", "reset") and len(parts) >= 3:
                query = self.path.partition("?")[2]
                rate = int(query[5:]) if query.startswith("rate=") and query[5:].isdigit() else 0
                self._partial(int(parts[1]), "/".join(parts[2:]), reset=fault == "reset", rate=rate)
            elif fault in ("stall-once", "reset-once") and len(parts) >= 3:
                with self.owner._lock:
                    first = self.path not in self.owner._stalled
                    self.owner._stalled.add(self.path)
                if first:
                    self._partial(int(parts[1]), "/".join(parts[2:]), reset=fault == "reset-once")
                else:
                    self._ranged("/".join(parts[2:]))
            elif fault == "cut" and len(parts) >= 3:
                with self.owner._lock:
                    first = self.path not in self.owner._stalled
                    self.owner._stalled.add(self.path)
                if first:
                    self._partial(int(parts[1]), "/".join(parts[2:]), reset=False, close=True)
                else:
                    self._send(503, b"gone\n", "text/plain")
            elif fault == "garbage" and len(parts) == 2:
                rng = random.Random(int(parts[1]))
                self._send(200, rng.randbytes(int(parts[1])), "video/mp2t")
            elif fault == "live" and self.owner._live is not None:
                playlist = self.owner._live_playlist()
                self._send(200, playlist.encode(), "application/vnd.apple.mpegurl")
            elif fault == "hls" and len(parts) >= 2:
                self._hls("/".join(parts[1:]))
            elif fault == "file" and len(parts) >= 2:
                self._send(200, self._read("/".join(parts[1:])), "application/octet-stream")
            else:
                self._send(404, b"unknown fault\n", "text/plain")
        except (OSError, ValueError):
            self.close_connection = True

    def _read(self, rel: str) -> bytes:
        root = self.owner.root
        if root is None:
            raise ValueError("no root")
        path = (root / rel).resolve()
        if not path.is_relative_to(root):
            raise ValueError("outside root")
        return path.read_bytes()

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _ranged(self, rel: str) -> None:
        data = self._read(rel)
        wanted = self.headers.get("Range", "")
        start = 0
        if wanted.startswith("bytes=") and wanted[6:].split("-", 1)[0].isdigit():
            start = int(wanted[6:].split("-", 1)[0])
        if start >= len(data) > 0:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{len(data)}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(206 if wanted else 200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Accept-Ranges", "bytes")
        if wanted:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data[start:])

    def _hls(self, rel: str) -> None:
        if self.owner._down():
            self._send(503, b"origin down\n", "text/plain")
            return
        try:
            data = self._read(rel)
        except (OSError, ValueError):
            self._send(404, b"no such file\n", "text/plain")
            return
        scripted = self.owner._fault_for(rel)
        if scripted is None:
            self._body(data, self._range_start(len(data)))
            return
        f, first_at = scripted
        if f.kind == "status":
            self._send(f.status, b"scripted failure\n", "text/plain")
        elif f.kind == "reset":
            self._body(data, None, stop_at=f.after, reset=True)
        elif f.kind == "pause":
            self._body(data, self._range_start(len(data)), hold=(f.after, first_at + f.seconds))
        elif f.kind == "trickle":
            self._body(data, self._range_start(len(data)), rate=f.rate)
        elif f.kind == "short-length":
            # the header promises less than the file: the client reads a cut segment
            self._body(data[: max(1, len(data) // 2)], None, ranges=False)
        else:  # long-length: more promised than sent, then the connection closes
            self._body(data, None, length=len(data) + 50_000, ranges=False)

    def _range_start(self, size: int) -> int | None:
        """The first byte a ``Range: bytes=N-[M]`` asks for (None: no range honoured)."""
        wanted = self.headers.get("Range", "")
        if not self.owner.ranges or not wanted.startswith("bytes="):
            return None
        first = wanted[6:].split("-", 1)[0]
        return int(first) if first.isdigit() and int(first) < size else None

    def _body(
        self,
        data: bytes,
        start: int | None,
        *,
        stop_at: int | None = None,
        reset: bool = False,
        hold: tuple[int, float] | None = None,
        rate: int | None = None,
        length: int | None = None,
        ranges: bool = True,
    ) -> None:
        """``data`` from ``start`` (None: whole, 200; else 206 from that byte),
        with the scripted trouble. Ranges asked with an end are served to the
        file's end: a client may always get more than it asked for with 206
        (``Content-Range`` says what it got)."""
        first = start or 0
        self.send_response(200 if start is None else 206)
        self.send_header("Content-Type", "video/mp2t")
        if ranges and self.owner.ranges:
            self.send_header("Accept-Ranges", "bytes")
        if start is not None:
            self.send_header("Content-Range", f"bytes {first}-{len(data) - 1}/{len(data)}")
        self.send_header("Content-Length", str(length or len(data) - first))
        self.end_headers()
        if self.command == "HEAD":
            return
        pos = first
        end = len(data) if stop_at is None else min(len(data), stop_at)
        step = max(1, rate // 10) if rate else 64 * 1024
        while pos < end and not self.owner._stopping.is_set():
            if hold is not None and pos >= hold[0]:
                wait = hold[1] - time.monotonic()
                if wait > 0 and self.owner._stopping.wait(wait):
                    return
                hold = None
            upto = min(end, pos + step)
            if hold is not None and pos < hold[0] < upto:
                upto = hold[0]
            self.wfile.write(data[pos:upto])
            self.wfile.flush()
            pos = upto
            if rate and self.owner._stopping.wait(step / rate):
                return
        if reset or length is not None:
            self.close_connection = True
            self.wfile.flush()
            if reset:
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
            self.connection.close()

    def _partial(
        self, n: int, rel: str, *, reset: bool, close: bool = False, rate: int = 0
    ) -> None:
        try:
            data = self._read(rel)
        except (OSError, ValueError):
            self._send(404, b"no such file\n", "text/plain")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if rate:
            # paced, so the client has read the bytes before the fault (a reset
            # drops what is still in flight)
            step = max(1, rate // 20)
            for at in range(0, n, step):
                self.wfile.write(data[at : min(n, at + step)])
                self.wfile.flush()
                if self.owner._stopping.wait(step / rate):
                    return
        else:
            self.wfile.write(data[:n])
        self.wfile.flush()
        self.close_connection = True
        if reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        elif close:
            self.connection.shutdown(socket.SHUT_WR)
        else:
            self.owner._stopping.wait()


class FaultyHttpServer:
    """Fault-injecting HTTP server on 127.0.0.1 (threaded, bounded, promptly stoppable)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root).resolve() if root is not None else None
        self._lock = threading.Lock()
        self._clients: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._log: list[FaultyRequest] = []
        self._stalled: set[str] = set()
        self._faults: list[tuple[str, SegmentFault]] = []
        #: path → (requests so far, monotonic time of the first)
        self._hits: dict[str, tuple[int, float]] = {}
        #: whether the /hls/ route honours Range (and says so with Accept-Ranges)
        self.ranges = True
        #: the live route's (window, lead), once asked for
        self._live: tuple[int, int] | None = None
        self._live_started: float | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        #: the /hls/ route's outage: (seconds after its first request, how long)
        self._outage: tuple[float, float] | None = None
        self._first_hls: float | None = None

    # lifecycle
    def start(self) -> None:
        self._stopping.clear()
        self._server = _Server(self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="faulty-http",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Wake blocked handlers, close every client socket, stop serving. Prompt."""
        self._stopping.set()
        server, self._server = self._server, None
        if server is None:
            return
        with self._lock:
            clients = list(self._clients)
        for sock in clients:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
            self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # URLs
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def hang(self) -> str:
        return self.url("/hang")

    def stall_after(self, n_bytes: int, file: str) -> str:
        return self.url(f"/stall/{n_bytes}/{quote(file)}")

    def stall_once(self, n_bytes: int, file: str) -> str:
        return self.url(f"/stall-once/{n_bytes}/{quote(file)}")

    def reset_after(self, n_bytes: int, file: str, rate: int | None = None) -> str:
        """``rate``: send the ``n`` bytes at that many bytes a second."""
        query = f"?rate={rate}" if rate else ""
        return self.url(f"/reset/{n_bytes}/{quote(file)}{query}")

    def cut_after(self, n_bytes: int, file: str) -> str:
        return self.url(f"/cut/{n_bytes}/{quote(file)}")

    def reset_once(self, n_bytes: int, file: str) -> str:
        return self.url(f"/reset-once/{n_bytes}/{quote(file)}")

    def garbage(self, n_bytes: int = 65536) -> str:
        return self.url(f"/garbage/{n_bytes}")

    def file(self, name: str) -> str:
        return self.url(f"/file/{quote(name)}")

    def live(self, window: int = 4, lead: int = 3) -> str:
        """The live route over ``root/index.m3u8``: ``window`` segments listed,
        ``lead`` of them ahead of the first request's time."""
        self._live = (window, lead)
        return self.url("/live/index.m3u8")

    def _live_playlist(self) -> str:
        assert self.root is not None and self._live is not None
        window, lead = self._live
        source = (self.root / "index.m3u8").read_text(encoding="utf-8").splitlines()
        durations = [float(x[8:].split(",")[0]) for x in source if x.startswith("#EXTINF:")]
        uris = [x for x in source if x and not x.startswith("#")]
        with self._lock:
            if self._live_started is None:
                self._live_started = time.monotonic()
            elapsed = time.monotonic() - self._live_started
        step = durations[0]
        newest = min(len(uris) - 1, int(elapsed // step) + lead)
        first = max(0, newest - window + 1)
        target = max(int(d + 0.999) for d in durations)
        lines = ["#EXTM3U", "#EXT-X-VERSION:3", f"#EXT-X-TARGETDURATION:{target}"]
        lines.append(f"#EXT-X-MEDIA-SEQUENCE:{first}")
        for n in range(first, newest + 1):
            lines += [f"#EXTINF:{durations[n]:.6f},", f"/hls/{uris[n]}"]
        if newest == len(uris) - 1:
            lines.append("#EXT-X-ENDLIST")
        return "\n".join(lines) + "\n"

    def hls(self, name: str) -> str:
        return self.url(f"/hls/{quote(name)}")

    # scripted faults of the /hls/ route
    def add_fault(self, pattern: str, fault: SegmentFault) -> None:
        """Give the requests of the paths matching ``pattern`` (fnmatch, relative
        to ``root``) ``fault``; the first pattern that matches a path wins."""
        with self._lock:
            self._faults.append((pattern, fault))

    def _fault_for(self, rel: str) -> tuple[SegmentFault, float] | None:
        """The fault for this request of ``rel`` (and when ``rel`` was first asked for)."""
        with self._lock:
            count, first = self._hits.get(rel, (0, time.monotonic()))
            count += 1
            self._hits[rel] = (count, first)
            for pattern, f in self._faults:
                if fnmatch.fnmatchcase(rel, pattern):
                    if f.times is None or count <= f.times:
                        return f, first
                    return None
        return None

    def hits(self, pattern: str) -> list[FaultyRequest]:
        """The /hls/ requests whose path matches ``pattern``."""
        return [
            r
            for r in self.requests
            if r.fault == "hls" and fnmatch.fnmatchcase(unquote(r.path)[5:].split("?")[0], pattern)
        ]

    # log
    def outage(self, after: float, seconds: float) -> None:
        """Every request of the /hls/ route from ``after`` seconds after its
        first request, for ``seconds``, is answered 503 (the origin is down)."""
        with self._lock:
            self._outage = (after, seconds)

    def _down(self) -> bool:
        now = time.monotonic()
        with self._lock:
            if self._first_hls is None:
                self._first_hls = now
            if self._outage is None:
                return False
            after, seconds = self._outage
            return self._first_hls + after <= now < self._first_hls + after + seconds

    def _record(self, req: FaultyRequest) -> None:
        with self._lock:
            self._log.append(req)

    @property
    def requests(self) -> list[FaultyRequest]:
        with self._lock:
            return list(self._log)

    def clear_requests(self) -> None:
        with self._lock:
            self._log.clear()
