"""One child of the many-streams benchmark: Heureum's window playing one
URL, its video area sized to WIDTH x HEIGHT (as mpv's ``--geometry``), the
decoders given THREADS threads; spoken to over stdin
(benchmarks/child_protocol.py).

    python -m benchmarks.many_streams_window URL SETTINGS WIDTH HEIGHT THREADS
"""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from player.config import DEFAULT_CONFIG
from ui.app import create_window

from .child_protocol import Commands, say
from .view_size import hold_view_size

POLL_MS = 50


def main(argv: list[str]) -> int:
    url, settings = argv[0], argv[1]
    width, height, threads = (int(a) for a in argv[2:5])
    app = QApplication(sys.argv[:1])
    config = replace(DEFAULT_CONFIG, decode=replace(DEFAULT_CONFIG.decode, threads=threads))
    window = create_window([url], {"settings_path": settings}, config)
    commands = Commands()
    announced = False

    def counters() -> dict[str, Any]:
        s = window.player.stats()
        view = window.view
        return {
            "frames": s.frames.as_report(), "av_offset_ms": s.av_offset_ms.as_report(),
            "painted": view.painted, "coalesced": view.coalesced,
            "renderer": view.renderer_name, "rebuffer_count": s.rebuffer_count,
            "state": s.state, "size": [view.width(), view.height()],
        }  # fmt: skip

    def close() -> None:
        window.close()
        app.quit()

    def poll() -> None:
        nonlocal announced
        # The video area, not the window, is WIDTH x HEIGHT; held there on
        # every poll, as the window fits itself to the video (1280x720) once
        # the media opens, after it first showed. Ready once it is that size.
        resized = window.isVisible() and hold_view_size(window, window.view, width, height)
        if not announced and not resized and window.view.painted > 0:
            announced = True
            say({"ready": True})
        commands.answer(counters, close)

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(POLL_MS)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
