"""What plays of one file, chosen when it opens (the command line's --end,
--sub-file, --sid and --aid no), through the Player with the real engine."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from player import EndOfStream, ErrorOccurred, MediaOpened, PlayerState, SubtitleChanged
from player.config import AudioConfig, OpenOptions
from player.events import WarningRaised
from tests.support.player_probe import TEST_CONFIG, Probe
from tests.support.subtitle_media import make_subtitled

pytestmark = pytest.mark.integration


@pytest.fixture
def probe(audio_device: str) -> Iterator[Probe]:
    p = Probe()
    yield p
    p.close()


@pytest.fixture
def silent() -> Iterator[Probe]:
    p = Probe(replace(TEST_CONFIG, audio=AudioConfig(enabled=False)))
    yield p
    p.close()


def _texts(probe: Probe) -> list[str]:
    return [e.text for e in probe.events if isinstance(e, SubtitleChanged) and e.text]


def test_end_stops_there_as_at_the_end_without_a_complaint(silent: Probe, av_file: Path) -> None:
    silent.player.open(str(av_file), OpenOptions(start_position=1.0, end_position=2.5))
    silent.wait_event(EndOfStream, 20)
    assert silent.states()[-1] == PlayerState.ENDED
    shown = [pts for pts, _ in silent.sink.shown]
    assert shown, "nothing was shown"
    # the last frame shown is the one at the end time, within a frame (30 fps)
    assert 2.5 - 0.05 <= shown[-1] <= 2.5 + 0.05
    assert 0.9 <= shown[0] <= 1.1
    assert silent.of(ErrorOccurred) == []  # not "the stream ended early"


def test_a_subtitle_file_is_added_and_shown(probe: Probe, tmp_path: Path) -> None:
    vtt = tmp_path / "extra.vtt"
    vtt.write_text("WEBVTT\n\n00:00.000 --> 00:03.900\nFrom the command line\n", encoding="utf-8")
    probe.player.open(str(make_subtitled("mkv")), OpenOptions(subtitle_files=(str(vtt),)))
    info = probe.wait_event(MediaOpened, 10).info
    tracks = [(t.name, t.default) for t in info.subtitle_tracks]
    assert ("extra.vtt", True) in tracks and len(tracks) == 2
    probe.wait_event(SubtitleChanged, 10, lambda e: e.text == "From the command line")
    assert set(_texts(probe)) == {"From the command line"}


def test_sid_picks_a_track_and_no_turns_the_default_off(probe: Probe) -> None:
    # MKV's SubRip stream is not a default one: --sid 1 shows it anyway
    probe.player.open(str(make_subtitled("mkv")), OpenOptions(subtitle_track=0))
    probe.wait_event(SubtitleChanged, 10, lambda e: "Second" in (e.text or ""))
    # MP4's mov_text is flagged default (shown unasked): --sid no hides it
    probe.clear_events()
    probe.player.open(str(make_subtitled("mp4")), OpenOptions(subtitle_track="no"))
    probe.wait_event(EndOfStream, 20)
    assert _texts(probe) == []


def test_a_track_that_is_not_there_is_a_warning_and_it_plays(probe: Probe, tmp_path: Path) -> None:
    probe.player.open(
        str(make_subtitled("mkv")),
        OpenOptions(subtitle_track=4, subtitle_files=(str(tmp_path / "missing.srt"),)),
    )
    probe.wait_state(PlayerState.PLAYING, 10)
    found = {w.code: w.message for w in probe.of(WarningRaised)}
    assert found["no-such-subtitle-track"] == (
        "there is no subtitle track 5 (it has 1); subtitles are off"
    )
    assert found["subtitle-file"].startswith("cannot use the subtitle file ")


def test_aid_no_plays_the_picture_alone(probe: Probe, av_file: Path) -> None:
    probe.player.open(str(av_file), OpenOptions(audio_track="no"))
    probe.wait_event(EndOfStream, 20)
    report = probe.report()
    assert report["state"] == "ended" and report["frames"]["presented"] >= 100
    assert report.get("time_to_first_audio_s") is None
    assert "audio" not in report  # no device was opened for it
    assert [w.code for w in probe.of(WarningRaised)] == []


def test_hls_takes_aid_and_sid_before_its_first_segment(silent: Probe) -> None:
    """The renditions asked for are the first fetched: French audio (v3), the
    German subtitles, none of the English defaults."""
    from lab.origin import ThrottleServer
    from tests.support import hls_media

    with ThrottleServer(hls_media.renditions_vod()) as server:
        silent.player.open(server.url("master.m3u8"), OpenOptions(audio_track=1, subtitle_track=1))
        silent.wait_event(SubtitleChanged, 15, lambda e: e.text == "Drei")
        requests = list(server.requests)
    assert any(p.startswith("/v3/") for p in requests)
    assert not any(p.startswith(("/v2/", "/en/")) for p in requests), requests
    assert _texts(silent)[0] == "Eins"


def test_hls_lacking_the_track_warns_numbered_from_one(silent: Probe) -> None:
    from lab.origin import ThrottleServer
    from tests.support import hls_media

    with ThrottleServer(hls_media.renditions_vod()) as server:
        silent.player.open(server.url("master.m3u8"), OpenOptions(audio_track=4))
        silent.wait_state(PlayerState.PLAYING, 15)
    found = [w.message for w in silent.of(WarningRaised) if w.code == "no-such-audio-track"]
    assert found == ["there is no audio track 5 (it has 2); playing the default one"]
