"""Alternate audio and WebVTT subtitle renditions on a real FFmpeg-made
multivariant stream (``hls_media.renditions_vod``), through HlsSource and
through the engine's ``Player``."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from dataclasses import replace

import numpy as np
import pytest

from lab.origin import ThrottleServer
from player import Player, PlayerState, StateChanged, SubtitleChanged
from player.config import AudioConfig
from player.events import Event, MediaOpened, WarningRaised
from player.hls.hls_source import HlsSource
from player.source_api import DemuxPacket
from tests.support import hls_media
from tests.support.player_probe import TEST_CONFIG

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server() -> Iterator[ThrottleServer]:
    with ThrottleServer(hls_media.renditions_vod()) as srv:
        yield srv


def tone(frame_samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(frame_samples * np.hanning(len(frame_samples))))
    return float(np.fft.rfftfreq(len(frame_samples), 1 / rate)[int(np.argmax(spectrum))])


def tones(packets: list[DemuxPacket]) -> list[tuple[float, float]]:
    """(pts, dominant frequency) of every decoded audio frame, in pts order."""
    audio = sorted((p for p in packets if p.stream.kind == "audio"), key=lambda p: p.pts or 0)
    ctx = audio[0].stream.make_decoder()
    out = []
    for p in audio:
        for frame in ctx.decode(p.packet):
            samples = frame.to_ndarray().astype(np.float64).reshape(-1)
            out.append((p.pts or 0.0, tone(samples, frame.sample_rate)))
    return out


def test_tracks_listed_with_defaults(server: ThrottleServer) -> None:
    src = HlsSource(server.url("master.m3u8"))
    try:
        info = src.open().media
    finally:
        src.close()
    audio = [(t.index, t.kind, t.name, t.language, t.default) for t in info.audio_tracks]
    assert audio == [(0, "audio", "English", "en", True), (1, "audio", "French", "fr", False)]
    subs = [(t.name, t.language, t.default, t.autoselect) for t in info.subtitle_tracks]
    assert subs == [("English", "en", True, True), ("Deutsch", "de", False, False)]
    assert src.selected_tracks() == (0, 0)  # DEFAULT=YES honoured at start


def test_audio_switch_at_a_segment_boundary_with_continuous_timestamps(
    server: ThrottleServer,
) -> None:
    server.requests.clear()
    src = HlsSource(server.url("master.m3u8"))
    packets: list[DemuxPacket] = []
    try:
        src.open()
        src.set_playback_position(0.0)
        while (p := src.read()) is not None:
            packets.append(p)
            if p.pts is not None and p.pts > 2.5 and src.selected_tracks()[0] == 0:
                src.select_audio_track(1)
                switched_at = p.dts or p.pts
        assert src.selected_tracks()[0] == 1
    finally:
        src.close()
    audio = sorted(p.pts for p in packets if p.stream.kind == "audio" and p.pts is not None)
    steps = [b - a for a, b in itertools.pairwise(audio)]
    assert min(steps) > 0.015 and max(steps) < 0.03  # AAC frames: no gap, no overlap
    assert audio[0] == pytest.approx(0.0, abs=0.05) and audio[-1] > 7.9
    # one change of tone, 440 Hz → 1 kHz, at a French segment boundary after the read point
    lo, hi = hls_media.RENDITION_TONES
    heard = [(t, lo if abs(f - lo) < abs(f - hi) else hi) for t, f in tones(packets)]
    changes = [b[0] for a, b in itertools.pairwise(heard) if a[1] != b[1]]
    assert len(changes) == 1, changes
    assert heard[0][1] == lo and heard[-1][1] == hi
    french_starts = [2.005333 * k - 0.021333 for k in range(1, 4)]
    assert min(abs(changes[0] - s) for s in french_starts) < 0.03
    assert switched_at < changes[0] < switched_at + 2.1
    french = [r for r in server.requests if r.startswith("/v3/s")]
    assert french and "/v3/s000.ts" not in french  # fetched from the boundary on only


class Recorder:
    """Events with the player's position when they arrived (the engine emits
    SubtitleChanged right after reading the position for that tick)."""

    def __init__(self, player: Player) -> None:
        self.player = player
        self.cond = threading.Condition()
        self.events: list[tuple[Event, float | None]] = []
        player.subscribe(self.on_event)

    def on_event(self, e: Event) -> None:
        with self.cond:
            self.events.append((e, self.player.position))
            self.cond.notify_all()

    def wait(self, pred: object, timeout: float) -> None:
        def ready() -> bool:
            return any(pred(e) for e, _ in self.events)  # type: ignore[operator]

        with self.cond:
            assert self.cond.wait_for(ready, timeout), [type(e).__name__ for e, _ in self.events]

    def subtitles(self) -> list[tuple[str | None, float]]:
        with self.cond:
            events = self.events
            return [(e.text, pos or 0.0) for e, pos in events if isinstance(e, SubtitleChanged)]


def test_player_shows_subtitles_at_their_times_and_switches_track(
    server: ThrottleServer,
) -> None:
    config = replace(TEST_CONFIG, audio=AudioConfig(enabled=False))
    player = Player(config)
    rec = Recorder(player)
    try:
        player.open(server.url("master.m3u8"))
        rec.wait(lambda e: isinstance(e, MediaOpened), 10)
        rec.wait(lambda e: isinstance(e, SubtitleChanged) and e.text == "One", 10)
        rec.wait(lambda e: isinstance(e, SubtitleChanged) and e.text and "Two" in e.text, 10)
        player.select_subtitle_track(1)  # Deutsch from here on
        rec.wait(lambda e: isinstance(e, SubtitleChanged) and e.text == "Drei", 10)
        player.select_subtitle_track(None)  # off
        rec.wait(lambda e: isinstance(e, StateChanged) and e.state == PlayerState.ENDED, 15)
    finally:
        player.close()
    shown = rec.subtitles()
    texts = [t for t, _ in shown if t is not None]
    assert texts == ["One", "Two lines\nsecond line", "Zwei\nzweite Zeile", "Drei"]
    assert shown[-1][0] is None  # turned off, and nothing after
    at = {t: (i, pos) for i, (t, pos) in enumerate(shown) if t is not None}
    cues = {en: (a, b) for a, b, en, _de in hls_media.SUBTITLE_CUES}
    one, two, three = cues["One"], cues["Two <i>lines</i>\nsecond line"], cues["Three"]
    # every cue starts and ends on time (within a few engine ticks)...
    assert at["One"][1] == pytest.approx(one[0], abs=0.15)
    off = shown[at["One"][0] + 1]
    assert off[0] is None and off[1] == pytest.approx(one[1], abs=0.15)
    assert at["Two lines\nsecond line"][1] == pytest.approx(two[0], abs=0.15)
    # ...the German track took over within Two's time and ended when it does
    assert two[0] < at["Zwei\nzweite Zeile"][1] < two[0] + 0.5
    off = shown[at["Zwei\nzweite Zeile"][0] + 1]
    assert off[0] is None and off[1] == pytest.approx(two[1], abs=0.15)
    assert at["Drei"][1] == pytest.approx(three[0], abs=0.15)


def test_unavailable_audio_track_is_a_warning_and_playback_goes_on(
    server: ThrottleServer,
) -> None:
    server.faults["v3/index.m3u8"] = 404
    events: list[Event] = []
    src = HlsSource(server.url("master.m3u8"), emit=events.append)
    try:
        src.open()
        src.select_audio_track(1)
        packets = []
        while (p := src.read()) is not None:
            packets.append(p)
    finally:
        src.close()
        del server.faults["v3/index.m3u8"]
    assert src.selected_tracks()[0] == 0
    codes = [e.code for e in events if isinstance(e, WarningRaised)]
    assert codes == ["audio-track-failed"]
    audio = [p.pts for p in packets if p.stream.kind == "audio" and p.pts is not None]
    assert max(audio) > 7.9
