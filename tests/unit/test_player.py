"""``Player``'s own part of an open, on a ``ManualClock``."""

from __future__ import annotations

from dataclasses import replace

import pytest

from player import Player
from player.clock import ManualClock
from player.config import DEFAULT_CONFIG, AudioConfig
from player.engine import Session


def test_the_session_time_counts_from_the_call_to_open(monkeypatch: pytest.MonkeyPatch) -> None:
    """What comes before the session (stopping the last one, listing a
    file's subtitles, importing the engine: 0.1-0.15 s a first time) is
    waited for too: ``time_to_first_frame_s`` left it out."""
    clock = ManualClock()
    player = Player(replace(DEFAULT_CONFIG, audio=AudioConfig(enabled=False)), clock=clock)
    started: list[Session] = []

    def slow_listing(*_args: object) -> None:
        clock.advance(0.25)  # the work before the session, on the clock

    monkeypatch.setattr(player, "_subtitle_listing", slow_listing)
    monkeypatch.setattr(Session, "start", lambda self: started.append(self))
    try:
        clock.advance(3.0)  # an open later in the player's life
        player.open("clip.mkv")
        assert len(started) == 1
        assert started[0].metrics.t() == pytest.approx(0.25)
    finally:
        player.close()
