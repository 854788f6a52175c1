"""The ABR panel: bandwidth estimate, selected bitrate and buffer over session
time, with switch, stall and error markers (pyqtgraph). For streams without
ABR it plots the input bitrate and the buffer from the engine's stats."""

from __future__ import annotations

from collections import deque
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QWidget

__all__ = ["AbrPanel"]

MAX_POINTS = 3000
_MARKER_PENS = {
    "switch": ("#f0b400", Qt.PenStyle.DashLine),
    "stall": ("#e04040", Qt.PenStyle.SolidLine),
    "stall_start": ("#e04040", Qt.PenStyle.SolidLine),
    "error": ("#d040d0", Qt.PenStyle.SolidLine),
    "gap": ("#808080", Qt.PenStyle.DotLine),
    "rejoin": ("#40a0e0", Qt.PenStyle.DotLine),
}


class AbrPanel(QDockWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("abr_panel")
        self.setAllowedAreas(
            Qt.DockWidgetArea.BottomDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.graphs = pg.GraphicsLayoutWidget()
        self.graphs.setBackground("#16181c")
        self.rate_plot = self.graphs.addPlot(row=0, col=0)
        self.rate_plot.addLegend(offset=(8, 4))
        self.rate_plot.showGrid(x=True, y=True, alpha=0.2)
        self.estimate_curve = self.rate_plot.plot(pen=pg.mkPen("#37c0e0", width=2))
        self.selected_curve = self.rate_plot.plot(pen=pg.mkPen("#f08c28", width=2), stepMode=None)
        self.buffer_plot = self.graphs.addPlot(row=1, col=0)
        self.buffer_plot.showGrid(x=True, y=True, alpha=0.2)
        self.buffer_plot.setXLink(self.rate_plot)
        self.buffer_curve = self.buffer_plot.plot(
            pen=pg.mkPen("#70d070", width=2), fillLevel=0, brush=(112, 208, 112, 40)
        )
        self.setWidget(self.graphs)
        self._samples: deque[tuple[float, float | None, float | None, float | None]] = deque(
            maxlen=MAX_POINTS
        )
        self._markers: dict[tuple[float, str], pg.InfiniteLine] = {}
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Adaptive bitrate"))
        self.rate_plot.setTitle(self.tr("Bitrate (Mb/s)"))
        self.buffer_plot.setTitle(self.tr("Buffer (s)"))
        legend = self.rate_plot.legend
        if legend is not None:
            legend.clear()
            legend.addItem(self.estimate_curve, self.tr("estimate"))
            legend.addItem(self.selected_curve, self.tr("selected / input"))
        self.buffer_plot.setLabel("bottom", self.tr("session time (s)"))

    def reset(self) -> None:
        self._samples.clear()
        for line in self._markers.values():
            for plot in (self.rate_plot, self.buffer_plot):
                if line in plot.items:
                    plot.removeItem(line)
        self._markers.clear()
        self._redraw()

    # -- data ---------------------------------------------------------------------
    def update_from(self, abr: list[dict[str, Any]], stats: dict[str, Any]) -> None:
        """Refresh from ``Player.abr_timeline()`` (adaptive streams) or, when it
        is empty, from one ``Player.stats()`` snapshot."""
        if abr:
            self._samples.clear()
            for e in abr[-MAX_POINTS:]:
                if e.get("marker"):
                    self._mark(float(e["t"]), str(e["marker"]), str(e.get("detail") or ""))
                self._samples.append(
                    (
                        float(e["t"]),
                        _mbps(e.get("estimate_bps")),
                        _mbps(e.get("selected_bitrate")),
                        _float(e.get("buffer")),
                    )
                )
        else:
            t = _float(stats.get("session_seconds"))
            rates = stats.get("bitrate_kbps") or {}
            if t is not None and (not self._samples or t > self._samples[-1][0]):
                kbps = _float(rates.get("input")) if isinstance(rates, dict) else None
                self._samples.append(
                    (t, None, None if kbps is None else kbps / 1000, _float(stats.get("buffer_s")))
                )
        for event in stats.get("timeline", []) or []:
            kind = str(event.get("type", ""))
            if kind in ("stall_start", "error", "switch"):
                detail = str(event.get("message") or event.get("reason") or "")
                self._mark(float(event.get("t", 0.0)), kind, detail)
        self._redraw()

    def _mark(self, t: float, kind: str, detail: str) -> None:
        key = (round(t, 1), "stall" if kind == "stall_start" else kind)
        if key in self._markers:
            return
        colour, style = _MARKER_PENS.get(kind, ("#a0a0a0", Qt.PenStyle.DotLine))
        line = pg.InfiniteLine(
            pos=t,
            angle=90,
            pen=pg.mkPen(colour, width=1, style=style),
            label=key[1],
            labelOpts={"position": 0.92, "color": colour, "rotateAxis": (1, 0)},
        )
        line.setToolTip(f"{key[1]} at {t:.1f} s: {detail}" if detail else key[1])
        self.rate_plot.addItem(line)
        self._markers[key] = line

    def _redraw(self) -> None:
        xs = [s[0] for s in self._samples]
        est = [(x, s[1]) for x, s in zip(xs, self._samples, strict=True) if s[1] is not None]
        sel = [(x, s[2]) for x, s in zip(xs, self._samples, strict=True) if s[2] is not None]
        buf = [(x, s[3]) for x, s in zip(xs, self._samples, strict=True) if s[3] is not None]
        self.estimate_curve.setData([p[0] for p in est], [p[1] for p in est])
        self.selected_curve.setData([p[0] for p in sel], [p[1] for p in sel])
        self.buffer_curve.setData([p[0] for p in buf], [p[1] for p in buf])

    @property
    def point_count(self) -> int:
        return len(self._samples)

    @property
    def marker_kinds(self) -> list[str]:
        return [k for _, k in self._markers]


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _mbps(value: object) -> float | None:
    v = _float(value)
    return None if v is None else v / 1e6
