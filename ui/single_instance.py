"""One window per user for ``heureum --enqueue URL``: the running window listens
on a local socket (QLocalServer) and appends what another ``heureum`` sends to
its play list, as VLC's one-instance mode does.

The message is one JSON object per connection: ``{"enqueue": [url, ...]}``.
URLs stay URLs: the receiving window opens them as if dropped, with the same
checks as any other URL."""

from __future__ import annotations

import getpass
import json
import logging
import os
from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

__all__ = ["InstanceServer", "instance_name", "send_to_running"]

log = logging.getLogger(__name__)

#: the longest message accepted (a play list of a few thousand URLs)
MAX_MESSAGE = 1 << 20
CONNECT_TIMEOUT_MS = 500
IO_TIMEOUT_MS = 2000


def instance_name() -> str:
    """Per user; HEUREUM_INSTANCE names another (tests, a second profile)."""
    override = os.environ.get("HEUREUM_INSTANCE")
    if override:
        return override
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    return f"heureum-{user}"


def send_to_running(urls: list[str], name: str | None = None) -> bool:
    """Hand ``urls`` to the running window; False when none listens."""
    socket = QLocalSocket()
    socket.connectToServer(name or instance_name())
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        return False
    payload = json.dumps({"enqueue": list(urls)}).encode("utf-8")
    socket.write(payload)
    ok = socket.waitForBytesWritten(IO_TIMEOUT_MS)
    # The window answers once it has taken the URLs: an exit status of 0
    # then means they are in its list.
    ok = ok and socket.waitForReadyRead(IO_TIMEOUT_MS) and bytes(socket.readAll().data()) == b"ok"
    socket.disconnectFromServer()
    return bool(ok)


class InstanceServer(QObject):
    """Listens for ``--enqueue`` from other processes of the same user."""

    def __init__(self, on_urls: Callable[[list[str]], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_urls = on_urls
        self._buffers: dict[QLocalSocket, bytearray] = {}
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)

    def listen(self, name: str | None = None) -> bool:
        """Answer on ``name`` unless another window already does. Qt replaces
        a socket file that is in the way, so ask first whether anyone answers;
        a file nobody answers on is left by a window that crashed."""
        name = name or instance_name()
        probe = QLocalSocket()
        probe.connectToServer(name)
        if probe.waitForConnected(CONNECT_TIMEOUT_MS):
            probe.disconnectFromServer()
            log.info("another Heureum window already listens on %s", name)
            return False
        QLocalServer.removeServer(name)
        return self.server.listen(name)

    def close(self) -> None:
        self.server.close()

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            self._buffers[socket] = bytearray()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._drop(s))

    def _drop(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _read(self, socket: QLocalSocket) -> None:
        buffer = self._buffers.get(socket)
        if buffer is None:
            return
        buffer.extend(bytes(socket.readAll().data()))
        if len(buffer) > MAX_MESSAGE:
            log.warning("an --enqueue message over %d bytes was refused", MAX_MESSAGE)
            socket.abort()
            return
        try:
            message = json.loads(buffer.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return  # not all of it yet
        urls = message.get("enqueue") if isinstance(message, dict) else None
        if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
            socket.write(b"bad")
            return
        self._on_urls([u for u in urls if u.strip()])
        socket.write(b"ok")
        socket.flush()
