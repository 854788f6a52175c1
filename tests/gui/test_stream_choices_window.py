"""The command line's choices of what plays, in the real window: the options
``heureum`` hands the window (--variant, --sub-file, --sid, --aid, --end)
reach the engine, and the window's own habits do not undo them."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from lab.origin import ThrottleServer
from player.config import OpenOptions
from player.events import PlayerState
from tests.gui.conftest import TIMEOUT_MS, wait_playing, wait_state
from tests.support import hls_media
from tests.support.audio_tracks_media import make_two_audio_tracks
from tests.support.subtitle_media import make_subtitled
from ui.main_window import MainWindow


def test_variant_pins_the_rung_in_the_window(qtbot: QtBot, window: MainWindow) -> None:
    with ThrottleServer(hls_media.muxed_ladder_vod(seconds=6.0)) as server:
        window.open_url(server.url("master.m3u8"), OpenOptions(variant=0))
        wait_playing(qtbot, window)
        frame = window.view.current_frame
        assert frame is not None and (frame.width, frame.height) == (320, 180)
        # the Quality menu shows the pin as a lock, not "Auto"
        assert window.quality_menu.locked == 0
        checked = [a.text() for a in window.quality_menu.actions() if a.isChecked()]
        assert len(checked) == 1 and checked[0].startswith("320x180"), checked
        wait_state(qtbot, window, PlayerState.ENDED)
        # the view would have allowed the top rung: only the pinned one was fetched
        fetched = {p.split("/")[1] for p in server.requests if p.endswith(".ts")}
    assert fetched == {"v0"}


def test_a_subtitle_file_shows_and_end_stops_there(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    vtt = tmp_path / "cli.vtt"
    vtt.write_text("WEBVTT\n\n00:00.000 --> 00:03.000\nGiven on the command line\n", "utf-8")
    window.settings.language = "en"  # the file's English track would be the window's pick
    window.open_url(
        str(make_subtitled("mkv")), OpenOptions(subtitle_files=(str(vtt),), end_position=2.0)
    )
    qtbot.waitUntil(
        lambda: window.subtitle_label.text() == "Given on the command line", timeout=TIMEOUT_MS
    )
    checked = [a.text() for a in window.menus.subtitles_menu.actions() if a.isChecked()]
    assert checked == ["cli.vtt"]
    wait_state(qtbot, window, PlayerState.ENDED)
    frame = window.view.current_frame
    assert frame is not None and 1.9 <= frame.pts <= 2.1  # not the file's 4 s
    assert window.messages.level != "error"


def test_sid_no_wins_over_the_window_language(qtbot: QtBot, window: MainWindow) -> None:
    window.settings.language = "en"
    window.open_url(str(make_subtitled("mkv")), OpenOptions(subtitle_track="no"))
    wait_playing(qtbot, window, min_frames=1)
    wait_state(qtbot, window, PlayerState.ENDED)  # past both cues
    assert window.subtitle_label.text() in ("", None)
    assert [a.text() for a in window.menus.subtitles_menu.actions() if a.isChecked()] == ["Off"]


def test_aid_is_checked_in_the_audio_menu(qtbot: QtBot, window: MainWindow) -> None:
    window.open_url(str(make_two_audio_tracks("mkv", default=0)), OpenOptions(audio_track=1))
    wait_playing(qtbot, window, min_frames=1)
    checked = [a.text() for a in window.menus.audio_tracks_menu.actions() if a.isChecked()]
    assert len(checked) == 1 and "Commentary" in checked[0]


def test_pinning_a_file_is_a_warning_in_the_window(
    qtbot: QtBot, window: MainWindow, media: Path
) -> None:
    window.open_url(str(media), OpenOptions(max_height=720))
    wait_playing(qtbot, window)
    assert window.messages.level == "warning"
    assert "no variants to choose from" in window.messages.label.text()
