"""A loopback RTSP "server" that answers every request with a redirect, to prove
that a redirect cannot take the player to another scheme."""

from __future__ import annotations

import socket
import threading
from types import TracebackType
from typing import Self


class RtspRedirectServer:
    def __init__(self, location: str) -> None:
        self.location = location
        self.requests: list[str] = []
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(4)
        self._sock.settimeout(0.2)
        self.port = int(self._sock.getsockname()[1])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"rtsp://127.0.0.1:{self.port}/cam"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(2.0)
                self._answer(conn)

    def _answer(self, conn: socket.socket) -> None:
        buf = b""
        while not self._stop.is_set():
            try:
                chunk = conn.recv(4096)
            except OSError:
                return
            if not chunk:
                return
            buf += chunk
            while b"\r\n\r\n" in buf:
                head, buf = buf.split(b"\r\n\r\n", 1)
                lines = head.decode("latin-1").split("\r\n")
                self.requests.append(lines[0])
                fields = (line.partition(":") for line in lines)
                cseq = next((v for k, _, v in fields if k.lower() == "cseq"), "1")
                reply = (
                    f"RTSP/1.0 302 Moved Temporarily\r\nCSeq: {cseq.strip()}\r\n"
                    f"Location: {self.location}\r\nContent-Length: 0\r\n\r\n"
                )
                conn.sendall(reply.encode())

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(2)
