"""A small loopback HTTP server for HLS demos and tests: serves a directory,
throttled to a bandwidth pattern, with byte ranges, a request log and
scriptable faults (status codes, hangs, truncated bodies).

    with ThrottleServer(root, bandwidth=lambda t: 2e6 / 8) as srv:
        url = srv.url("ladder/master.m3u8")
"""

from __future__ import annotations

import contextlib
import mimetypes
import posixpath
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

__all__ = ["ThrottleServer"]

_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".m4s": "video/iso.segment",
    ".mp4": "video/mp4",
    ".vtt": "text/vtt",
    ".key": "application/octet-stream",
}


class ThrottleServer:
    def __init__(
        self,
        root: Path,
        *,
        bandwidth: Callable[[float], float] | None = None,
        host: str = "127.0.0.1",
        chunk: int = 16 * 1024,
    ) -> None:
        self.root = Path(root).resolve()
        #: bytes per second as a function of seconds since start (None: unthrottled)
        self.bandwidth = bandwidth
        self.chunk = chunk
        self.faults: dict[str, int] = {}
        self.hang: set[str] = set()
        self.truncate: dict[str, int] = {}
        self.requests: list[str] = []
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                server._handle(self)

        self._httpd = ThreadingHTTPServer((host, 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._start = time.monotonic()

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def start(self) -> ThrottleServer:
        self._start = time.monotonic()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(2)

    def __enter__(self) -> ThrottleServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        path = unquote(urlsplit(h.path).path)
        with self._lock:
            self.requests.append(h.path)
        rel = posixpath.normpath(path).lstrip("/")
        if rel in self.hang:
            self._stopping.wait(60)
            return
        if rel in self.faults:
            self._send_status(h, self.faults[rel])
            return
        target = (self.root / rel).resolve()
        if not target.is_relative_to(self.root) or not target.is_file():
            self._send_status(h, 404)
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
                self._send_status(h, 416)
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

    @staticmethod
    def _send_status(h: BaseHTTPRequestHandler, status: int) -> None:
        h.send_response(status)
        h.send_header("Content-Length", "0")
        h.end_headers()
