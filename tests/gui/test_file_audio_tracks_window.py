"""A file's audio tracks in the window: Audio → Audio track lists both by
title and language with the default checked, and choosing the second reaches
the player while the video plays on."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from player.events import PlayerState
from tests.gui.conftest import TIMEOUT_MS, spy, wait_playing
from tests.support.audio_tracks_media import make_two_audio_tracks
from ui.main_window import MainWindow


def test_audio_menu_lists_the_file_tracks_and_switches(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    window.open_url(str(make_two_audio_tracks("mkv", default=0)))
    wait_playing(qtbot, window, min_frames=3)
    menu = window.menus.audio_tracks_menu
    assert menu.isEnabled()
    actions = menu.actions()
    assert [a.text() for a in actions] == ["Main (eng)", "Commentary (fre)"]
    assert [a.isChecked() for a in actions] == [True, False]
    painted = window.view.painted
    actions[1].trigger()
    assert spy(window).last("select_audio_track") == ((1,), {})
    assert [a.isChecked() for a in menu.actions()] == [False, True]
    # the source took the choice (its shared selection moved) ...
    session = spy(window)._real._session
    assert session is not None and session.info is not None and session.info.audio is not None
    selection = session.info.audio.selection
    assert selection is not None and selection.current()[0] == 1
    # ... and playback went on: new frames painted, still playing, no error shown
    qtbot.waitUntil(lambda: window.view.painted >= painted + 10, timeout=TIMEOUT_MS)
    assert window.state == PlayerState.PLAYING
    assert not window.messages.isVisible()
    # loading subtitles refills the menus (TracksChanged): the choice stays checked
    srt = tmp_path / "extra.srt"
    srt.write_text("1\n00:00:00,000 --> 00:00:09,000\nHi\n", encoding="utf-8")
    window.opener.load_subtitle_file(str(srt))
    qtbot.waitUntil(
        lambda: "extra.srt" in [a.text() for a in window.menus.subtitles_menu.actions()],
        timeout=TIMEOUT_MS,
    )
    checked = [a.text() for a in window.menus.audio_tracks_menu.actions() if a.isChecked()]
    assert checked == ["Commentary (fre)"]
    # a new file starts from its own default again
    window.open_url(str(make_two_audio_tracks("mkv", default=0)))
    wait_playing(qtbot, window, min_frames=1)
    checked = [a.text() for a in window.menus.audio_tracks_menu.actions() if a.isChecked()]
    assert checked == ["Main (eng)"]


def test_a_file_with_one_audio_stream_offers_no_track_choice(
    qtbot: QtBot, window: MainWindow, media: object
) -> None:
    window.open_url(str(media))
    wait_playing(qtbot, window, min_frames=1)
    assert window.menus.audio_tracks_menu.actions() == []
    assert not window.menus.audio_tracks_menu.isEnabled()
