"""``http_sockets.ConnectionSockets``: the sockets httpx's trace names are
shut down by ``shut_all`` (a socket pair stands for a connection)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from player.http_sockets import ConnectionSockets


class _Stream:
    """httpcore's network stream, as far as the trace's return value goes."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def get_extra_info(self, name: str) -> object:
        return self._sock if name == "socket" else None


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    ours, theirs = socket.socketpair()
    ours.settimeout(5.0)
    theirs.settimeout(5.0)
    with ours, theirs:
        yield ours, theirs


def test_a_connection_noted_is_shut_down(pair: tuple[socket.socket, socket.socket]) -> None:
    ours, theirs = pair
    sockets = ConnectionSockets()
    sockets.trace("connection.connect_tcp.complete", {"return_value": _Stream(ours)})
    sockets.shut_all()
    assert ours.recv(10) == b""  # a read on it ends, as a blocked one would
    assert theirs.recv(10) == b""  # and the far end sees the hang-up


def test_one_that_connects_after_shut_all_is_shut_at_once(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    ours, _ = pair
    sockets = ConnectionSockets()
    sockets.shut_all()
    sockets.trace("connection.start_tls.complete", {"return_value": _Stream(ours)})
    assert ours.recv(10) == b""


def test_other_events_are_not_connections(pair: tuple[socket.socket, socket.socket]) -> None:
    ours, theirs = pair
    sockets = ConnectionSockets()
    sockets.trace("http11.send_request_headers.complete", {"return_value": _Stream(ours)})
    sockets.trace("connection.connect_tcp.complete", {"return_value": None})
    sockets.shut_all()
    theirs.sendall(b"x")
    assert ours.recv(10) == b"x"  # still open
