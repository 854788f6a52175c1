"""What a fetch is (``player.fetch``): the figures a transfer gives the
bandwidth meter, and the errors' words. ``HttpFetcher`` itself is in
``test_http_fetcher.py``."""

from __future__ import annotations

import pytest

from player.errors import ErrorCode, NetworkError
from player.fetch import FetchAborted, HttpStatusError, PartialTransfer, TransferStats


def test_throughput_counts_the_body_only_not_the_wait_for_headers() -> None:
    stats = TransferStats("u", "segment", bytes=1_000_000, start=5.0, ttfb=0.5, duration=2.5)
    assert stats.transfer_seconds == pytest.approx(2.0)
    assert stats.throughput_bps == pytest.approx(4_000_000)


def test_a_transfer_with_no_body_time_has_no_throughput() -> None:
    # all of it in the headers' wait (or a clock that went backwards): no division by zero
    for duration in (0.2, 0.1):
        stats = TransferStats("u", "segment", bytes=500, start=0.0, ttfb=0.2, duration=duration)
        assert stats.transfer_seconds == 0.0 and stats.throughput_bps == 0.0


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (404, ErrorCode.NOT_FOUND),
        (403, ErrorCode.FORBIDDEN),
        (401, ErrorCode.UNAUTHORIZED),
        (503, ErrorCode.SERVER_ERROR),
        (416, ErrorCode.REQUEST_REJECTED),
    ],
)
def test_an_http_status_names_its_code(status: int, code: ErrorCode) -> None:
    err = HttpStatusError(status, "http://o.test/a.ts")
    assert isinstance(err, NetworkError)
    assert err.status == status and err.code == code
    assert f"HTTP {status}" in str(err)


def test_an_http_status_never_shows_the_urls_credentials() -> None:
    err = HttpStatusError(403, "http://alice:s3cret@o.test/live.m3u8?token=abc")
    assert "s3cret" not in str(err) and "o.test" in str(err)
    # the URL itself stays whole for the retry logic (it is never logged)
    assert err.url == "http://alice:s3cret@o.test/live.m3u8?token=abc"


def test_a_partial_transfer_keeps_what_came_for_a_resume() -> None:
    err = PartialTransfer("reset", b"abc", total=10, resumable=True)
    assert (err.data, err.total, err.resumable) == (b"abc", 10, True)


def test_an_aborted_fetch_carries_its_transfer_when_it_had_one() -> None:
    stats = TransferStats("u", "segment", bytes=10, start=0.0, ttfb=0.1, duration=0.3, aborted=True)
    assert FetchAborted("abandoned", stats).stats is stats
    assert FetchAborted("cancelled").stats is None
