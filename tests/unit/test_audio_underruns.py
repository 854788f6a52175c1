"""Which of the audio device's underruns are gaps heard (the report's
``audio_underruns``) and which fall while nothing plays
(``audio_underruns_idle``), on a ``ManualClock``: the session's real audio
wiring (``open_audio`` on a shared-device voice, no stream opened), the
device's callbacks rendered by the test, and each underrun signalled as ALSA
does, on the callback's thread between two callbacks.

A clean A+V RTMP run reported 351 underruns: a new PulseAudio stream starts
in a storm of them before it takes samples at its pace, while the session
still buffers. Read as glitches heard, that figure was false."""

from __future__ import annotations

import numpy as np

from player import alsa_log
from player.audio_mix import SharedAudioDevice, VoicePool
from player.audio_out import SoundDeviceOutput
from player.clock import ManualClock
from player.config import DEFAULT_CONFIG, AudioConfig
from player.engine import Session
from player.events import PlayerState
from player.levels import Levels
from tests.support.sessions import callback_device, live_rtmp, rtmp_on_device

RATE = 48_000
BLOCK = 512
STEP = BLOCK / RATE


def _session(clock: ManualClock) -> tuple[Session, SoundDeviceOutput]:
    device = SharedAudioDevice(AudioConfig(), clock)
    device._stream = object()  # what _open() would set; no stream is opened
    device.rate, device.channels, device.latency = RATE, 2, 0.02
    pool = VoicePool(device)
    url = "rtmp://o.test/live/cam"
    session = Session(url, None, DEFAULT_CONFIG, clock, None, lambda e: None, Levels(), pool)
    # a live A+V stream (RTMP), as opened: its sound wants an output
    session.info = live_rtmp()
    session.media = session.info.media
    session.open_audio()
    out = session.audio
    assert out is not None
    data = np.zeros((4 * RATE, 2), dtype=np.float32)
    assert out.buffer.put(0.0, data, 1.0, 0.1)
    return session, out


def _callbacks(out: SoundDeviceOutput, clock: ManualClock, seconds: float) -> None:
    """The device calling back at its pace for ``seconds``."""
    block = np.zeros((BLOCK, 2), dtype=np.float32)
    for _ in range(round(seconds / STEP)):
        out._callback(block, BLOCK, None, None)
        clock.advance(STEP)


def _storm(out: SoundDeviceOutput, clock: ManualClock, count: int) -> None:
    """A device that runs dry before every callback (a new PulseAudio stream's
    start, or a callback starved of the CPU)."""
    block = np.zeros((BLOCK, 2), dtype=np.float32)
    for _ in range(count):
        out._device_underrun()  # ALSA's message, on the callback's thread
        out._callback(block, BLOCK, None, None)
        clock.advance(STEP)


def _play(session: Session) -> None:
    session.run_clocks(True)
    session.set_state(PlayerState.PLAYING)


def _counts(session: Session) -> tuple[int, int]:
    figures = session.metrics.figures()
    return figures.audio_underruns, figures.audio_underruns_idle


def test_the_start_up_storm_while_buffering_is_not_heard() -> None:
    clock = ManualClock()
    session, out = _session(clock)
    session.set_state(PlayerState.BUFFERING)
    _storm(out, clock, 40)
    _callbacks(out, clock, 0.5)
    assert _counts(session) == (0, 40)
    # nor does it mark the timeline as glitches
    assert not [e for e in session.metrics.figures().timeline if e["type"] == "audio_underrun"]


def test_a_device_still_starting_when_playing_begins_is_not_heard_until_it_runs() -> None:
    clock = ManualClock()
    session, out = _session(clock)
    session.set_state(PlayerState.BUFFERING)
    _play(session)
    _storm(out, clock, 25)  # playing, but the device drops what it is given
    assert _counts(session) == (0, 25)
    assert not session.playing_sound()
    _callbacks(out, clock, 0.05)  # steady, but for less than it takes to call it running
    out._device_underrun()
    assert _counts(session) == (0, 26)
    _callbacks(out, clock, 0.15)  # steady for over 0.1 s since the last one
    assert session.playing_sound()
    out._device_underrun()
    assert _counts(session) == (1, 26)


def test_a_device_running_when_playing_begins_is_heard_at_once() -> None:
    """A start waits for the device to run; a callback starved right after
    (the machine busy as playing begins) is a gap heard, before any callback
    has played a sample."""
    clock = ManualClock()
    session, out = _session(clock)
    session.set_state(PlayerState.BUFFERING)
    _callbacks(out, clock, 0.3)  # silence, at the device's pace
    assert out.running()
    _play(session)
    out._device_underrun()
    assert _counts(session) == (1, 0)


def test_once_the_device_ran_every_underrun_while_playing_is_a_gap_heard() -> None:
    """A starved callback (a busy machine) runs the device dry again and
    again: each is a gap in the sound, however many come in a row."""
    clock = ManualClock()
    session, out = _session(clock)
    _play(session)
    _callbacks(out, clock, 0.3)
    _storm(out, clock, 12)
    assert _counts(session) == (12, 0)
    (mark,) = [e for e in session.metrics.figures().timeline if e["type"] == "audio_underrun"]
    assert mark["count"] == 12


def test_paused_after_the_end_and_after_resuming_until_it_runs_are_idle() -> None:
    clock = ManualClock()
    session, out = _session(clock)
    _play(session)
    _callbacks(out, clock, 0.3)
    out._device_underrun()
    # paused: the device plays silence
    session.run_clocks(False)
    session.set_state(PlayerState.PAUSED)
    _storm(out, clock, 5)
    assert _counts(session) == (1, 5)
    # resumed: a sink that suspended meanwhile starts again in a storm
    _play(session)
    _storm(out, clock, 3)
    assert _counts(session) == (1, 8)
    _callbacks(out, clock, 0.2)
    out._device_underrun()
    assert _counts(session) == (2, 8)
    # the last sample is out: still PLAYING until the loop ends the session
    session.audio_done = True
    out._device_underrun()
    assert _counts(session) == (2, 9)
    session.audio_done = False
    session.set_state(PlayerState.BUFFERING)  # a stall: nothing to play
    out._device_underrun()
    assert _counts(session) == (2, 10)


def test_a_new_session_on_the_kept_device_waits_for_it_to_run_again() -> None:
    clock = ManualClock()
    session, out = _session(clock)
    _play(session)
    _callbacks(out, clock, 0.3)
    assert session.playing_sound()
    pool = session.audio_pool
    assert pool is not None
    pool.release(out)
    again, reason = pool.acquire(2.0)
    assert again is out and reason is None
    assert not out.played_through()  # attach() forgets that it ran for the last session


def _sessions_on_one_device(clock: ManualClock, count: int) -> list[Session]:
    """``count`` sessions with voices on one shared device (a comparison)."""
    device = callback_device(clock)
    return [rtmp_on_device(clock, device) for _ in range(count)]


def _mix(device: SharedAudioDevice, clock: ManualClock, seconds: float) -> None:
    """The shared device's callback at its pace, on this thread (each voice
    watches the thread it is rendered on, as on PortAudio's)."""
    block = np.zeros((BLOCK, 2), dtype=np.float32)
    for _ in range(round(seconds / STEP)):
        device._mix(block, BLOCK, None, None)
        clock.advance(STEP)


def _alsa_underrun() -> None:
    """ALSA's message on this thread, as libasound hands it to the handler."""
    alsa_log._handle(b"pcm.c", 8570, b"snd_pcm_recover", 0, b"underrun occurred", 0, 0, 0, 0)


def test_a_shared_device_running_dry_is_a_gap_for_every_voice_playing() -> None:
    """One callback thread serves every voice of a comparison: each session
    counts the device's underrun, heard while it plays (the muted one too:
    its clock and samples took the same gap), idle while it does not."""
    clock = ManualClock()
    heard, muted, waiting = _sessions_on_one_device(clock, 3)
    assert muted.audio is not None
    muted.audio.muted = True
    device = muted.audio._device  # type: ignore[attr-defined]
    _play(heard)
    _play(muted)
    waiting.set_state(PlayerState.BUFFERING)
    try:
        _mix(device, clock, 0.3)
        _alsa_underrun()
        _alsa_underrun()
        assert [_counts(s) for s in (heard, muted, waiting)] == [(2, 0), (2, 0), (0, 2)]
        # a session that ended and closed its voice is told no more
        assert waiting.audio is not None
        waiting.audio.close()
        _alsa_underrun()
        assert [_counts(s) for s in (heard, muted, waiting)] == [(3, 0), (3, 0), (0, 2)]
    finally:
        for s in (heard, muted):
            assert s.audio is not None
            s.audio.close()
    _alsa_underrun()
    assert [_counts(s) for s in (heard, muted)] == [(3, 0), (3, 0)]
