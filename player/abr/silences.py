"""A transfer's dead time: the stretches in which nothing arrived for longer
than a working link ever keeps quiet.

An outage inside a download (the origin hangs a request until it is back, a
connection stalls for seconds and then goes on) is time in which no bandwidth
was measured. Counted into a throughput sample it reads as a slow link, and
the sample is weighted by its seconds, so one outage held the estimate down
for about six segments after the origin was back. hls.js and Media3 drop
the samples of loads that fail or are aborted; a load that survives its
outage is measured here over the time bytes could flow, and a trickle (a
slow link that does deliver, a packet every second or so) still counts in
full: its gaps are shorter than ``after``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["DEAD_AFTER", "Silences"]

#: seconds with nothing arriving that no working link shows: above the worst
#: round trips of satellite and congested 3G (about 0.6-1.5 s), below the
#: read timeouts an outage ends in
DEAD_AFTER = 2.0


@dataclass
class Silences:
    """Fed with the elapsed time at each arrival (from the request, 0 s);
    keeps the stretches longer than ``after`` without one."""

    after: float = DEAD_AFTER
    #: (start, end) of each dead stretch, seconds since the request
    stretches: list[tuple[float, float]] = field(default_factory=list)
    _last: float = 0.0

    def heard(self, elapsed: float) -> None:
        """Bytes arrived ``elapsed`` seconds after the request."""
        if elapsed - self._last > self.after:
            self.stretches.append((self._last, elapsed))
        self._last = max(self._last, elapsed)

    def dead(self, since: float = 0.0) -> float:
        """Dead seconds after ``since`` (the response's headers, say)."""
        return sum(max(0.0, end - max(start, since)) for start, end in self.stretches)

    def dead_between(self, since: float, elapsed: float) -> float:
        """Dead seconds between ``since`` and ``elapsed`` (the silence running
        now counts once it is longer than ``after``)."""
        dead = sum(max(0.0, min(end, elapsed) - max(start, since)) for start, end in self.stretches)
        if elapsed - self._last > self.after:
            dead += max(0.0, elapsed - max(self._last, since))
        return dead

    def active(self, elapsed: float) -> float:
        """Of ``elapsed`` seconds since the request, those bytes could flow in
        (the silence running now counts once it is longer than ``after``)."""
        tail = elapsed - self._last
        return max(0.0, elapsed - self.dead() - (tail if tail > self.after else 0.0))
