"""Retry decisions and backoff delays: pure, randomness injected.

Exponential backoff with ±50 % jitter (Shaka's fuzz factor 0.5) so that many
players hitting one failing CDN do not retry in lockstep; no retry on 4xx,
except 404/410 at the live edge (the segment may not be there yet) and
408/429; 5xx and transport errors are retried. A segment's 404/410 off the
live edge gets ``missing_attempts`` tries: a CDN edge that has not pulled an
object from the origin yet answers 404 once, then has it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "KEY_RETRY",
    "LIVE_OUTAGE_RETRY",
    "PLAYLIST_RETRY",
    "SEGMENT_RETRY",
    "RetryPolicy",
    "is_retryable",
]


def is_retryable(status: int | None, *, live_edge: bool = False) -> bool:
    """Whether a failure is worth another try. ``status`` None = transport error
    (timeout, reset, truncated body)."""
    if status is None:
        return True
    if status in (408, 429) or status >= 500:
        return True
    return bool(live_edge and status in (404, 410))


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    base_delay: float = 0.5
    factor: float = 2.0
    max_delay: float = 8.0
    jitter: float = 0.5
    #: attempts for a 404/410 off the live edge (1: not retried)
    missing_attempts: int = 1

    def delay(self, attempt: int, rand: Callable[[], float]) -> float:
        """Seconds to wait before attempt number ``attempt + 1`` (``attempt`` >= 1
        failed attempts so far). ``rand()`` returns a float in [0, 1)."""
        base = min(self.base_delay * self.factor ** max(attempt - 1, 0), self.max_delay)
        return max(0.0, base * (1.0 + self.jitter * (2.0 * rand() - 1.0)))

    def should_retry(self, attempt: int, status: int | None, *, live_edge: bool = False) -> bool:
        """After ``attempt`` failed attempts, try again?"""
        if attempt >= self.max_attempts:
            return False
        if status in (404, 410) and attempt < self.missing_attempts:
            return True
        return is_retryable(status, live_edge=live_edge)


# hls.js: manifests 1→8 s, segments up to 6 retries capped at 8 s, keys 1 s steps.
PLAYLIST_RETRY = RetryPolicy(max_attempts=3, base_delay=1.0)
SEGMENT_RETRY = RetryPolicy(max_attempts=4, base_delay=0.5, missing_attempts=2)
KEY_RETRY = RetryPolicy(max_attempts=3, base_delay=1.0, factor=1.0)
# A live origin that went away: its playlist asked for again 0.5 s doubling to
# a 2 s cap (±50 %), for as long as NetworkConfig.live_outage_timeout allows
# (time bounds it, not attempts). One small request every 1-3 s is cheap and
# puts playback back within about 2 s of the origin's return; the jitter keeps
# many players from hitting a recovering CDN in step.
LIVE_OUTAGE_RETRY = RetryPolicy(max_attempts=1 << 30, base_delay=0.5, max_delay=2.0)
