"""Errors read in the window's language: the Korean UI shows a failure in
Korean, with the error's own details (the path) filled in, and English again
after switching back."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

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
        qtbot.waitUntil(lambda: window.file_menu.title() == "파일(&F)", timeout=TIMEOUT_MS)
        korean = _error_text(qtbot, window, str(gone))
        assert korean == (
            f"파일을 찾을 수 없습니다: {gone}. 이름과 폴더를 확인하세요. "
            "파일이 옮겨졌거나 삭제되었을 수 있습니다."
        )
        refused = _error_text(qtbot, window, "gopher://127.0.0.1/x")
        assert refused.startswith("지원하지 않는 URL 스킴 'gopher:'입니다: gopher://127.0.0.1/x.")
    finally:
        window.set_language("en")
    qtbot.waitUntil(lambda: window.file_menu.title() == "&File", timeout=TIMEOUT_MS)
    english = _error_text(qtbot, window, str(gone))
    assert english.startswith(f"File not found: {gone}. Check the name and the folder")
