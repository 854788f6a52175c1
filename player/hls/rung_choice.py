"""Which rung each segment comes from: the ABR policy's inputs (through
``AbrDriver``), the caps on its choice (the view's size, a lock by the
user, the penalty box) and the switch itself, told as ``VariantSwitched``."""

from __future__ import annotations

from collections.abc import Callable

from ..abr.driver import AbrDriver, Inputs
from ..abr.policy import Decision
from ..events import VariantSwitched
from .ladder import Ladder
from .loader_state import LoaderState
from .view_cap import covering_rung

__all__ = ["RungChoice"]


class RungChoice:
    """Decides and switches the rung in ``state``; ``switched`` runs after
    each switch (the renditions follow the new rung's groups)."""

    def __init__(
        self,
        state: LoaderState,
        abr: AbrDriver,
        ladder: Ladder,
        switched: Callable[[], None],
    ) -> None:
        self._s = state
        self._abr = abr
        self._ladder = ladder
        self._switched = switched

    def cap_index(self) -> int:
        top = len(self._s.ladder) - 1
        if self._s.max_resolution is not None:
            top = covering_rung(
                [(v.width, v.height) for v in self._s.ladder], self._s.max_resolution
            )
        out = self._ladder.excluded()
        while top > 0 and top in out:
            top -= 1
        return top

    def inputs(self, duration: float) -> Inputs:
        remaining = None
        track = self._s.tracks.get(self._s.rung) if self._s.rung is not None else None
        if not self._s.live and track is not None and track.playlist.endlist:
            total = sum(s.duration for s in track.playlist.segments)
            remaining = max(0.0, total - self._s.next_time - duration)
        return Inputs(
            bitrates=tuple(float(v.bitrate or 1) for v in self._s.ladder),
            current=self._s.rung,
            buffer=self._s.buffer_level(),
            segment_duration=duration,
            buffer_target=self._s.buffer_target,
            max_index=self.cap_index(),
            now=self._s.clock.now(),
            live=self._s.live,
            remaining=remaining,
        )

    def decide(self, duration: float) -> Decision:
        if len(self._s.ladder) <= 1:
            return Decision(0, "single", "one variant")
        manual = self._s.manual
        if manual is not None:
            manual = min(manual, len(self._s.ladder) - 1)
            if manual not in self._ladder.excluded():
                return Decision(manual, "manual", "locked by the user")
        d = self._abr.choose(self.inputs(duration))
        cap = self.cap_index()
        index = max(0, min(d.index, cap))
        out = self._ladder.excluded()
        while index in out and index > 0:
            index -= 1
        return Decision(index, d.rule, d.reason if index == d.index else d.reason + " (capped)")

    def switch(self, decision: Decision) -> None:
        previous = self._s.rung
        if previous == decision.index:
            return
        self._s.rung = decision.index
        variant = self._s.ladder[decision.index]
        if self._s.live and previous is not None:
            self._ladder.prepare_live_switch(previous, decision.index)
        with self._s.cond:
            self._s.mark("switch", f"{decision.rule}: {decision.reason}")
            buffer = self._s.buffer_level_locked()
        self._s.emit(
            VariantSwitched(
                from_index=previous,
                to_index=decision.index,
                bandwidth=variant.bandwidth,
                estimate_bps=self._s.meter.estimate_bps(),
                buffer=buffer,
                rule=decision.rule,
                reason=decision.reason,
                t=self._s.now(),
                estimate_measured=self._s.meter.measured,
            )
        )
        self._switched()
