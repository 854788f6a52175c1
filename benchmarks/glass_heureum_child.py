"""Heureum's window for the glass-to-glass benchmark (benchmarks/glass_players.py),
its video area sized to the stream (1:1, as mpv shows it). Prints
``{"view": [x, y, w, h], "renderer": ...}`` (the video area on the screen),
then ``{"wall", "latency", ...}`` every 250 ms; any line on stdin (or its end)
closes it, which writes the report.

    python -m benchmarks.glass_heureum_child URL SETTINGS REPORT WIDTH HEIGHT LOW(0|1) TRANSPORT
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Literal, cast

from PySide6.QtCore import QPoint, QTimer
from PySide6.QtWidgets import QApplication

from player.config import DEFAULT_CONFIG, OpenOptions
from ui.app import create_window

from .child_protocol import say

POLL_MS = 20
STATS_MS = 250
#: tries at a 1:1 video area; the controls' minimum width may forbid it (then scaled)
RESIZE_TRIES = 10
Transport = Literal["auto", "udp", "tcp", "http"]
TRANSPORTS = ("auto", "udp", "tcp", "http")


def main(argv: list[str]) -> int:
    url, settings, report = argv[0:3]
    width, height = int(argv[3]), int(argv[4])
    low, transport = argv[5] == "1", argv[6]
    app = QApplication(sys.argv[:1])
    if transport not in TRANSPORTS:
        raise SystemExit(f"transport: one of {', '.join(TRANSPORTS)}, not {transport!r}")
    chosen = cast(Transport, transport)
    opts = OpenOptions(low_latency=low, rtsp_transport=None if chosen == "auto" else chosen)
    window = create_window(
        [url], {"settings_path": settings, "open_options": opts, "report": report}, DEFAULT_CONFIG
    )
    quit_asked = threading.Event()

    def read() -> None:
        for _line in sys.stdin:
            break
        quit_asked.set()

    threading.Thread(target=read, daemon=True).start()
    shown: list[list[int]] = []
    tries = [0]

    def poll() -> None:
        if quit_asked.is_set():
            window.close()
            app.quit()
            return
        if not window.isVisible():
            return
        view = window.view
        if (view.width(), view.height()) != (width, height) and tries[0] < RESIZE_TRIES:
            tries[0] += 1
            window.resize(
                window.width() + width - view.width(), window.height() + height - view.height()
            )
            return
        at = view.mapToGlobal(QPoint(0, 0))
        rect = [at.x(), at.y(), view.width(), view.height()]
        if not shown or rect != shown[-1]:
            shown.append(rect)
            say({"view": rect, "renderer": view.renderer_name})

    def stats() -> None:
        s = window.player.stats()
        say(
            {
                "wall": time.time(),
                "latency": s.latency.as_report(),
                "ttff": s.time_to_first_frame_s,
                "rebuffers": s.rebuffer_count,
                "state": s.state,
            }
        )

    poller = QTimer()
    poller.timeout.connect(poll)
    poller.start(POLL_MS)
    reporter = QTimer()
    reporter.timeout.connect(stats)
    reporter.start(STATS_MS)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
