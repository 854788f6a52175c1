"""When a segment transfer is too slow: the pure rule (``slow_verdict``) and
the error that gives such a transfer up (``SlowTransfer``). A trickle must
not hold playback for the whole of a long total timeout: it is reported as
soon as it is measured and given up when asking again or elsewhere is the
better bet."""

from __future__ import annotations

from ..errors import NetworkError

__all__ = ["SlowTransfer", "slow_verdict"]


class SlowTransfer(NetworkError):
    """A segment arriving too slowly to be worth waiting for: it is asked
    for again (from where it stopped), then elsewhere."""


def slow_verdict(
    done: int, size: int | None, elapsed: float, buffer: float, duration: float, *, patience: float
) -> tuple[bool, bool]:
    """(buffering on it, give it up) for a segment transfer after ``elapsed``
    seconds with ``done`` of ``size`` bytes and ``buffer`` seconds to play.

    It is behind when it will not be done before the buffer runs out while
    arriving slower than it plays; it is given up when, at its rate, it would
    take longer than ``patience`` segment durations and longer than the
    buffer lasts (a fresh connection or another copy is then the better bet)."""
    if size is None or size <= 0 or elapsed <= 0 or done >= size:
        return False, False
    rate = done / elapsed
    if rate * duration >= size:  # arriving faster than it plays
        return False, False
    left = (size - done) / rate if rate > 0 else float("inf")
    behind = left > buffer
    give_up = behind and elapsed + left > max(patience * duration, buffer)
    return behind, give_up
