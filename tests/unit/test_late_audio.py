"""The audio output had after the loop started (issue 13): the first picture
came while the device was still opening (PortAudio's start through
PulseAudio: 0.15-0.4 s here), the clock ran from the picture meanwhile, and
the output, once opened on its own thread, joins the running clock.

Before, the loop (and so the clock) started only once the output was had:
the first picture stayed still that long. On a ``ManualClock``; the audio
decoder's start recorded instead of run."""

from __future__ import annotations

import numpy as np

from player.audio_mix import _Voice
from player.audio_out import AudioDevicePool, SoundDeviceOutput
from player.clock import ManualClock
from player.config import DEFAULT_CONFIG, AudioConfig
from player.engine import Session
from player.events import Event, PlayerState, WarningRaised
from player.levels import Levels
from player.queues import QueueItem
from player.source_api import DemuxPacket
from tests.support.sessions import live_rtmp, silent_output


class _Pool(AudioDevicePool):
    """Answers what the test says (an output, or why there is none)."""

    def __init__(self, answer: tuple[SoundDeviceOutput | None, str | None]) -> None:
        super().__init__(AudioConfig(), ManualClock())
        self.answer = answer

    def acquire(self, buffer_seconds: float) -> tuple[SoundDeviceOutput | None, str | None]:
        return self.answer

    def ready(self) -> bool:
        return False


class _Session(Session):
    decoders_started = 0

    def start_audio_decoder(self) -> None:
        self.decoders_started += 1


def _playing(
    clock: ManualClock, answer: tuple[SoundDeviceOutput | None, str | None], events: list[Event]
) -> _Session:
    """A+V RTMP playing 0.4 s from its first picture on the system clock,
    its audio output still opening, 1 s of audio kept for it."""
    session = _Session(
        "rtmp://o.test/live/cam", None, DEFAULT_CONFIG, clock, None, events.append,
        Levels(), _Pool(answer),
    )  # fmt: skip
    session.info = live_rtmp()
    session.media = session.info.media
    session.audio_opening = True
    stream: object = object()
    pkt = DemuxPacket(stream, None, 0.0, 0.0, 1.0, 100, True)  # type: ignore[arg-type]
    session.audio_packets.put_nowait(QueueItem[DemuxPacket](pkt, session.serial, 0.0, 1.0, 100))
    session.demuxed_end = {"video": 1.0, "audio": 1.0}
    session.start_pts = session.last_shown_pts = 0.0
    session.preroll = False
    session.sysclock.set(0.0)
    session.run_clocks(True)
    session.set_state(PlayerState.PLAYING)
    clock.advance(0.4)
    return session


def test_the_output_opened_late_joins_the_running_clock() -> None:
    clock = ManualClock()
    voice = silent_output(clock)
    assert isinstance(voice, _Voice)
    session = _playing(clock, (voice, None), [])
    assert session.position() == 0.4  # the picture moved without the sound
    session.take_late_audio()  # nothing opened yet: nothing to take
    assert (session.audio, session.audio_opening) == (None, True)
    session.open_audio_late()
    session.threads[-1].join(5)
    session.take_late_audio()
    assert (session.audio, session.audio_opening) == (voice, False)
    assert session.decoders_started == 1
    assert (voice.playing, voice.joining) == (True, True)  # silent till the device runs
    assert session.position() == 0.4  # still the system clock's
    assert len(session.audio_packets) == 1  # what was kept plays
    assert session.metrics.extra["audio"]["device"] == voice.device_name
    # the device runs: it joins where the clock is by the time it is heard
    data = np.full((48_000, 2), 0.5, dtype=np.float32)
    assert voice.buffer.put(0.0, data, 1.0, 0.1)
    block = np.zeros((512, 2), dtype=np.float32)
    for _ in range(6):
        voice.render(block, 512)
        clock.advance(0.021)
    assert (block == 0.5).all()
    assert not voice.joining
    pos = session.position()
    assert pos is not None and abs(pos - session.sysclock.position()) < 1e-3


def test_no_output_after_all_drops_what_was_kept_and_says_why() -> None:
    clock = ManualClock()
    events: list[Event] = []
    session = _playing(clock, (None, "no usable output device (gone)"), events)
    session.open_audio_late()
    session.threads[-1].join(5)
    session.take_late_audio()
    assert (session.audio, session.audio_opening) == (None, False)
    assert session.decoders_started == 0
    assert len(session.audio_packets) == 0 and "audio" not in session.demuxed_end
    warned = [e for e in events if isinstance(e, WarningRaised)]
    assert [w.reason_code for w in warned] == ["no-output-device"]


def test_an_output_opened_while_paused_waits_for_play() -> None:
    clock = ManualClock()
    voice = silent_output(clock)
    session = _playing(clock, (voice, None), [])
    session.run_clocks(False)
    session.set_state(PlayerState.PAUSED)
    session.late_audio = (voice, None)
    session.take_late_audio()
    assert (session.audio, voice.playing) == (voice, False)
    session.run_clocks(True)  # play: it joins then (the device not running yet)
    assert (voice.playing, voice.joining) == (True, True)
