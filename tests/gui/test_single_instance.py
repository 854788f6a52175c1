"""``heureum --enqueue URL`` adds to the running window's play list."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.gui.conftest import TIMEOUT_MS, wait_playing
from ui.main_window import MainWindow
from ui.single_instance import InstanceServer, send_to_running


def test_enqueue_from_another_process_appends_to_the_running_window(
    qtbot: QtBot, window: MainWindow, media: Path, media2: Path
) -> None:
    name = f"heureum-test-{uuid.uuid4().hex[:8]}"
    server = InstanceServer(window.append_urls, window)
    assert server.listen(name)
    second = InstanceServer(window.append_urls, window)
    assert not second.listen(name)  # one window answers per name
    window.open_url(str(media))
    wait_playing(qtbot, window)
    env = {**os.environ, "HEUREUM_INSTANCE": name}
    proc = subprocess.Popen(
        [sys.executable, "-m", "player.cli", "--enqueue", str(media2)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=TIMEOUT_MS * 3)
    finally:
        if proc.poll() is None:
            proc.kill()
    _out, err = proc.communicate()
    assert proc.returncode == 0, err
    assert err == ""
    assert [e.url for e in window.playlist.entries] == [str(media), str(media2)]
    assert window.current_url == str(media)  # what plays goes on playing
    assert window.transport.next_button.isVisible()
    server.close()


def test_enqueue_with_no_window_running_is_refused_quickly() -> None:
    assert not send_to_running(["/x.mkv"], f"heureum-none-{uuid.uuid4().hex[:8]}")
