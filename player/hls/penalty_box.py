"""Variants that failed, kept out of the ABR's choices for a while.

A variant whose segment failed on every copy is penalised: the ABR does not
pick it, and a fallback does not go to it, until ``seconds`` have passed on
the clock (Shaka's ``maxDisabledTime`` is 30 s, Media3 excludes a track for
60 s). Then it is re-admitted with a fresh start. A variant still in the box
is tried again, before a segment is given up as a gap, when every other
variant has failed for that segment: a ladder whose faults moved around is
not lost variant by variant for the rest of the session.

Pure bookkeeping on clock times handed in; the loader owns the clock.
"""

from __future__ import annotations

from collections.abc import Collection

__all__ = ["DEFAULT_PENALTY_S", "PenaltyBox"]

#: seconds a failed variant stays out (Shaka's maxDisabledTime)
DEFAULT_PENALTY_S = 30.0


class PenaltyBox:
    def __init__(self, seconds: float = DEFAULT_PENALTY_S) -> None:
        self.seconds = seconds
        #: rung -> clock time it is re-admitted
        self._until: dict[int, float] = {}

    def penalise(self, rung: int, now: float) -> None:
        """``rung`` failed at ``now``: out until ``seconds`` later."""
        self._until[rung] = now + self.seconds

    def release_due(self, now: float) -> list[int]:
        """The rungs whose time is up, taken out of the box (in rung order)."""
        due = sorted(r for r, until in self._until.items() if until <= now)
        for rung in due:
            del self._until[rung]
        return due

    def release(self, rung: int) -> bool:
        """Take ``rung`` out early (the others failed); False if it was not in."""
        return self._until.pop(rung, None) is not None

    def clear(self) -> None:
        """Every rung gets another chance (the fault was not the variants')."""
        self._until.clear()

    def __contains__(self, rung: object) -> bool:
        return rung in self._until

    @property
    def rungs(self) -> frozenset[int]:
        return frozenset(self._until)

    def fallback(self, current: int, size: int, tried: Collection[int]) -> tuple[int, bool] | None:
        """Where to fetch a segment that failed on ``current`` (and on the
        rungs ``tried`` for it): the highest rung below ``current``, else the
        lowest above it, among the rungs not penalised; when every one of
        those was tried, the same among the penalised ones (re-admitted: the
        others failed too). ``(rung, re-admitted)``, or None when every rung
        has been tried."""
        untried = [i for i in range(size) if i not in tried and i != current]
        free = [i for i in untried if i not in self._until]
        for pool, readmitted in ((free, False), (untried, True)):
            if pool:
                lower = [i for i in pool if i < current]
                return (max(lower) if lower else min(pool)), readmitted
        return None
