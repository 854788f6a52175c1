"""Subtitles of local files through the Player: the file's own SubRip and
mov_text streams, a file beside it, one loaded by hand, and the delay."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from player import MediaOpened, SubtitleChanged, TracksChanged
from player.config import OpenOptions
from tests.support.player_probe import Probe
from tests.support.subtitle_media import KOREAN_SRT, make_subtitled


@pytest.fixture
def probe(audio_device: str) -> Iterator[Probe]:
    p = Probe()
    yield p
    p.close()


def _shown(probe: Probe) -> list[tuple[float, str | None]]:
    return [(e.t, e.text) for e in probe.events if isinstance(e, SubtitleChanged)]


@pytest.mark.parametrize("container", ["mkv", "mp4"])
def test_the_files_own_text_stream_is_shown_on_time(probe: Probe, container: str) -> None:
    media = make_subtitled(container)
    probe.player.open(str(media))
    info = probe.wait_event(MediaOpened, 10).info
    # One English track; ffmpeg flags MP4's mov_text as the default (shown at
    # once), MKV's SubRip not (chosen here).
    assert [(t.language, t.default) for t in info.subtitle_tracks] == [("en", container == "mp4")]
    probe.player.select_subtitle_track(0)
    probe.wait_event(SubtitleChanged, 10, lambda e: "Second" in (e.text or ""))
    texts = [text for _, text in _shown(probe) if text]
    assert texts[-1] == "Second line\nthat wraps"
    if texts[0] != texts[-1]:
        assert texts[0] == "Hello world"


def test_a_sidecar_in_the_windows_language_and_the_delay(probe: Probe, tmp_path: Path) -> None:
    media = tmp_path / "clip.mkv"
    shutil.copy(make_subtitled("mkv"), media)
    (tmp_path / "clip.ko.srt").write_text(KOREAN_SRT, encoding="utf-8")
    probe.player.set_subtitle_delay(1.0)
    probe.player.open(str(media), OpenOptions(subtitle_languages=("ko",)))
    info = probe.wait_event(MediaOpened, 10).info
    tracks = [(t.name, t.language, t.default) for t in info.subtitle_tracks]
    assert ("clip.ko.srt", "ko", True) in tracks and len(tracks) == 2
    probe.wait_event(SubtitleChanged, 10, lambda e: e.text == "안녕하세요")
    first = next(t for t, text in _shown(probe) if text == "안녕하세요")
    # The cue starts at 0.5 s; a 1 s delay shows it from 1.5 s of the session
    # (the session clock runs ahead of the media position by the start-up).
    assert first >= 1.4
    assert probe.player.subtitle_delay == 1.0


def test_a_file_loaded_by_hand_joins_the_tracks(probe: Probe, tmp_path: Path) -> None:
    media = make_subtitled("mkv")
    vtt = tmp_path / "extra.vtt"
    vtt.write_text("WEBVTT\n\n00:00.000 --> 00:03.900\nLoaded by hand\n", encoding="utf-8")
    probe.player.open(str(media))
    probe.wait_event(MediaOpened, 10)
    probe.player.load_subtitles(str(vtt))
    changed = probe.wait_event(TracksChanged, 5).info
    assert [t.name for t in changed.subtitle_tracks][-1] == "extra.vtt"
    assert changed.subtitle_tracks[-1].default
    probe.wait_event(SubtitleChanged, 10, lambda e: e.text == "Loaded by hand")


def test_open_does_not_wait_for_the_subtitle_listing(probe: Probe, tmp_path: Path) -> None:
    """The listing opens the file a second time (PyAV) off the caller's
    thread: a sidecar that is a named pipe holds it, and still ``open``
    returns, the picture plays, and the tracks follow as TracksChanged."""
    media = tmp_path / "clip.mkv"
    shutil.copy(make_subtitled("mkv"), media)
    pipe = tmp_path / "clip.ko.srt"
    os.mkfifo(pipe)
    opener = threading.Thread(target=probe.player.open, args=(str(media),), daemon=True)
    try:
        opener.start()
        opener.join(10)
        assert not opener.is_alive(), "Player.open waited for the subtitle listing"
        assert probe.wait_event(MediaOpened, 10).info.subtitle_tracks == ()
        probe.wait_frames(3, 10)
        assert not any(isinstance(e, TracksChanged) for e in probe.events)
    finally:
        _write_pipe(pipe, KOREAN_SRT)
    changed = probe.wait_event(TracksChanged, 10).info
    # the sidecar first and chosen (a file beats an undefaulted stream), then the MKV's own
    tracks = [(t.name, t.language, t.default) for t in changed.subtitle_tracks]
    assert tracks[0] == ("clip.ko.srt", "ko", True) and len(tracks) == 2
    assert tracks[1][1:] == ("en", False)
    probe.wait_event(SubtitleChanged, 10, lambda e: e.text == "안녕하세요")


def _write_pipe(pipe: Path, text: str) -> None:
    try:
        fd = os.open(pipe, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:
        return  # nobody reads it (any more)
    with os.fdopen(fd, "w", encoding="utf-8") as writer:
        writer.write(text)
