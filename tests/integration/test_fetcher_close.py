"""Closing the fetcher ends a request that is waiting for its answer at once:
a loopback origin holds every answer until the test lets it go, and the
request (and an HLS loader blocked in one) must have ended before then,
not a round trip or a read timeout later (a stop, the headless command's
exit after its last frame)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from player.fetch import FetchAborted
from player.hls.hls_source import HlsSource
from player.http_fetcher import HttpFetcher
from tests.support.loopback import LoopbackServer

pytestmark = pytest.mark.integration

#: far longer than a close may take; the origin's answers wait for the
#: release event, so a request still running after it is a failure
WAIT = 10.0


class _HeldOrigin:
    """Answers every GET only once ``release`` is set; ``asked`` is set as
    the first request arrives."""

    def __init__(self) -> None:
        self.asked = threading.Event()
        self.release = threading.Event()
        origin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                origin.asked.set()
                origin.release.wait(WAIT * 2)
                body = b"#EXTM3U\n"
                try:
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    return  # the client hung up: what the test wants

        self.handler = Handler


@pytest.fixture
def held() -> Iterator[tuple[_HeldOrigin, str]]:
    origin = _HeldOrigin()
    with LoopbackServer(origin.handler) as server:
        try:
            yield origin, f"http://127.0.0.1:{server.port}/live.m3u8"
        finally:
            origin.release.set()


def test_close_ends_a_request_waiting_for_its_answer(held: tuple[_HeldOrigin, str]) -> None:
    origin, url = held
    fetcher = HttpFetcher()
    failures: list[BaseException] = []

    def get() -> None:
        try:
            fetcher.get(url, kind="playlist", max_bytes=1000)
        except BaseException as exc:
            failures.append(exc)

    thread = threading.Thread(target=get, daemon=True)
    thread.start()
    assert origin.asked.wait(WAIT)
    fetcher.close()
    thread.join(WAIT)
    assert not thread.is_alive(), "the request went on after close()"
    assert not origin.release.is_set()
    assert len(failures) == 1 and isinstance(failures[0], FetchAborted)


def test_closing_an_hls_source_ends_its_loader_in_a_request(
    held: tuple[_HeldOrigin, str],
) -> None:
    origin, url = held
    source = HlsSource(url)
    opening = threading.Thread(target=lambda: _open_quietly(source), daemon=True)
    opening.start()
    assert origin.asked.wait(WAIT)
    loader = source._thread
    assert loader is not None
    source.close()
    # close() joins the loader for a moment only: it must have ended in it
    assert not loader.is_alive(), "the loader still waits for the playlist"
    assert not origin.release.is_set()
    opening.join(WAIT)
    assert not opening.is_alive()


def _open_quietly(source: HlsSource) -> None:
    try:
        source.open()
    except Exception:
        return  # closed while opening: an error is the expected end
