"""The compare view's plots: latency, bitrate and buffer over session time,
one line per stream, with stall, switch, reconnect and error markers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

__all__ = ["STREAM_COLOURS", "ComparePlots"]

#: one colour per tile, the same on its frame, its table column and its lines
STREAM_COLOURS = ("#4fc3f7", "#ffb74d", "#81c784", "#f06292")
_BACKGROUND = "#16181d"
_MARKER_STYLE = {
    "stall": Qt.PenStyle.SolidLine,
    "switch": Qt.PenStyle.DashLine,
    "reconnect": Qt.PenStyle.DotLine,
    "error": Qt.PenStyle.DashDotLine,
}


def _nan(value: object) -> float:
    return float(value) if isinstance(value, int | float) else math.nan


class ComparePlots(pg.GraphicsLayoutWidget):  # type: ignore[misc]
    """Three stacked plots sharing the time axis."""

    def __init__(self, streams: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setBackground(_BACKGROUND)
        self.setMinimumHeight(220)
        self.plots: dict[str, Any] = {}
        self.curves: dict[str, list[Any]] = {}
        titles = (
            ("latency", "latency (s)"),
            ("bitrate", "received (kb/s)"),
            ("buffer", "buffer (s)"),
        )
        first: Any = None
        for row, (key, title) in enumerate(titles):
            plot = self.addPlot(row=row, col=0)
            # Horizontal lines only: the vertical ones move with every update
            # and made each repaint 2x dearer (46 ms against 88 under Xvfb)
            plot.showGrid(x=False, y=True, alpha=0.15)
            plot.setMouseEnabled(x=True, y=False)
            plot.setLabel("left", title)
            plot.getAxis("left").setWidth(54)
            plot.getViewBox().setLimits(yMin=0)
            if first is None:
                first = plot
            else:
                plot.setXLink(first)
            self.plots[key] = plot
            self.curves[key] = [
                plot.plot(pen=pg.mkPen(STREAM_COLOURS[i % len(STREAM_COLOURS)], width=2))
                for i in range(streams)
            ]
        self.plots["buffer"].setLabel("bottom", "session time (s)")
        self._marked: list[int] = [0] * streams
        self.marker_count = 0

    def update_streams(
        self,
        samples: Sequence[Sequence[dict[str, Any]]],
        markers: Sequence[Sequence[dict[str, Any]]],
    ) -> None:
        for i, rows in enumerate(samples):
            t = [r["t"] for r in rows]
            self.curves["latency"][i].setData(t, [_nan(r.get("latency_s")) for r in rows])
            self.curves["bitrate"][i].setData(t, [_nan(r.get("bitrate_kbps")) for r in rows])
            self.curves["buffer"][i].setData(t, [_nan(r.get("buffer_s")) for r in rows])
        for i, marks in enumerate(markers):
            for mark in marks[self._marked[i] :]:
                self._add_marker(i, mark)
            self._marked[i] = len(marks)

    def _add_marker(self, stream: int, mark: dict[str, Any]) -> None:
        colour = STREAM_COLOURS[stream % len(STREAM_COLOURS)]
        style = _MARKER_STYLE.get(str(mark.get("type")), Qt.PenStyle.SolidLine)
        pen = pg.mkPen(colour, width=1.2, style=style)
        for key, plot in self.plots.items():
            label = f"{mark.get('type')} #{stream + 1}" if key == "latency" else None
            line = pg.InfiniteLine(
                pos=float(mark["t"]),
                angle=90,
                pen=pen,
                label=label,
                labelOpts={"position": 0.9, "color": colour, "rotateAxis": (1, 0)},
            )
            plot.addItem(line)
        self.marker_count += 1
