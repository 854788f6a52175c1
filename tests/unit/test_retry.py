from __future__ import annotations

import pytest

from player.retry import SEGMENT_RETRY, RetryPolicy, is_retryable


@pytest.mark.parametrize(
    ("status", "live", "expected"),
    [
        (None, False, True),
        (500, False, True),
        (503, False, True),
        (429, False, True),
        (408, False, True),
        (404, False, False),
        (404, True, True),
        (410, True, True),
        (403, True, False),
        (400, False, False),
        (401, False, False),
        (416, False, False),
    ],
)
def test_retryable(status: int | None, live: bool, expected: bool) -> None:
    assert is_retryable(status, live_edge=live) is expected


def test_backoff_grows_and_caps() -> None:
    p = RetryPolicy(base_delay=0.5, factor=2, max_delay=8, jitter=0.0)
    assert [p.delay(n, lambda: 0.5) for n in range(1, 8)] == [0.5, 1, 2, 4, 8, 8, 8]


def test_jitter_bounds() -> None:
    p = RetryPolicy(base_delay=1.0, jitter=0.5)
    assert p.delay(1, lambda: 0.0) == 0.5
    assert p.delay(1, lambda: 0.999999) == pytest.approx(1.5, abs=1e-5)
    assert p.delay(1, lambda: 0.5) == 1.0


def test_attempts_bounded() -> None:
    assert SEGMENT_RETRY.should_retry(1, 503)
    assert not SEGMENT_RETRY.should_retry(SEGMENT_RETRY.max_attempts, 503)
    # a 404 off the live edge: one more try (a CDN edge filling from its origin)
    assert SEGMENT_RETRY.should_retry(1, 404)
    assert not SEGMENT_RETRY.should_retry(2, 404)
    assert not SEGMENT_RETRY.should_retry(2, 410)
    assert SEGMENT_RETRY.should_retry(2, 404, live_edge=True)
    assert not SEGMENT_RETRY.should_retry(1, 403)
    assert not RetryPolicy().should_retry(1, 404)
    assert SEGMENT_RETRY.should_retry(1, 404, live_edge=True)
