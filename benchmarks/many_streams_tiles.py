"""One child of the many-streams benchmark: N tiles of one compare window
playing the same URL (one process: the engine's threads share the GIL), two
columns of WIDTH x HEIGHT tiles; the compare view's limit of 4 is lifted for
the measurement. Spoken to over stdin (benchmarks/child_protocol.py).

    python -m benchmarks.many_streams_tiles URL N WIDTH HEIGHT
"""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QSplitter

import player.compare as compare
from ui.compare_window import CompareWindow

from .child_protocol import Commands, say

POLL_MS = 50
#: the room left under the tiles for the table and the plots
BELOW_PX = 420


def main(argv: list[str]) -> int:
    url = argv[0]
    count, width, height = (int(a) for a in argv[1:4])
    app = QApplication(sys.argv[:1])
    compare.MAX_STREAMS = max(compare.MAX_STREAMS, count)
    window = CompareWindow([url] * count, renderer="software")
    rows = (count + 1) // 2
    window.resize(2 * (width + 8) + 16, rows * (height + 8) + BELOW_PX)
    splitter = window.centralWidget()
    assert isinstance(splitter, QSplitter), "the compare window is a splitter: tiles over table"
    splitter.setSizes([rows * (height + 8), BELOW_PX - 20])
    window.show()
    window.start()
    commands = Commands()
    announced = False

    def counters() -> dict[str, Any]:
        out = []
        for stream, tile in zip(window.session.streams, window.tiles, strict=True):
            st = stream.player.stats()
            out.append({
                "frames": st.frames.as_report(), "av_offset_ms": st.av_offset_ms.as_report(),
                "coalesced": tile.view.coalesced, "painted": tile.view.painted,
                "size": [tile.view.width(), tile.view.height()],
            })  # fmt: skip
        return {"streams": out}

    def close() -> None:
        window.close()
        app.quit()

    def poll() -> None:
        nonlocal announced
        if not announced and all(t.view.painted > 0 for t in window.tiles):
            announced = True
            say({"ready": True})
        commands.answer(counters, close)

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(POLL_MS)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
