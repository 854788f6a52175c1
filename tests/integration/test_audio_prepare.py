"""The audio output opened ahead of the first open (issue 13: the desktop
window asks for it as it shows, so that the first frame does not wait for
PortAudio and the sound server). Real PortAudio into PulseAudio's null sink
(scripts/audio-env.sh)."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import player.audio_out as audio_out
from player import Player
from player.clock import SystemClock
from player.config import DEFAULT_CONFIG, AudioConfig
from player.events import Event, PlayerState, StateChanged, WarningRaised
from player.video_sink import NullVideoSink
from tests.support.media import make_av_file


class _Opens:
    """Counts the real ``open_audio_output`` calls."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = audio_out.open_audio_output

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(audio_out, "open_audio_output", counted)


def test_prepared_output_is_the_one_the_first_acquire_gets(monkeypatch: pytest.MonkeyPatch) -> None:
    opens = _Opens(monkeypatch)
    pool = audio_out.AudioDevicePool(AudioConfig(), SystemClock())
    try:
        pool.prepare(1.0)
        assert opens.calls == 1
        out, reason = pool.acquire(1.0)
        assert reason is None and out is not None
        assert opens.calls == 1  # opened once, ahead
        pool.release(out)
        pool.prepare(1.0)  # already open: nothing more
        assert opens.calls == 1
    finally:
        pool.close()


def test_a_failed_prepare_answers_the_next_acquire_once(monkeypatch: pytest.MonkeyPatch) -> None:
    opens = _Opens(monkeypatch)
    pool = audio_out.AudioDevicePool(AudioConfig(device="no such device"), SystemClock())
    pool.prepare(1.0)
    out, reason = pool.acquire(1.0)
    assert out is None and reason is not None and "no usable output device" in reason
    assert opens.calls == 1  # the reason came from the prepare, not a second try
    out, again = pool.acquire(1.0)  # later sessions try for themselves, as before
    assert out is None and again == reason and opens.calls == 2
    pool.close()


def test_nothing_opens_after_close(monkeypatch: pytest.MonkeyPatch) -> None:
    opens = _Opens(monkeypatch)
    pool = audio_out.AudioDevicePool(AudioConfig(), SystemClock())
    pool.close()
    pool.prepare(1.0)
    assert opens.calls == 0


def test_player_plays_through_the_prepared_output(monkeypatch: pytest.MonkeyPatch) -> None:
    opens = _Opens(monkeypatch)
    media: Path = make_av_file(seconds=2.0, width=160, height=120, fps=25)
    player = Player(DEFAULT_CONFIG, video_sink=NullVideoSink())
    playing = threading.Event()
    warnings: list[str] = []

    def on_event(event: Event) -> None:
        if isinstance(event, StateChanged) and event.state == PlayerState.PLAYING:
            playing.set()
        elif isinstance(event, WarningRaised):
            warnings.append(event.code)

    player.subscribe(on_event)
    try:
        player.prepare_audio()
        player.open(str(media))
        assert playing.wait(15)
        assert warnings == []
        assert opens.calls == 1  # the session took the prepared output
        assert player.report()["audio"]["device"]
    finally:
        player.close()


def test_no_audio_means_nothing_is_prepared(monkeypatch: pytest.MonkeyPatch) -> None:
    opens = _Opens(monkeypatch)
    player = Player(replace(DEFAULT_CONFIG, audio=AudioConfig(enabled=False)))
    player.prepare_audio()
    player.close()
    assert opens.calls == 0
