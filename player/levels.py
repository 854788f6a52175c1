"""The listener's levels: volume, mute and the speed they chose. The Player
owns one ``Levels`` and the session it plays reads that one (never a copy),
so the window, the Player and the engine cannot disagree about them. The
rate the media actually plays at is the session's: catch-up may move it
away from ``speed`` for a while."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MAX_SPEED", "MAX_VOLUME", "MIN_SPEED", "Levels"]

MIN_SPEED = 0.25
MAX_SPEED = 4.0
MAX_VOLUME = 1.5


@dataclass
class Levels:
    """Written by the Player (its callers' threads), read by the session's
    threads; each field is one reference, replaced whole."""

    volume: float = 1.0
    muted: bool = False
    speed: float = 1.0

    def set_volume(self, volume: float) -> None:
        self.volume = max(0.0, min(MAX_VOLUME, volume))

    def set_speed(self, speed: float) -> None:
        self.speed = max(MIN_SPEED, min(MAX_SPEED, speed))
