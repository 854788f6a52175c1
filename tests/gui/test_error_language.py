"""Errors and warnings read in the window's language: the Korean UI shows a
failure or a warning in Korean, with the event's own details (the path, the
reason) filled in, and English again after switching back."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from player.events import WarningRaised
from player.warning_text import WarningCode
from tests.support import hls_media
from tests.support.faulty_http import FaultyHttpServer, SegmentFault
from ui.main_window import MainWindow

from .conftest import TIMEOUT_MS


def _error_text(qtbot: QtBot, window: MainWindow, url: str) -> str:
    before = len(window.messages.history)
    window.open_url(url)
    qtbot.waitUntil(
        lambda: len(window.messages.history) > before and window.messages.level == "error",
        timeout=TIMEOUT_MS,
    )
    return window.messages.label.text()


def test_an_error_reads_in_korean_then_in_english(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    gone = tmp_path / "gone.mp4"
    window.set_language("ko")
    try:
        qtbot.waitUntil(lambda: window.menus.file_menu.title() == "파일(&F)", timeout=TIMEOUT_MS)
        korean = _error_text(qtbot, window, str(gone))
        assert korean == (
            f"파일을 찾을 수 없습니다: {gone}. 이름과 폴더를 확인하세요. "
            "파일이 옮겨졌거나 삭제되었을 수 있습니다."
        )
        refused = _error_text(qtbot, window, "gopher://127.0.0.1/x")
        assert refused.startswith("지원하지 않는 URL 스킴 'gopher:'입니다: gopher://127.0.0.1/x.")
    finally:
        window.set_language("en")
    qtbot.waitUntil(lambda: window.menus.file_menu.title() == "&File", timeout=TIMEOUT_MS)
    english = _error_text(qtbot, window, str(gone))
    assert english.startswith(f"File not found: {gone}. Check the name and the folder")


def test_a_warning_reads_in_korean(qtbot: QtBot, window: MainWindow) -> None:
    """A real warning (an HLS segment missing on the server, skipped as a
    gap) in the message bar in Korean, with its own fields filled in; a
    slow-segment warning likewise, and English again after switching back.
    The reason inside it reads in Korean too."""
    warnings: list[WarningRaised] = []
    window.bridge.warningRaised.connect(warnings.append)
    window.set_language("ko")
    with FaultyHttpServer(hls_media.ts_vod(8.0)) as srv:
        srv.add_fault("s001.ts", SegmentFault("status", status=404, times=None))
        try:
            qtbot.waitUntil(
                lambda: window.menus.file_menu.title() == "파일(&F)", timeout=TIMEOUT_MS
            )
            window.open_url(srv.hls("index.m3u8"))
            qtbot.waitUntil(
                lambda: any(w.code == "segment-skipped" for w in warnings), timeout=TIMEOUT_MS
            )
            event = next(w for w in warnings if w.code == "segment-skipped")
            params = dict(event.params)
            assert params["sequence"] == "1" and params["duration"] == "2.0"
            # the reason too is Korean, its data (the status, the URL) as it was
            why = dict(event.reason_params)
            assert event.reason_code == "http-status" and why["status"] == "404"
            assert why["where"].endswith("s001.ts")
            korean = (
                "세그먼트 1이(가) 모든 화질에서 실패해 건너뛰었습니다"
                f"({why['where']}에서 HTTP 404). "
                "2.0초 빈 구간 뒤로 재생을 이어 갑니다"
            )
            qtbot.waitUntil(lambda: window.messages.label.text() == korean, timeout=TIMEOUT_MS)
            window.bridge._dispatch(
                WarningRaised.of(WarningCode.SLOW_SEGMENT, {"sequence": 3, "rate": "2.0"}, t=1.0)
            )
            slow = "버퍼링: 세그먼트 3을(를) 2.0 kB/s로 받는 중"
            qtbot.waitUntil(lambda: window.messages.label.text() == slow, timeout=TIMEOUT_MS)
        finally:
            window.set_language("en")
            window.stop()
    qtbot.waitUntil(lambda: window.menus.file_menu.title() == "&File", timeout=TIMEOUT_MS)
    window.bridge._dispatch(
        WarningRaised.of(WarningCode.SLOW_SEGMENT, {"sequence": 4, "rate": "1.5"}, t=2.0)
    )
    qtbot.waitUntil(
        lambda: window.messages.label.text() == "buffering: segment 4 downloading at 1.5 kB/s",
        timeout=TIMEOUT_MS,
    )
