"""Volume, mute and speed live in one ``Levels`` the Player owns: bounded
where they are set, and what the Player reports is that one object's."""

from __future__ import annotations

from dataclasses import replace

import pytest

from player import Player
from player.clock import ManualClock
from player.config import DEFAULT_CONFIG, AudioConfig
from player.levels import MAX_SPEED, MAX_VOLUME, MIN_SPEED, Levels


@pytest.mark.parametrize(
    ("asked", "kept"), [(0.5, 0.5), (-1.0, 0.0), (9.0, MAX_VOLUME), (MAX_VOLUME, MAX_VOLUME)]
)
def test_volume_is_bounded(asked: float, kept: float) -> None:
    levels = Levels()
    levels.set_volume(asked)
    assert levels.volume == kept


@pytest.mark.parametrize(
    ("asked", "kept"), [(1.1, 1.1), (0.01, MIN_SPEED), (100.0, MAX_SPEED), (MIN_SPEED, MIN_SPEED)]
)
def test_speed_is_bounded(asked: float, kept: float) -> None:
    levels = Levels()
    levels.set_speed(asked)
    assert levels.speed == kept


def test_the_player_reports_the_levels_it_was_given_without_a_session() -> None:
    config = replace(DEFAULT_CONFIG, audio=AudioConfig(enabled=False))
    player = Player(config, clock=ManualClock())
    try:
        assert (player.volume, player.muted, player.speed) == (1.0, False, 1.0)
        player.set_volume(0.3)
        player.set_muted(True)
        player.set_speed(8.0)
        assert (player.volume, player.muted, player.speed) == (0.3, True, MAX_SPEED)
    finally:
        player.close()
