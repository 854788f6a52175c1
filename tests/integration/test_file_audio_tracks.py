"""A file's several audio streams through the engine, with real PortAudio
output into the null sink: listed by language and title, the default one
heard first, and a switch heard at the play position without a gap while the
video plays on. What is heard is what the device callback took from the
engine's buffer (recorded by wrapping ``AudioBuffer.read_into``)."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from player import MediaOpened, PlayerState, StateChanged
from player.audio_out import AudioBuffer
from tests.support.audio_tracks_media import TRACK_TONES, make_two_audio_tracks
from tests.support.player_probe import Probe

pytestmark = pytest.mark.integration


@dataclass
class Block:
    """One device callback: the pts of its first sample and what it wrote."""

    first_pts: float | None
    end_pts: float
    frames: int
    samples: np.ndarray


class Tap:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.lock = threading.Lock()

    def wrap(self, read_into: Any) -> Any:
        def recorded(buf: AudioBuffer, out: Any, gain: float) -> tuple[int, Any, float, float]:
            written, first, speed, end = read_into(buf, out, gain)
            with self.lock:
                self.blocks.append(Block(first, end, len(out), out[:written].mean(axis=1).copy()))
            return written, first, speed, end

        return recorded


@pytest.fixture
def tap(monkeypatch: pytest.MonkeyPatch) -> Tap:
    t = Tap()
    monkeypatch.setattr(AudioBuffer, "read_into", t.wrap(AudioBuffer.read_into))
    return t


@pytest.fixture
def probe(audio_device: str) -> Iterator[Probe]:
    p = Probe()
    yield p
    p.close()


def dominant(samples: np.ndarray, rate: int = 48_000) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[int(np.argmax(spectrum))])


def heard(blocks: list[Block]) -> list[tuple[float, float]]:
    """(pts, nearest track tone) of each block that played a full buffer."""
    lo, hi = TRACK_TONES
    out = []
    for b in blocks:
        if b.first_pts is None or len(b.samples) < b.frames:
            continue
        f = dominant(b.samples)
        out.append((b.first_pts, lo if abs(f - lo) < abs(f - hi) else hi))
    return out


def wait_video_past(probe: Probe, pts: float, timeout: float) -> None:
    sink = probe.sink
    with sink.cond:
        assert sink.cond.wait_for(lambda: bool(sink.shown) and sink.shown[-1][0] >= pts, timeout)


def test_tracks_listed_by_language_and_title_default_first(audio_device: str) -> None:
    probe = Probe()
    try:
        probe.player.open(str(make_two_audio_tracks("mkv", default=1)))
        info = probe.wait_event(MediaOpened, 10).info
    finally:
        probe.close()
    tracks = [(t.index, t.name, t.language, t.default) for t in info.audio_tracks]
    assert tracks == [(0, "Main", "eng", False), (1, "Commentary", "fre", True)]


def test_mp4_tracks_are_named_by_their_name_box() -> None:
    from player.config import DEFAULT_CONFIG
    from player.sources.libav import LibavSource
    from player.sources.urls import classify

    src = LibavSource(classify(str(make_two_audio_tracks("mp4", default=None))), DEFAULT_CONFIG)
    try:
        info = src.open()
    finally:
        src.close()
    tracks = [(t.name, t.language, t.default) for t in info.media.audio_tracks]
    assert tracks == [("Main", "eng", True), ("Commentary", "fre", False)]
    assert info.audio is not None and info.audio.track == 0


def test_default_disposition_is_heard_and_a_switch_plays_on_without_a_gap(
    probe: Probe, tap: Tap
) -> None:
    lo, hi = TRACK_TONES
    probe.player.open(str(make_two_audio_tracks("mkv", default=0)))
    probe.wait_state(PlayerState.PLAYING, 10)
    wait_video_past(probe, 2.0, 10)
    switched_at = probe.player.position
    assert switched_at is not None
    shown_before = len(probe.sink.shown)
    events_before = len(probe.events)
    probe.player.select_audio_track(1)
    wait_video_past(probe, switched_at + 2.0, 10)
    with tap.lock:
        blocks = list(tap.blocks)
    tones = heard(blocks)
    assert tones[0][1] == lo  # the default-disposition stream first
    changes = [b[0] for a, b in itertools.pairwise(tones) if a[1] != b[1]]
    assert len(changes) == 1, changes
    assert tones[-1][1] == hi
    # heard from (about) the play position: within the queued lead plus a device buffer
    assert switched_at < changes[0] < switched_at + 0.5, (switched_at, changes)

    # No gap: around the switch every callback was filled, and each one's
    # first sample follows the last one's (pts continuous within a block).
    near = [b for b in blocks if b.first_pts is not None and abs(b.first_pts - changes[0]) < 0.5]
    assert len(near) > 50
    missing = sum(b.frames - len(b.samples) for b in near)
    block = near[0].frames
    assert missing <= block, f"{missing} samples of silence around the switch"
    jumps = [
        abs(b.first_pts - a.end_pts)
        for a, b in itertools.pairwise(near)
        if a.first_pts is not None and b.first_pts is not None
    ]
    assert max(jumps) <= block / 48_000 + 1e-3

    # The video did not stall: frames kept coming, no buffering after the switch.
    shown = probe.sink.shown[shown_before:]
    gaps = [b[1] - a[1] for a, b in itertools.pairwise(shown)]
    assert len(shown) >= 40 and max(gaps) < 0.25
    after = probe.events[events_before:]
    assert [e.state for e in after if isinstance(e, StateChanged)] == []


def test_the_chosen_track_stays_after_a_seek(probe: Probe, tap: Tap) -> None:
    lo, hi = TRACK_TONES
    probe.player.open(str(make_two_audio_tracks("mkv", default=0)))
    probe.wait_state(PlayerState.PLAYING, 10)
    wait_video_past(probe, 0.5, 10)
    probe.player.select_audio_track(1)
    wait_video_past(probe, 1.5, 10)
    with tap.lock:
        mark = len(tap.blocks)
    probe.player.seek(5.0)
    wait_video_past(probe, 6.5, 10)
    with tap.lock:
        after = heard(tap.blocks[mark:])
    played = [tone for pts, tone in after if pts >= 5.0]
    assert len(played) > 50 and set(played) == {hi}
    probe.player.select_audio_track(None)  # the file's default again
    wait_video_past(probe, 7.5, 10)
    with tap.lock:
        last = heard(tap.blocks[-20:])
    assert [tone for _, tone in last] == [lo] * len(last) and last


def test_aid_chosen_at_open_is_heard_from_the_start(probe: Probe, tap: Tap) -> None:
    """``heureum --aid 2``: the second track from the first sample, no switch.
    (The first sample is where the clock is when the device runs: the
    picture does not wait for a new PulseAudio stream, issue 13.)"""
    from player.config import OpenOptions

    hi = TRACK_TONES[1]
    probe.player.open(str(make_two_audio_tracks("mkv", default=0)), OpenOptions(audio_track=1))
    probe.wait_state(PlayerState.PLAYING, 10)

    def sounded() -> bool:  # the device runs, and 20 blocks of sound were out
        with tap.lock:
            return len(heard(tap.blocks)) > 20

    with probe.sink.cond:  # (each frame shown notifies it)
        assert probe.sink.cond.wait_for(sounded, 10)
    with tap.lock:
        tones = heard(tap.blocks)
    assert len(tones) > 20 and {tone for _, tone in tones} == {hi}
    with tap.lock:
        first = next(b for b in tap.blocks if b.first_pts is not None)
    assert first.first_pts == tones[0][0]  # the device's first sample is the track's
