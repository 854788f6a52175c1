"""The sockets of an ``HttpFetcher``'s connections, noted as httpx opens
them (its ``trace`` request extension), so that closing the fetcher can shut
them down: a request on another thread that waits for its answer then ends
at once, where closing the client alone would leave it waiting (a pool does
not close a connection a request is using) for a round trip, or for the read
timeout on a dead server."""

from __future__ import annotations

import contextlib
import socket
import threading
import weakref
from typing import Any

__all__ = ["ConnectionSockets"]

#: httpcore's trace events whose return value is a new connection's stream
#: (the TLS one replaces the plain one, whose descriptor it took over)
_OPENED = ("connection.connect_tcp.complete", "connection.start_tls.complete")


class ConnectionSockets:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._shut = False

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpx's ``trace`` extension, for every request."""
        if event not in _OPENED:
            return
        stream = info.get("return_value")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if not isinstance(sock, socket.socket):
            return
        with self._lock:
            self._sockets.add(sock)
            shut = self._shut
        if shut:  # connected while shut_all ran: it missed this one
            _shut(sock)

    def shut_all(self) -> None:
        """Ends both directions of every socket, now and as more connect."""
        with self._lock:
            self._shut = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed, or never connected
        sock.shutdown(socket.SHUT_RDWR)
