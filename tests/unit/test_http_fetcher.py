"""HttpFetcher over httpx.MockTransport: redirects, caps, codings, ranges, stats."""

from __future__ import annotations

import errno
import gzip
import threading
from collections.abc import Iterator

import httpx
import pytest

from player.clock import ManualClock
from player.errors import ErrorCode, NetworkError, SecurityError
from player.fetch import FetchAborted, HttpStatusError, PartialTransfer
from player.http_fetcher import HttpFetcher


def make(handler: object, clock: ManualClock | None = None) -> HttpFetcher:
    return HttpFetcher(clock=clock or ManualClock(), transport=httpx.MockTransport(handler))  # type: ignore[arg-type]


def test_plain_get_and_stats() -> None:
    clock = ManualClock(100.0)

    def handler(request: httpx.Request) -> httpx.Response:
        clock.advance(0.05)  # time to first byte
        assert request.headers["accept-encoding"] == "identity"
        return httpx.Response(200, content=b"x" * 1000, headers={"content-type": "video/mp2t"})

    f = make(handler, clock)
    r = f.get("http://h/a.ts?token=secret", max_bytes=10_000)
    assert r.data == b"x" * 1000 and r.content_type == "video/mp2t"
    assert r.stats.bytes == 1000 and r.stats.ttfb == pytest.approx(0.05)
    assert r.stats.start == 100.0 and "secret" not in r.stats.url
    f.close()


def test_redirects_followed_up_to_five() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        n = int(request.url.path.strip("/") or 0)
        if n < 5:
            return httpx.Response(302, headers={"location": f"/{n + 1}"})
        return httpx.Response(200, content=b"ok")

    r = make(handler).get("http://h/0", max_bytes=100)
    assert r.data == b"ok" and r.url == "http://h/5"

    def loop(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"location": "/again"})

    with pytest.raises(NetworkError, match="more than 5 redirects"):
        make(loop).get("http://h/x", max_bytes=100)


@pytest.mark.parametrize(
    ("start", "location", "match"),
    [
        ("https://h/a", "http://h/b", "https to http"),
        ("http://h/a", "file:///etc/passwd", "not allowed"),
        ("http://h/a", "ftp://h/b", "not allowed"),
    ],
)
def test_redirect_scheme_rules(start: str, location: str, match: str) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(301, headers={"location": location})

    with pytest.raises(SecurityError, match=match):
        make(handler).get(start, max_bytes=100)
    assert seen == [start]


def test_non_http_url_refused() -> None:
    with pytest.raises(SecurityError):
        make(lambda r: httpx.Response(200)).get("file:///etc/passwd", max_bytes=10)


def test_status_errors() -> None:
    f = make(lambda r: httpx.Response(404))
    with pytest.raises(HttpStatusError) as info:
        f.get("http://h/a", max_bytes=10)
    assert info.value.status == 404


def test_content_length_over_cap_refused_early() -> None:
    f = make(lambda r: httpx.Response(200, content=b"x" * 5000))
    with pytest.raises(NetworkError, match="over the 100"):
        f.get("http://h/a", max_bytes=100)


def test_decoded_bytes_counted_gzip_bomb() -> None:
    bomb = gzip.compress(b"\0" * 2_000_000)
    assert len(bomb) < 10_000

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=bomb, headers={"content-encoding": "gzip"})

    with pytest.raises(NetworkError, match="cap"):
        make(handler).get("http://h/p.m3u8", kind="playlist", max_bytes=100_000)


def test_two_content_codings_refused() -> None:
    body = gzip.compress(gzip.compress(b"#EXTM3U\n"))

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-encoding": "gzip, gzip"})

    with pytest.raises(SecurityError, match="content-coding"):
        make(handler).get("http://h/p.m3u8", kind="playlist", max_bytes=100_000)


def test_byterange_206_and_ignored_range() -> None:
    payload = bytes(range(256)) * 4

    def honours(request: httpx.Request) -> httpx.Response:
        spec = request.headers["range"].split("=")[1]
        a, b = (int(x) for x in spec.split("-"))
        return httpx.Response(206, content=payload[a : b + 1])

    def ignores(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=payload)

    for h in (honours, ignores):
        r = make(h).get("http://h/all.ts", max_bytes=10_000, byterange=(100, 50))
        assert r.data == payload[100:150]


def test_truncated_range_is_error() -> None:
    f = make(lambda r: httpx.Response(206, content=b"abc"))
    with pytest.raises(NetworkError, match="truncated"):
        f.get("http://h/a", max_bytes=100, byterange=(0, 10))


def test_progress_can_abandon_and_cancel() -> None:
    f = make(lambda r: httpx.Response(200, content=b"x" * 300_000))
    with pytest.raises(FetchAborted) as info:
        f.get("http://h/a", max_bytes=10**6, progress=lambda n, total, t: n < 100_000)
    assert info.value.stats is not None and info.value.stats.aborted
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(FetchAborted):
        f.get("http://h/a", max_bytes=10**6, cancel=cancel)


def test_transport_error_becomes_network_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused http://u:pw@h/")

    with pytest.raises(NetworkError) as info:
        make(handler).get("http://u:pw@h/a", max_bytes=10)
    assert "pw" not in str(info.value)


def test_a_wrapped_socket_errno_names_the_failure_whatever_the_words() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        # httpx wraps the socket's OSError; its words may be in any language
        try:
            raise OSError(errno.ECONNREFUSED, "Verbindungsaufbau abgelehnt")
        except OSError as inner:
            raise httpx.ConnectError("[Errno 111] Verbindungsaufbau abgelehnt") from inner

    with pytest.raises(NetworkError) as info:
        make(handler).get("http://h/a", max_bytes=10)
    assert info.value.code == ErrorCode.CONNECTION_REFUSED


class _Breaks(httpx.SyncByteStream):
    """A body that delivers ``sent`` bytes, then the connection times out."""

    def __init__(self, sent: bytes) -> None:
        self.sent = sent

    def __iter__(self) -> Iterator[bytes]:
        yield self.sent
        raise httpx.ReadTimeout("timed out")


@pytest.mark.parametrize("ranges", [True, False])
def test_a_body_that_breaks_off_keeps_what_arrived(ranges: bool) -> None:
    headers = {"content-length": "300", **({"accept-ranges": "bytes"} if ranges else {})}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=headers, stream=_Breaks(b"y" * 100))

    with pytest.raises(PartialTransfer) as info:
        make(handler).get("http://h/s.ts", max_bytes=10_000)
    assert info.value.data == b"y" * 100 and info.value.total == 300
    assert info.value.resumable is ranges


def test_a_body_that_breaks_before_any_byte_is_a_plain_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-length": "300"}, stream=_Breaks(b""))

    with pytest.raises(NetworkError) as info:
        make(handler).get("http://h/s.ts", max_bytes=10_000)
    assert not isinstance(info.value, PartialTransfer)


def test_a_range_answered_from_another_offset_is_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(206, content=b"z" * 50, headers={"content-range": "bytes 0-49/500"})

    with pytest.raises(NetworkError, match="got them from 0"):
        make(handler).get("http://h/s.ts", max_bytes=10_000, byterange=(100, 50))
