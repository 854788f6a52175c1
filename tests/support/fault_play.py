"""Play a URL headless to its end (or its error) and say how far it got:
the fault tests' one measurement, also used for the old-against-new table."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

from player import DEFAULT_CONFIG, PlayerConfig, PlayerState, StateChanged, StatsUpdated
from player.config import AudioConfig
from player.events import ErrorOccurred, Event, WarningRaised
from tests.support.player_probe import Probe

#: the shipped network settings (the faults are about their timeouts), no audio device
FAULT_CONFIG = replace(DEFAULT_CONFIG, audio=AudioConfig(enabled=False))


@dataclass
class FaultRun:
    #: the last video pts presented (s)
    reached: float
    #: the furthest media time demuxed, as the stats samples (about 1 a second)
    #: with something buffered saw it
    read_until: float
    #: "ended" or "error" (or "timeout": neither within the bound)
    outcome: str
    #: the fatal error's message, if any
    error: str | None
    #: wall seconds from open to the end or the error
    seconds: float
    warnings: list[WarningRaised]
    events: list[Event]
    report: dict[str, Any]

    def row(self) -> str:
        err = f" ({self.error})" if self.error else ""
        return (
            f"reached {self.reached:.1f} s (read {self.read_until:.1f} s), "
            f"{self.outcome} at {self.seconds:.1f} s{err}"
        )


def play_to_end(url: str, timeout: float, config: PlayerConfig = FAULT_CONFIG) -> FaultRun:
    probe = Probe(config)
    started = time.monotonic()
    try:
        probe.player.open(url)
        try:
            end = probe.wait_event(
                StateChanged, timeout, lambda e: e.state in (PlayerState.ENDED, PlayerState.ERROR)
            )
            outcome = "ended" if end.state == PlayerState.ENDED else "error"
        except AssertionError:
            outcome = "timeout"
        seconds = time.monotonic() - started
        fatal = [e for e in probe.of(ErrorOccurred) if e.fatal]
        shown = [pts for pts, _ in probe.sink.shown]
        report = probe.report()
        ahead = []
        for e in probe.of(StatsUpdated):
            pos, buffered = e.stats.position_s, e.stats.buffer_s
            # with nothing buffered the clock may run past the last frame (a stall)
            if pos is not None and buffered > 0:
                ahead.append(pos + buffered)
        return FaultRun(
            reached=max(shown, default=0.0),
            read_until=max(ahead, default=0.0),
            outcome=outcome,
            error=fatal[0].message if fatal else None,
            seconds=seconds,
            warnings=probe.of(WarningRaised),
            events=list(probe.events),
            report=report,
        )
    finally:
        probe.close()
