"""A file's audio tracks: the shared selection, the buffer cut, and the audio
decoder's switch driven step by step on the test's thread with real AAC
packets of a two-track MKV (no device, no clock)."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field

import av.stream
import numpy as np
import pytest

from player.audio_buffer import AudioBuffer
from player.clock import ManualClock
from player.config import DEFAULT_CONFIG
from player.decode import SWITCH_LEAD, AudioDecoder
from player.metrics import SessionMetrics
from player.queues import MediaQueue
from player.source_api import DemuxPacket
from player.sources.audio_streams import audio_track_infos, default_audio
from player.sources.libav import LibavSource
from player.sources.urls import classify
from player.track_selection import TrackSelection
from tests.support.audio_tracks_media import TRACK_TONES, make_two_audio_tracks

RATE = 48_000
BLOCK = 1024


@dataclass
class Context:
    stopping: threading.Event = field(default_factory=threading.Event)
    serial: int = 0
    drop_before: float | None = None
    speed: float = 1.0
    metrics: SessionMetrics = field(default_factory=lambda: SessionMetrics(ManualClock()))
    clock: ManualClock = field(default_factory=ManualClock)

    def video_lateness(self, pts: float) -> float | None:
        return None  # audio only: nothing is timed against a frame

    def fail_from_thread(self, exc: BaseException) -> None:
        raise exc

    def on_decode_error(self, kind: str, exc: BaseException) -> None:
        raise AssertionError(f"{kind}: {exc}")


def test_selection_counts_changes_and_refuses_missing_tracks() -> None:
    sel = TrackSelection(0, 2)
    assert sel.current() == (0, 0)
    sel.select(0)
    assert sel.current() == (0, 0)  # no change, no switch
    sel.select(1)
    assert sel.current() == (1, 1)
    with pytest.raises(ValueError, match="no audio track 2"):
        sel.select(2)
    with pytest.raises(ValueError):
        sel.select(-1)
    assert sel.current() == (1, 1)


def test_buffer_cut_keeps_what_comes_before_the_point() -> None:
    buf = AudioBuffer(RATE, 2, max_seconds=10, clock=ManualClock())
    for k in range(4):  # four 0.5 s chunks from 0.0
        assert buf.put(k * 0.5, np.full((RATE // 2, 2), k, np.float32), 1.0, 0.1)
    out = np.zeros((RATE // 4, 2), np.float32)
    buf.read_into(out, 1.0)
    assert buf.head_pts == pytest.approx(0.25)
    buf.cut_from(1.2)
    assert buf.end_pts == pytest.approx(1.2)
    assert buf.seconds == pytest.approx(0.95)
    buf.cut_from(0.1)  # before the head: only what the device has not taken goes
    assert buf.seconds == 0.0 and buf.head_pts is None
    assert buf.put(0.25, np.zeros((10, 2), np.float32), 1.0, 0.1)


def _packets() -> tuple[list[DemuxPacket], TrackSelection]:
    src = LibavSource(classify(str(make_two_audio_tracks("mkv"))), DEFAULT_CONFIG)
    info = src.open()
    packets = []
    try:
        while (p := src.read()) is not None:
            if p.stream.kind == "audio":
                packets.append(p)
    finally:
        src.close()
    assert info.audio is not None and info.audio.selection is not None
    return packets, info.audio.selection


def _tone(samples: np.ndarray) -> float:
    mono = samples.mean(axis=1)
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(len(mono))))
    f = float(np.fft.rfftfreq(len(mono), 1 / RATE)[int(np.argmax(spectrum))])
    lo, hi = TRACK_TONES
    return lo if abs(f - lo) < abs(f - hi) else hi


def test_switch_cuts_the_old_track_after_the_lead_and_continues_with_the_new() -> None:
    packets, selection = _packets()
    ctx = Context()
    buf = AudioBuffer(RATE, 2, max_seconds=30, clock=ctx.clock)
    dec = AudioDecoder(ctx, MediaQueue(1e9, 1 << 40, clock=ctx.clock), buf, lambda serial: None)
    dec.serial = 0  # what its loop sets from the first packet's serial
    early = [p for p in packets if p.pts is not None and p.pts < 2.0]
    late = packets[len(early) :]
    for p in early:
        if dec._wanted(p, 0):
            dec._decode(p, 0)
    head = np.zeros((RATE, 2), np.float32)
    written, first, _, _ = buf.read_into(head, 1.0)  # the device took the first second
    assert written == RATE and first is not None and _tone(head) == TRACK_TONES[0]
    selection.select(1)
    dec._idle()  # what the decoder thread does between packets
    for p in late:
        if dec._wanted(p, 0):
            dec._decode(p, 0)
    blocks: list[tuple[float, float, float, float]] = []  # (first pts, end pts, tone, rms)
    out = np.zeros((BLOCK, 2), np.float32)
    while True:
        n, start, _, end = buf.read_into(out, 1.0)
        if n < BLOCK:
            break
        assert start is not None
        blocks.append((start, end, _tone(out), float(np.sqrt(np.mean(out**2)))))
    assert blocks[0][0] == pytest.approx(first + 1.0, abs=1e-3)
    # continuous: each block starts where the one before ended
    assert all(abs(b[0] - a[1]) < 1e-4 for a, b in itertools.pairwise(blocks))
    changes = [b[0] for a, b in itertools.pairwise(blocks) if a[2] != b[2]]
    assert len(changes) == 1
    assert changes[0] == pytest.approx(first + 1.0 + SWITCH_LEAD, abs=BLOCK / RATE + 1e-3)
    assert blocks[-1][2] == TRACK_TONES[1] and blocks[-1][1] > 7.5
    # the new track is at full level from the cut on
    after = [b for b in blocks if b[0] >= changes[0]]
    steady = float(np.median([b[3] for b in after]))
    assert min(b[3] for b in after[:4]) > 0.8 * steady


def test_switching_back_at_once_returns_to_the_first_track_without_a_hole() -> None:
    """Every track's packets are kept, the heard one's too: 0 → 1 → 0 within
    the buffered second decodes track 0 again from the new cut."""
    packets, selection = _packets()
    ctx = Context()
    buf = AudioBuffer(RATE, 2, max_seconds=30, clock=ctx.clock)
    dec = AudioDecoder(ctx, MediaQueue(1e9, 1 << 40, clock=ctx.clock), buf, lambda serial: None)
    dec.serial = 0  # what its loop sets from the first packet's serial
    early = [p for p in packets if p.pts is not None and p.pts < 2.0]
    for p in early:
        if dec._wanted(p, 0):
            dec._decode(p, 0)
    out = np.zeros((RATE // 2, 2), np.float32)
    _, first, _, _ = buf.read_into(out, 1.0)
    assert first is not None
    selection.select(1)
    dec._idle()
    part = np.zeros((BLOCK * 10, 2), np.float32)
    buf.read_into(part, 1.0)  # the device moved on by ten blocks
    selection.select(0)
    dec._idle()
    for p in packets[len(early) :]:
        if dec._wanted(p, 0):
            dec._decode(p, 0)
    tones: list[tuple[float, float, float]] = []
    block = np.zeros((BLOCK, 2), np.float32)
    while (got := buf.read_into(block, 1.0))[0] == BLOCK:
        assert got[1] is not None
        tones.append((got[1], got[3], _tone(block)))
    assert all(abs(b[0] - a[1]) < 1e-4 for a, b in itertools.pairwise(tones))
    changes = [b[0] for a, b in itertools.pairwise(tones) if a[2] != b[2]]
    assert len(changes) == 1  # track 1 tail, then track 0 to the end
    assert tones[0][2] == TRACK_TONES[1] and tones[-1][2] == TRACK_TONES[0]
    back_at = first + 0.5 + 10 * BLOCK / RATE + SWITCH_LEAD
    assert changes[0] == pytest.approx(back_at, abs=BLOCK / RATE + 1e-3)
    assert tones[-1][1] > 7.5


@dataclass
class FakeStream:
    """What ``audio_streams`` reads of a PyAV stream."""

    metadata: dict[str, str]
    disposition: av.stream.Disposition = field(default_factory=lambda: av.stream.Disposition(0))


def test_the_default_disposition_plays_first_else_the_first_stream() -> None:
    plain, marked = FakeStream({}), FakeStream({}, av.stream.Disposition.default)
    commentary = FakeStream({}, av.stream.Disposition.comment)
    assert default_audio([plain, marked]) == 1
    assert default_audio([commentary, plain]) == 0  # none marked default: the first
    assert default_audio([marked, marked]) == 0


def test_tracks_are_named_by_title_name_or_a_handler_a_person_wrote() -> None:
    streams = [
        FakeStream({"title": "Director", "language": "eng", "name": "x"}),
        FakeStream({"name": "Commentary", "language": "und"}),
        FakeStream({"handler_name": "SoundHandler", "language": "kor"}),
        FakeStream({"handler_name": "Stereo mix"}),
    ]
    infos = audio_track_infos(streams, chosen=2)
    named = [(t.index, t.name, t.language, t.default) for t in infos]
    assert named == [
        (0, "Director", "eng", False),
        (1, "Commentary", None, False),  # "und": no language to show
        (2, "Track 3", "kor", True),
        (3, "Stereo mix", None, False),
    ]
