"""When a segment transfer is too slow: the pure rule (``slow_verdict``) and
the error that gives such a transfer up (``SlowTransfer``). A trickle must
not hold playback for the whole of a long total timeout: it is reported as
soon as it is measured and given up when asking again or elsewhere is the
better bet.

The rate is measured from the first byte, as the bandwidth estimate is: a
server slow to answer and then fast is not a slow link, and a late first
byte is the read timeout's business (counted into the rate, an 8 s wait made
a transfer at full speed look like a trickle and gave it up)."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import NetworkError

__all__ = ["FirstByte", "SlowTransfer", "slow_verdict"]


class SlowTransfer(NetworkError):
    """A segment arriving too slowly to be worth waiting for: it is asked
    for again (from where it stopped), then elsewhere."""


@dataclass
class FirstByte:
    """When a transfer's first bytes arrived (seconds since the request) and
    how many came then: its rate counts from there."""

    at: float | None = None
    done: int = 0

    def heard(self, done: int, elapsed: float) -> None:
        if self.at is None and done > 0:
            self.at, self.done = elapsed, done

    def flowing(self, elapsed: float) -> float:
        """Seconds since the first byte (0 before it)."""
        return 0.0 if self.at is None else max(0.0, elapsed - self.at)

    def rate(self, done: int, elapsed: float) -> float | None:
        """Bytes a second since the first byte; None until it can be told."""
        span = self.flowing(elapsed)
        if span <= 0:
            return None
        return max(0, done - self.done) / span


def slow_verdict(
    done: int,
    size: int | None,
    elapsed: float,
    buffer: float,
    duration: float,
    *,
    patience: float,
    first: FirstByte,
    after: float = 0.0,
) -> tuple[bool, bool]:
    """(buffering on it, give it up) for a segment transfer after ``elapsed``
    seconds since the request with ``done`` of ``size`` bytes and ``buffer``
    seconds to play; ``first`` says when its bytes began to flow.

    It is behind when it will not be done before the buffer runs out while
    arriving slower than it plays; it is given up when, at its rate, it would
    take longer than ``patience`` segment durations and longer than the
    buffer lasts (a fresh connection or another copy is then the better bet).
    There is no verdict before bytes have flowed for ``after`` seconds (a
    rate over a moment is noise)."""
    if size is None or size <= 0 or done >= size:
        return False, False
    rate = first.rate(done, elapsed)
    if rate is None or first.flowing(elapsed) < after:
        return False, False
    if rate * duration >= size:  # arriving faster than it plays
        return False, False
    left = (size - done) / rate if rate > 0 else float("inf")
    behind = left > buffer
    give_up = behind and elapsed + left > max(patience * duration, buffer)
    return behind, give_up
