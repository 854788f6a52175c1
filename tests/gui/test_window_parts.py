"""The window's helpers and settings: play lists, names, geometry, stats rows,
translations, persistence, the demo."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from player.events import MediaInfo, VideoInfo
from player.stats import AbrStatus, AvOffsetStats, Bitrates, FrameCounts, SessionStats
from ui.i18n import I18N_DIR, install_language, translation_sources
from ui.main_window import MainWindow
from ui.play_queue import Playlist, is_hls_playlist, parse_m3u
from ui.render_common import fit_rect
from ui.screenshot import screenshot_name
from ui.settings import Settings
from ui.stats_overlay import stats_lines, view_counts_text

from .conftest import TIMEOUT_MS, wait_playing


def test_parse_m3u_resolves_relative_entries() -> None:
    text = "#EXTM3U\n#EXTINF:10,Intro\nintro.mp4\n\nhttps://cdn/x.m3u8\n/abs/b.mkv\n"
    entries = parse_m3u(text, "/media/list.m3u")
    assert [e.url for e in entries] == ["/media/intro.mp4", "https://cdn/x.m3u8", "/abs/b.mkv"]
    assert entries[0].title == "Intro" and entries[1].title == ""
    assert parse_m3u("a.ts\n", "http://h/p/list.m3u")[0].url == "http://h/p/a.ts"
    assert is_hls_playlist("#EXTM3U\n#EXT-X-TARGETDURATION:4\n")
    pl = Playlist(entries)
    assert pl.previous() is None and pl.next() == entries[1] and pl.next() == entries[2]
    assert pl.next() is None and pl.current == entries[2]


def test_fit_rect_letterboxes_and_pillarboxes() -> None:
    r = fit_rect(1000, 1000, 16 / 9)
    assert (r.width(), round(r.height())) == (1000, 562) and round(r.top()) == 219
    r = fit_rect(1000, 400, 4 / 3)
    assert (round(r.width()), r.height(), round(r.left())) == (533, 400, 233)


def test_screenshot_name_is_safe() -> None:
    assert screenshot_name("a/b: c?.mp4", 3723.5) == "a_b_c_.mp4_01-02-03.500.png"
    assert screenshot_name("", 0) == "heureum_00-00-00.000.png"


def test_stats_rows_hide_credentials() -> None:
    info = MediaInfo(
        url="rtsp://admin:hunter2@cam/live?token=abc",
        protocol="rtsp",
        container="rtsp",
        duration=None,
        is_live=True,
        seekable=False,
        video=VideoInfo("h264", 1920, 1080, 25.0, "yuv420p", 4_000_000),
        audio=None,
    )
    stats = SessionStats(
        frames=FrameCounts(presented=10, dropped=1, dropped_late=1, dropped_catchup=0),
        av_offset_last_ms=-3.0,
        buffer_s=1.5,
        live_latency_s=0.8,
    )
    text = repr(stats_lines(info, stats, "software", "x"))
    assert "hunter2" not in text and "abc" not in text
    for needle in ("1920×1080", "4000 kb/s", "-3.0 ms", "1.50 s", "0.80 s", "10 shown"):
        assert needle in text


def test_settings_round_trip(tmp_path: Path) -> None:
    s = Settings(str(tmp_path / "s.ini"))
    s.volume = 0.7
    s.rtsp_transport = "tcp"
    s.low_latency = True
    for url in ("a", "b", "a"):
        s.add_recent(url)
    s.sync()
    again = Settings(str(tmp_path / "s.ini"))
    assert again.volume == 0.7 and again.recent == ["a", "b"]
    opts = again.open_options()
    assert opts.rtsp_transport == "tcp" and opts.low_latency is True


def test_volume_and_geometry_persist(
    qtbot: QtBot, make_window: Callable[..., MainWindow], media: Path
) -> None:
    first = make_window()
    first.levels.set_volume(0.6)
    first.open_url(str(media))
    wait_playing(qtbot, first)
    first.resize(700, 500)
    first.close()
    second = make_window(resize=False)
    # restored from the settings into the player, and shown as it holds it
    assert second.player.volume == 0.6 and second.transport.volume_slider.value() == 60
    assert second.settings.recent[0] == str(media)
    assert second.size().width() == 700
    second.menus.recent_menu.actions()[0].trigger()
    wait_playing(qtbot, second)


def test_every_string_in_the_code_is_in_the_korean_file(tmp_path: Path) -> None:
    """Qt's own extractor over ui/: a string added without a translation shows
    up as new and unfinished."""
    ts = tmp_path / "ko.ts"
    shutil.copy(I18N_DIR / "heureum_ko.ts", ts)
    lupdate = Path(sys.executable).parent / "pyside6-lupdate"
    sources = [str(p) for p in translation_sources()]
    done = subprocess.run(
        [str(lupdate), *sources, "-ts", str(ts)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "(0 new " in done.stdout, done.stdout
    assert 'type="unfinished"' not in ts.read_text(encoding="utf-8")


def test_language_switches_to_korean_and_back(qtbot: QtBot, window: MainWindow) -> None:
    assert (I18N_DIR / "heureum_ko.qm").exists(), "run: python -m ui.i18n"
    source = (I18N_DIR / "heureum_ko.ts").read_text(encoding="utf-8")
    assert 'type="unfinished"' not in source, "every message has a Korean translation"
    window.set_language("ko")
    try:
        # Qt posts LanguageChange to every window
        qtbot.waitUntil(lambda: window.menus.file_menu.title() == "파일(&F)", timeout=TIMEOUT_MS)
        assert window.actions_by_name["screenshot"].text() == "자막 포함 스크린샷"
        assert window.transport.live_badge.text() == "실시간"
        assert window.menus.view_menu.title() == "보기(&V)"
        assert window.abr_panel.windowTitle() == "비트레이트와 버퍼"
        assert window.quality_menu.actions()[0].text() == "자동"
        assert "대역폭 추정" in window.abr_panel.status.text()
        # the overlay's bit-rate parts and the view's counters, not only its labels
        stats = SessionStats(bitrate_kbps=Bitrates(input=900.0, media=850.0, video=800.0))
        rows = dict(stats_lines(None, stats, "software", view_counts_text(3, 1, 4)))
        assert rows["비트레이트"] == "입력 900 · 미디어 850 · 비디오 800 kb/s"
        assert rows["이 창"] == "4 전달 중 3 그림, 1 합침"
    finally:
        window.set_language("en")
    qtbot.waitUntil(lambda: window.menus.file_menu.title() == "&File", timeout=TIMEOUT_MS)
    assert window.settings.language == "en"


def test_system_language_is_followed(monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtCore import QLocale

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    monkeypatch.setattr(QLocale, "system", staticmethod(lambda: QLocale("ko_KR")))
    try:
        assert install_language(app, "system") == "ko"
    finally:
        install_language(app, "en")


def test_demo_opens_when_no_url(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, media: Path
) -> None:
    import lab.demo
    from ui.app import start_demo

    def fake_demo(progress: Callable[[float, str], None]) -> Path:
        progress(0.5, "encoding")
        return media

    monkeypatch.delattr(lab.demo, "ensure_demo", raising=False)
    monkeypatch.setattr(lab.demo, "ensure_demo_file", fake_demo)
    start_demo(window)
    qtbot.waitUntil(lambda: window.current_url == str(media), timeout=TIMEOUT_MS)
    wait_playing(qtbot, window)


def test_quality_menu_lists_variants(qtbot: QtBot, window: MainWindow) -> None:
    from player.events import VariantInfo

    menu = window.quality_menu
    assert not menu.isEnabled()
    variants = (
        VariantInfo(0, 800_000, 640, 360),
        VariantInfo(1, 3_000_000, 1280, 720, frame_rate=60.0),
        VariantInfo(2, 96_000, name="audio only"),
    )
    menu.set_variants(variants)
    actions = [a for a in menu.actions() if not a.isSeparator()]
    assert [a.text() for a in actions] == [
        "Auto",
        "1280x720 60 fps · 3.0 Mb/s",
        "640x360 · 800 kb/s",
        "audio only · 96 kb/s",
    ]
    assert menu.isEnabled() and [a.isChecked() for a in actions] == [True, False, False, False]
    # Auto: the variant in use is checked too, and named next to Auto.
    menu.mark_current(1)
    assert [a.isChecked() for a in actions] == [True, True, False, False]
    assert actions[0].text() == "Auto (720p)"
    with qtbot.waitSignal(menu.variantChosen, timeout=TIMEOUT_MS) as chosen:
        actions[2].trigger()
    assert chosen.args == [0]
    # Locked: only the lock is checked (the switch to it follows), Auto is plain.
    assert [a.isChecked() for a in actions] == [False, False, True, False]
    assert actions[0].text() == "Auto" and menu.locked == 0
    menu.mark_current(0)
    assert [a.isChecked() for a in actions] == [False, False, True, False]
    # Triggering the checked Auto keeps it checked.
    with qtbot.waitSignal(menu.variantChosen, timeout=TIMEOUT_MS) as chosen:
        actions[0].trigger()
    assert chosen.args == [-1]
    assert [a.isChecked() for a in actions] == [True, False, True, False]
    assert actions[0].text() == "Auto (360p)"
    # New media: back to Auto with nothing in use.
    menu.set_variants(variants[:2])
    state: tuple[int | None, int | None] = (menu.locked, menu.current)
    assert state == (None, None)


def test_overlay_names_the_variant_estimate_and_buffer() -> None:
    from player.events import VariantInfo

    info = MediaInfo(
        url="https://cdn.example/live.m3u8", protocol="hls", container="mpegts",
        duration=None, is_live=True, seekable=False, video=None, audio=None,
        variants=(VariantInfo(0, 800_000, 640, 360), VariantInfo(1, 2_500_000, 1280, 720)),
    )  # fmt: skip
    abr = AbrStatus(0, 0, 800_000, estimate_bps=4_200_000, buffer_s=12.34, variants=2)
    stats = SessionStats(abr=abr, live_latency_s=3.5, buffer_s=1.5)
    rows = dict(stats_lines(info, stats, "software", "0"))
    assert rows["Variant"] == "640x360 · 800 kb/s (1/2, auto)"
    assert rows["Estimate"] == "4.2 Mb/s"
    # one Buffer row, not two: decoded ahead · fetched ahead
    assert rows["Buffer"] == "1.50 s · 12.3 s downloaded"
    assert [label for label, _ in stats_lines(info, stats, "", "")].count("Buffer") == 1
    assert rows["Live latency"] == "3.50 s"
    # A switch reported since the last stats wins; a lock is named.
    rows = dict(stats_lines(info, stats, "software", "0", current_variant=1, locked_variant=1))
    assert rows["Variant"] == "1280x720 · 2.5 Mb/s (2/2, locked)"


def test_live_media_shows_badge_latency_and_jump(qtbot: QtBot, window: MainWindow) -> None:
    from PySide6.QtCore import Qt

    from .conftest import press, spy

    info = MediaInfo(
        url="rtmp://localhost/live/cam", protocol="rtmp", container="flv", duration=None,
        is_live=True, seekable=False, video=None, audio=None,
    )  # fmt: skip
    window._on_media(info)
    t = window.transport
    assert t.live_badge.isVisible() and t.live_button.isVisible()
    assert not t.seek_bar.isVisible()
    t.set_times(12.0, None, None, 1.25)
    assert t.latency_label.text() == "latency 1.2 s" or t.latency_label.text() == "latency 1.3 s"
    press(qtbot, window, Qt.Key.Key_L)
    assert "seek_to_live" in spy(window).names()
    before = len(spy(window).calls)
    press(qtbot, window, Qt.Key.Key_Right)  # not seekable: nothing sent
    assert "seek_relative" not in [c[0] for c in spy(window).calls[before:]]


def test_overlay_shows_what_plays_and_what_loads_while_they_differ() -> None:
    from player.events import VariantInfo

    info = MediaInfo(
        url="https://cdn.example/vod.m3u8", protocol="hls", container="mpegts",
        duration=60.0, is_live=False, seekable=True, video=None, audio=None,
        variants=(VariantInfo(0, 800_000, 640, 360), VariantInfo(1, 2_500_000, 1280, 720)),
    )  # fmt: skip
    abr = AbrStatus(1, 0, 2_500_000, estimate_bps=4e6, buffer_s=9, variants=2)
    rows = dict(stats_lines(info, SessionStats(abr=abr), "software", "0"))
    assert rows["Variant"] == "640x360 · 800 kb/s (1/2, auto)"
    assert rows["Loading"] == "1280x720 · 2.5 Mb/s"
    both = SessionStats(abr=replace(abr, playing_index=1))
    assert "Loading" not in dict(stats_lines(info, both, "software", "0"))


def test_overlay_video_row_shows_the_picture_on_screen_and_the_speed() -> None:
    info = MediaInfo(
        url="https://cdn.example/vod.m3u8", protocol="hls", container="mpegts",
        duration=60.0, is_live=False, seekable=True, audio=None,
        video=VideoInfo("h264", 416, 234, 24.0, "yuv420p", 490_000),
    )  # fmt: skip
    rows = dict(stats_lines(info, SessionStats(speed=1.5), "software", "0"))
    assert rows["Video"] == "h264 416×234 yuv420p @ 24 fps, 490 kb/s"
    assert rows["Speed"] == "1.5×" and "speed" not in rows
    # Another variant plays now: its size, and no stale bit rate.
    rows = dict(stats_lines(info, None, "software", "0", frame_size=(640, 360)))
    assert rows["Video"] == "h264 640×360 yuv420p @ 24 fps"


def test_overlay_reads_the_typed_stats_and_a_closed_player_shows_its_state_only() -> None:
    closed = dict(stats_lines(None, SessionStats.closed("stopped"), "software", "0"))
    assert closed == {"State": "stopped", "Renderer": "software", "This window": "0"}
    stats = SessionStats(
        url="https://user:pw@cdn.example/a.mp4",
        protocol="https",
        container="mov,mp4",
        state="playing",
        position_s=12.5,
        buffer_s=2.0,
        frames=FrameCounts(
            presented=300, dropped=6, dropped_late=2, dropped_catchup=1, dropped_decoder=3
        ),
        av_offset_last_ms=1.5,
        av_offset_ms=AvOffsetStats(count=10, mean=1.0, p50=1.0, p95=2.5, p99=3.0, max=4.0),
        rebuffer_count=1,
        rebuffer_seconds=0.75,
        time_to_first_frame_s=0.321,
        reconnects=2,
        seeks=1,
        bitrate_kbps=Bitrates(input=900.0, media=800.0, video=700.0, audio=100.0),
        video_decoder="vaapi",
    )
    rows = dict(stats_lines(None, stats, "opengl", "x"))
    assert "pw" not in rows["URL"] and rows["Protocol"] == "https / mov,mp4"
    assert rows["Frames"] == "300 shown, 6 dropped (2 late, 1 catch-up, 3 decoder)"
    assert rows["A/V offset"] == "+1.5 ms (|p95| 2.5 ms, |max| 4.0 ms)"
    assert rows["Stalls"] == "1 (0.75 s)" and rows["First frame"] == "0.321 s"
    assert rows["Bitrate"] == "input 900 · media 800 · video 700 · audio 100 kb/s"
    assert rows["Counters"] == "reconnects 2, seeks 1, decode errors 0, audio underruns 0"
    assert (rows["Position"], rows["Buffer"], rows["Speed"]) == ("12.50 s", "2.00 s", "1×")
    assert rows["Video decoder"] == "vaapi" and "Variant" not in rows  # no ladder, no rung
