"""Settings → Network → ABR policy in the real window: the choice is saved,
the next HLS stream opened plays with it (the engine's stats name it), a
new window starts with it, and a URL's own option (``--abr-policy``) wins."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from lab.origin import ThrottleServer
from player.config import OpenOptions
from tests.gui.conftest import TIMEOUT_MS, spy, wait_playing
from tests.support import hls_media
from ui.main_window import MainWindow
from ui.settings import Settings


def _policy_played(qtbot: QtBot, window: MainWindow) -> str | None:
    wait_playing(qtbot, window)
    qtbot.waitUntil(lambda: window.player.stats().abr is not None, timeout=TIMEOUT_MS)
    abr = window.player.stats().abr
    assert abr is not None
    return abr.policy


def _checked(window: MainWindow) -> list[str]:
    actions = window.menus.abr_policy_menu.policy_actions
    return [name for name, act in actions.items() if act.isChecked()]


def test_the_abr_policy_setting_reaches_the_next_stream_and_is_kept(
    qtbot: QtBot, make_window: Callable[..., MainWindow]
) -> None:
    window = make_window()
    menus = window.menus
    # under Settings → Network, the default checked
    assert menus.abr_policy_menu.menuAction() in menus.network_menu.actions()
    assert _checked(window) == ["mpc"]
    assert menus.abr_policy_menu.title() == "ABR policy"
    with ThrottleServer(hls_media.muxed_ladder_vod(seconds=6.0)) as server:
        url = server.url("master.m3u8")
        window.open_url(url)
        assert _policy_played(qtbot, window) == "mpc"

        menus.abr_policy_menu.policy_actions["hybrid"].trigger()
        assert _checked(window) == ["hybrid"]  # one at a time
        window.settings.sync()
        assert Settings().abr_policy == "hybrid"  # saved in the file, not only held

        window.open_url(url)
        assert _policy_played(qtbot, window) == "hybrid"
        options = spy(window).last("open")[0][1]
        assert isinstance(options, OpenOptions) and options.abr_policy == "hybrid"
        window.close()

        # a new window reads the saved choice; a URL's own option wins over it
        again = make_window()
        assert _checked(again) == ["hybrid"]
        again.open_url(url, OpenOptions(abr_policy="mpc"))
        assert _policy_played(qtbot, again) == "mpc"


def test_the_abr_policy_menu_speaks_korean(qtbot: QtBot, window: MainWindow) -> None:
    menu = window.menus.abr_policy_menu
    window.set_language("ko")
    try:
        qtbot.waitUntil(lambda: menu.title() == "ABR 정책", timeout=TIMEOUT_MS)
        assert menu.policy_actions["mpc"].text().startswith("모델 예측")
        assert menu.policy_actions["hybrid"].text().startswith("하이브리드")
    finally:
        window.set_language("en")
    qtbot.waitUntil(lambda: menu.title() == "ABR policy", timeout=TIMEOUT_MS)


def test_a_policy_name_this_version_does_not_know_reads_as_the_default(tmp_path: Path) -> None:
    path = tmp_path / "odd.ini"
    path.write_text("[network]\nabr_policy=pensieve\n", encoding="utf-8")
    settings = Settings(str(path))
    assert settings.abr_policy == "mpc"
    assert settings.open_options().abr_policy is None  # the default: no choice to honour
    settings.abr_policy = "hybrid"
    settings.abr_policy = "bola"  # an unknown name saves the default, not itself
    assert settings.abr_policy == "mpc"
    settings.abr_policy = "hybrid"
    settings.sync()
    assert Settings(str(path)).open_options().abr_policy == "hybrid"


def test_the_stats_overlay_names_the_policy_that_runs() -> None:
    from player.stats import AbrStatus, SessionStats
    from ui.stats_overlay import stats_lines

    abr = AbrStatus(0, 0, 800_000, estimate_bps=4e6, buffer_s=9.0, variants=2, policy="mpc")
    rows = dict(stats_lines(None, SessionStats(abr=abr), "software", ""))
    assert rows["ABR policy"] == "mpc"
    # a status that names none (a report from before) has no such row
    unnamed = SessionStats(abr=replace(abr, policy=None))
    assert "ABR policy" not in dict(stats_lines(None, unnamed, "software", ""))


def test_a_policy_chosen_in_settings_is_said_unused_on_a_file_and_the_default_is_not(
    qtbot: QtBot, window: MainWindow, media: Path
) -> None:
    window.open_url(str(media))
    wait_playing(qtbot, window)
    assert "ABR" not in window.messages.label.text()  # the default: nothing asked
    window.menus.abr_policy_menu.policy_actions["hybrid"].trigger()
    window.open_url(str(media))
    wait_playing(qtbot, window)
    qtbot.waitUntil(lambda: window.messages.level == "warning", timeout=TIMEOUT_MS)
    text = window.messages.label.text()
    assert "ABR policy hybrid is not used" in text and "HLS only" in text
    report: dict[str, Any] = window.player.report()
    assert [w["code"] for w in report["warnings"]] == ["abr-policy-unused"]
