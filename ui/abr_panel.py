"""The bitrate and buffer panel: bandwidth estimate, selected bitrate and buffer
over session time, with switch, stall, error and re-admission markers (pyqtgraph).

Adaptive (HLS) sessions are drawn from ``Player.abr_timeline()`` (one sample
per download), polled by the window at 2 Hz while the panel shows; only the
entries newer than the last one seen are read. Each poll also adds a sample
from ``Player.stats()`` at the session's time, so the plot moves on when no
segment arrives (a full VOD buffer). Other streams (RTSP, RTMP, HTTP, files)
are drawn from ``Player.stats()``: the input bitrate and the buffer. An
estimate that is still the meter's default is not drawn (and the status
says "not measured yet"). Both plots share one time axis in plain seconds,
labelled once under the lower plot; a new session resets its range. Marker
labels are laid out in rows so that none overlaps another; one that fits
no row is hidden (its line and tooltip stay). Switches, stalls and errors
come from the engine's events as they happen. Everything is bounded
(``MAX_POINTS`` samples, ``MAX_MARKERS``
markers) and nothing is done per video frame.

pyqtgraph (and numpy with it, a second of start-up) is imported when the panel
first shows, or a plot is asked for: until then the panel keeps its samples
and markers as plain data, and the plots are drawn from them when they exist.
"""

from __future__ import annotations

import html
import math
import re
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QPointF, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QLabel, QVBoxLayout, QWidget

from player.events import BufferingChanged, ErrorOccurred, VariantInfo, VariantSwitched
from player.stats import SessionStats

from .error_text import error_message

if TYPE_CHECKING:
    import pyqtgraph as pg

    from .abr_plots import Plots as _Plots

__all__ = ["MAX_MARKERS", "MAX_POINTS", "AbrPanel", "Marker", "rate_text", "variant_text"]

MAX_POINTS = 3000
MAX_MARKERS = 200
#: markers of one kind (switches excepted) closer than this (s) are one marker:
#: the loader's record and the engine's event of the same error, say
_SAME_MARKER_S = 1.0

_BACKGROUND = "#16181c"
_ESTIMATE = "#4fc3f7"
_SELECTED = "#f5a623"
_BUFFER = "#81c784"
_MARKER_STYLE = {
    "switch": ("#fdd835", Qt.PenStyle.DashLine),
    "stall": ("#ef5350", Qt.PenStyle.SolidLine),
    "error": ("#ce93d8", Qt.PenStyle.SolidLine),
    "gap": ("#9e9e9e", Qt.PenStyle.DotLine),
    "rejoin": ("#64b5f6", Qt.PenStyle.DotLine),
    "readmit": ("#4db6ac", Qt.PenStyle.DashDotLine),
}
#: the loader's timeline markers the panel draws (switches, stalls and
#: errors that reach the player come from its events instead)
_TIMELINE_MARKERS = {"gap", "rejoin", "error"}
#: the loader's detail of a variant leaving the penalty box
_READMITTED = re.compile(r"variant (\d+) re-admitted")
#: rows of marker labels at most (top down, a label's height apart)
_LABEL_ROWS = 4
#: pixels between two labels on one row
_LABEL_GAP = 6.0
#: the time axis of an empty session (s)
_EMPTY_RANGE = 10.0
_RATE_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500)


def rate_text(bps: float | None) -> str:
    """``2.5 Mb/s`` / ``800 kb/s``."""
    if bps is None:
        return "—"
    if bps >= 995_000:
        return f"{bps / 1e6:.1f} Mb/s"
    return f"{bps / 1000:.0f} kb/s"


def variant_text(v: VariantInfo) -> str:
    """``1280x720 · 2.5 Mb/s`` (``1920x1080 60 fps · 6.0 Mb/s``; the name when
    the playlist gives no resolution)."""
    parts = []
    if v.width and v.height:
        size = f"{v.width}x{v.height}"
        if v.frame_rate and v.frame_rate > 31:
            size += f" {round(v.frame_rate)} fps"
        parts.append(size)
    elif v.name:
        parts.append(v.name)
    parts.append(rate_text(v.bandwidth))
    return " · ".join(parts)


def _short(v: VariantInfo | None, index: int) -> str:
    if v is not None and v.height:
        return f"{v.height}p"
    return f"#{index + 1}"


@dataclass(frozen=True)
class Marker:
    t: float
    kind: str  # switch, stall, error, gap, rejoin, readmit
    label: str
    tooltip: str
    #: switches: the event, so the label can name the rungs once the ladder is known
    switch: VariantSwitched | None = None
    #: stalls: (start, end) of the rebuffering once it ended
    span: tuple[float, float] | None = None


class AbrPanel(QDockWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("abr_panel")
        self.setAllowedAreas(
            Qt.DockWidgetArea.BottomDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea
        )
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 2, 6, 4)
        layout.setSpacing(2)
        # The current values, coloured as their curves: the legend too.
        self.status = QLabel(body)
        self.status.setObjectName("abr_status")
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status)
        self._body_layout = layout
        self._plots: _Plots | None = None
        body.setMinimumHeight(220)  # the plots' room, before they are made
        self.setWidget(body)
        self._layout_timer = QTimer(self)
        self._layout_timer.setSingleShot(True)
        self._layout_timer.setInterval(0)
        self._layout_timer.timeout.connect(self.layout_labels)

        # (t, estimate bps, selected bps, buffer s); NaN where not known
        self._samples: deque[tuple[float, float, float, float]] = deque(maxlen=MAX_POINTS)
        self._adaptive = False
        self._last_t = -1.0
        #: the time of the newest ``abr_timeline()`` entry read
        self._timeline_t = -1.0
        #: the selected rung's bitrate in the newest timeline sample
        self._selected: float = math.nan
        #: an adaptive session's values at the last poll (see ``_add_now``)
        self._now: tuple[float, float, float, float] | None = None
        self._variants: tuple[VariantInfo, ...] = ()
        self._ladder_lines: list[pg.InfiniteLine] = []
        #: each marker with its plot items (none until the plots exist)
        self._markers: deque[tuple[Marker, list[pg.GraphicsObject]]] = deque()
        self._stall_start: float | None = None
        self._dirty = False
        self._last_stats: SessionStats | None = None
        self.retranslate()

    # -- the plots (built on demand) ------------------------------------------------
    def _build(self) -> _Plots:
        """The pyqtgraph part, made once and drawn from the data kept so far."""
        if self._plots is not None:
            return self._plots
        from .abr_plots import make_plots

        plots = make_plots(self.widget(), self._body_layout)
        plots.rate_plot.getViewBox().sigXRangeChanged.connect(self._schedule_layout)
        plots.rate_plot.getViewBox().sigResized.connect(self._schedule_layout)
        self._plots = plots
        self.retranslate()
        self._draw_ladder()
        for i, (marker, _items) in enumerate(self._markers):
            self._markers[i] = (marker, self._draw_marker(marker))
        self._dirty = True
        self._reset_range()
        return plots

    @property
    def graphs(self) -> pg.GraphicsLayoutWidget:
        return self._build().graphs

    @property
    def rate_plot(self) -> pg.PlotItem:
        return self._build().rate_plot

    @property
    def buffer_plot(self) -> pg.PlotItem:
        return self._build().buffer_plot

    @property
    def estimate_curve(self) -> pg.PlotDataItem:
        return self._build().estimate_curve

    @property
    def selected_curve(self) -> pg.PlotDataItem:
        return self._build().selected_curve

    @property
    def buffer_curve(self) -> pg.PlotDataItem:
        return self._build().buffer_curve

    @property
    def plots_built(self) -> bool:
        return self._plots is not None

    # -- text --------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Bitrate and buffer"))
        plots = self._plots
        if plots is not None:
            plots.rate_plot.setLabel("left", self.tr("Mb/s"))
            plots.buffer_plot.setLabel("left", self.tr("s"))
            plots.buffer_plot.setLabel("bottom", self.tr("session time (s)"))
        self._set_status(self._last_stats)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- session -----------------------------------------------------------------
    def reset(self) -> None:
        """A new session: no samples, no markers, no ladder."""
        self._samples.clear()
        self._adaptive = False
        self._last_t = -1.0
        self._timeline_t = -1.0
        self._selected = math.nan
        self._now = None
        self._stall_start = None
        while self._markers:
            self._drop_marker()
        self.set_variants(())
        self._set_status(None)
        self._redraw()
        self._reset_range()

    def _reset_range(self) -> None:
        # The last session's range (and any pan) goes with it: an empty
        # session shows its first seconds, then follows its data.
        if self._plots is None:
            return
        import pyqtgraph as pg

        self._plots.rate_plot.setXRange(0.0, _EMPTY_RANGE, padding=0)
        self._plots.rate_plot.enableAutoRange(axis=pg.ViewBox.XAxis)

    def set_variants(self, variants: Sequence[VariantInfo]) -> None:
        """The ladder, drawn as faint horizontal lines at each rung's bitrate."""
        self._variants = tuple(variants)
        # Switches seen before the ladder (the first ones come before MediaOpened).
        for i, (marker, items) in enumerate(self._markers):
            if marker.switch is not None:
                named = self._switch_marker(marker.switch)
                named = replace(named, span=marker.span)
                self._markers[i] = (named, items)
                for item in items:
                    item.setToolTip(named.tooltip)
                label = getattr(items[0], "label", None) if items else None
                if label is not None:
                    label.setFormat(named.label)
        self._draw_ladder()

    def _draw_ladder(self) -> None:
        plots = self._plots
        if plots is None:
            return
        import pyqtgraph as pg

        for line in self._ladder_lines:
            plots.rate_plot.removeItem(line)
        self._ladder_lines = []
        ticks = []
        for v in self._variants:
            level = math.log10(max(v.bandwidth, 1) / 1e6)
            line = pg.InfiniteLine(
                pos=level,
                angle=0,
                pen=pg.mkPen("#5a5f6a", width=1, style=Qt.PenStyle.DotLine),
            )
            line.setZValue(-10)
            line.setToolTip(variant_text(v))
            plots.rate_plot.addItem(line, ignoreBounds=True)
            self._ladder_lines.append(line)
            ticks.append((level, _short(v, v.index)))
        plots.rate_plot.getAxis("right").setTicks([ticks, []])

    # -- data ----------------------------------------------------------------------
    def update_from(self, abr: Sequence[Mapping[str, Any]], stats: SessionStats) -> None:
        """A poll: ``Player.abr_timeline()`` (adaptive streams) and ``Player.stats()``."""
        if abr:
            self._take_timeline(abr)
            self._add_now(stats)
        elif not self._adaptive:
            self.add_stats_sample(stats, redraw=False)
        self._set_status(stats)
        self._redraw()

    def _add_now(self, stats: SessionStats) -> None:
        """An adaptive session's values now, from the stats: one provisional
        point after the last download (replaced at each poll), so the plot
        moves on between downloads. Not kept: the loader's timeline runs on
        its own clock, a little apart from the session's, and points of both
        kept side by side would zigzag."""
        t = stats.session_seconds
        abr = stats.abr
        if not stats.opened or t <= self._timeline_t or abr is None:
            self._now = None
            return
        estimate = _positive(abr.estimate_bps) if abr.estimate_measured else math.nan
        selected = self._selected
        if math.isnan(selected):
            bandwidth = abr.variant_bandwidth
            selected = _positive(None if bandwidth is None else float(bandwidth))
        self._now = (t, estimate, selected, abr.buffer_s)

    def add_stats_sample(self, stats: SessionStats, *, redraw: bool = True) -> None:
        """One sample of a stream without ABR: the input bitrate and the buffer
        (also fed by ``StatsUpdated`` while the panel is hidden, so the plot has
        the session's history when it opens)."""
        if self._adaptive or not stats.opened:
            return
        t = stats.session_seconds
        if t <= self._last_t:
            return
        kbps = stats.bitrate_kbps.input
        rate = math.nan if kbps <= 0 else kbps * 1000  # log axis: > 0
        self._samples.append((t, math.nan, rate, stats.buffer_s))
        self._last_t = t
        if redraw:
            self._redraw()

    def _take_timeline(self, abr: Sequence[Mapping[str, Any]]) -> None:
        if not self._adaptive:
            self._adaptive = True
            self._samples.clear()
            self._last_t = -1.0
            self._timeline_t = -1.0
        # Only the entries newer than the last one seen (the list is in time order).
        start = len(abr)
        while start > 0 and (_float(abr[start - 1].get("t")) or 0.0) > self._timeline_t:
            start -= 1
        for entry in abr[max(start, len(abr) - MAX_POINTS) :]:
            t = _float(entry.get("t"))
            if t is None:
                continue
            marker = entry.get("marker")
            if marker in _TIMELINE_MARKERS:
                detail = str(entry.get("detail") or "")
                self._add_marker(Marker(t, str(marker), str(marker), _tip(t, str(marker), detail)))
            elif marker == "readmit":
                self._add_marker(self._readmit_marker(t, str(entry.get("detail") or "")))
            elif marker == "switch":
                # the selected line steps where the switch is marked, not a
                # download later
                self._selected = _positive(_float(entry.get("selected_bitrate")))
                self._samples.append((t, math.nan, self._selected, math.nan))
            elif marker is None:
                measured = entry.get("estimate_measured") is not False
                self._selected = _positive(_float(entry.get("selected_bitrate")))
                self._samples.append(
                    (
                        t,
                        _positive(_float(entry.get("estimate_bps"))) if measured else math.nan,
                        self._selected,
                        _nan(_float(entry.get("buffer"))),
                    )
                )
            self._timeline_t = max(self._timeline_t, t)
            self._last_t = max(self._last_t, t)

    # -- events (GUI thread, from the bridge) -------------------------------------
    def on_switch(self, event: VariantSwitched) -> None:
        if event.from_index is None:
            return  # the first choice: the selected-bitrate line starts there
        self._add_marker(self._switch_marker(event))

    def _switch_marker(self, event: VariantSwitched) -> Marker:
        from_index = event.from_index if event.from_index is not None else -1
        to = self._variant(event.to_index)
        arrow = "↑" if event.to_index > from_index else "↓"
        label = f"{arrow}{_short(to, event.to_index)}"
        target = variant_text(to) if to is not None else rate_text(event.bandwidth)
        detail = (
            f"{from_index + 1} → {event.to_index + 1}: {target}\n"
            f"{event.rule}: {event.reason}\n"
            f"estimate {rate_text(event.estimate_bps)}, buffer {event.buffer:.1f} s"
        )
        return Marker(event.t, "switch", label, _tip(event.t, "switch", detail), event)

    def _readmit_marker(self, t: float, detail: str) -> Marker:
        """A variant out of the penalty box, back among the ABR's choices
        (the loader's detail names it: "variant N re-admitted: why")."""
        found = _READMITTED.match(detail)
        if found is None:
            return Marker(t, "readmit", "↺", _tip(t, "readmit", detail))
        index = int(found.group(1))
        back = self._variant(index)
        label = f"↺{_short(back, index)}"
        what = variant_text(back) if back is not None else f"#{index + 1}"
        return Marker(t, "readmit", label, _tip(t, "readmit", f"{what}\n{detail}"))

    def on_buffering(self, event: BufferingChanged) -> None:
        if event.buffering and event.rebuffer:
            self._stall_start = event.t
            self._add_marker(
                Marker(event.t, "stall", "stall", _tip(event.t, "stall", "rebuffering"))
            )
        elif not event.buffering and self._stall_start is not None:
            span = (self._stall_start, max(event.t, self._stall_start + 0.05))
            if self._markers and self._markers[-1][0].kind == "stall":
                marker, items = self._markers[-1]
                marker = replace(marker, span=span)
                self._markers[-1] = (marker, items)
                if self._plots is not None:
                    items.append(self._draw_span(marker, span))
            self._stall_start = None

    def _draw_span(self, marker: Marker, span: tuple[float, float]) -> pg.GraphicsObject:
        import pyqtgraph as pg

        assert self._plots is not None
        region = pg.LinearRegionItem(
            values=span, movable=False, brush=(239, 83, 80, 45), pen=pg.mkPen(None)
        )
        region.setZValue(-20)
        region.setToolTip(_tip(span[0], "stall", f"{span[1] - span[0]:.1f} s"))
        self._plots.buffer_plot.addItem(region, ignoreBounds=True)
        return region

    def on_error(self, event: ErrorOccurred) -> None:
        # the message bar's words, in the window's language (not the engine's English)
        heading = self.tr("Error at %1 s").replace("%1", f"{event.t:.1f}")
        self._add_marker(Marker(event.t, "error", "error", f"{heading}\n{error_message(event)}"))

    # -- markers ---------------------------------------------------------------------
    def _add_marker(self, marker: Marker) -> None:
        for existing, _items in reversed(self._markers):
            if existing.t < marker.t - _SAME_MARKER_S:
                break
            if (
                marker.kind not in ("switch", "readmit")  # each its own, however close
                and existing.kind == marker.kind
                and abs(existing.t - marker.t) < _SAME_MARKER_S
            ):
                return
        self._markers.append((marker, self._draw_marker(marker)))
        while len(self._markers) > MAX_MARKERS:
            self._drop_marker()
        self._schedule_layout()

    def _draw_marker(self, marker: Marker) -> list[pg.GraphicsObject]:
        """The marker's lines (and its stall's span) on the plots, if they exist."""
        plots = self._plots
        if plots is None:
            return []
        import pyqtgraph as pg

        colour, style = _MARKER_STYLE.get(marker.kind, ("#a0a0a0", Qt.PenStyle.DotLine))
        pen = pg.mkPen(colour, width=1.5, style=style)
        height = 0.95  # layout_labels finds each label its row
        top = pg.InfiniteLine(
            pos=marker.t,
            angle=90,
            pen=pen,
            label=marker.label,
            labelOpts={"position": height, "color": colour, "anchors": [(0, 0.5), (0, 0.5)]},
        )
        bottom = pg.InfiniteLine(pos=marker.t, angle=90, pen=pen)
        items: list[pg.GraphicsObject] = [top, bottom]
        for line in items:
            line.setToolTip(marker.tooltip)
        plots.rate_plot.addItem(top, ignoreBounds=True)
        plots.buffer_plot.addItem(bottom, ignoreBounds=True)
        if marker.span is not None:
            items.append(self._draw_span(marker, marker.span))
        return items

    def _schedule_layout(self, *_args: object) -> None:
        self._layout_timer.start()

    def layout_labels(self) -> None:
        """Each marker's label on the highest row where it clears the label
        before it (in pixels, at the current zoom); rows are a label's height
        apart; a label no row has room for is hidden (line and tooltip stay)."""
        if self._plots is None:
            return
        import pyqtgraph as pg

        vb = self._plots.rate_plot.getViewBox()
        plot_height = max(vb.sceneBoundingRect().height(), 1.0)
        ends: list[float] = []
        rows: list[float] = []
        for _marker, items in sorted(self._markers, key=lambda m: m[0].t):
            line = items[0]
            label = getattr(line, "label", None)
            if not isinstance(line, pg.InfiniteLine) or label is None:
                continue
            box = label.boundingRect()
            if not rows:
                step = box.height() + 2.0
                count = max(1, min(_LABEL_ROWS, int(plot_height * 0.7 // step)))
                rows = [
                    1.0 - (box.height() / 2 + 1.0 + i * step) / plot_height for i in range(count)
                ]
                ends = [-math.inf] * count
            x = vb.mapViewToScene(QPointF(line.value(), 0.0)).x()
            # right of its line, or left of it where the plot ends
            left = x + box.width() > vb.sceneBoundingRect().right()
            start = x - box.width() if left else x
            row = next((i for i, end in enumerate(ends) if start >= end + _LABEL_GAP), None)
            label.setVisible(row is not None)
            if row is None:
                continue
            ends[row] = start + box.width()
            anchor = (1.0, 0.5) if left else (0.0, 0.5)
            label.anchors = [anchor, anchor]
            label.setPosition(rows[row])

    def _drop_marker(self) -> None:
        _marker, items = self._markers.popleft()
        if self._plots is None:
            return
        for item in items:
            for plot in (self._plots.rate_plot, self._plots.buffer_plot):
                if item in plot.items:
                    plot.removeItem(item)

    # -- drawing -------------------------------------------------------------------
    def _redraw(self) -> None:
        plots = self._plots
        if plots is None or (not self.isVisible() and self._samples):
            self._dirty = True
            return
        import numpy as np

        self._dirty = False
        points = list(self._samples)
        if self._now is not None and (not points or self._now[0] > points[-1][0]):
            points.append(self._now)
        data = np.array(points, dtype=np.float64).reshape(-1, 4)
        t = data[:, 0]
        for curve, column, scale in (
            (plots.estimate_curve, 1, 1e-6),
            (plots.selected_curve, 2, 1e-6),
            (plots.buffer_curve, 3, 1.0),
        ):
            known = ~np.isnan(data[:, column])
            curve.setData(t[known], data[known, column] * scale)
        self._schedule_layout()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._build()
        if self._dirty:
            self._redraw()

    def _set_status(self, stats: SessionStats | None) -> None:
        """The current values, each coloured as its curve (the plots' legend)."""
        self._last_stats = stats
        now = stats if stats is not None and stats.opened else None
        abr = now.abr if now is not None else None
        parts: list[str] = []
        buffer: float | None
        if abr is not None or self._adaptive or stats is None:
            if abr is not None and not abr.estimate_measured:
                estimate = self.tr("not measured yet")
            else:
                estimate = rate_text(abr.estimate_bps if abr is not None else None)
            parts.append(_swatch(_ESTIMATE, self.tr("bandwidth estimate %1"), estimate))
            index = abr.variant_index if abr is not None else None
            v = self._variant(index) if index is not None else None
            if v is not None:
                chosen = variant_text(v)
            elif abr is not None and abr.variant_bandwidth is not None:
                chosen = rate_text(abr.variant_bandwidth)
            else:
                chosen = "—"
            parts.append(_swatch(_SELECTED, self.tr("selected %1"), chosen))
            buffer = abr.buffer_s if abr is not None else None
        else:
            # a closed player's stats have no figures: dashes
            rate = rate_text(None if now is None else now.bitrate_kbps.input * 1000)
            parts.append(_swatch(_SELECTED, self.tr("input bitrate %1"), rate))
            buffer = None if now is None else now.buffer_s
        level = "—" if buffer is None else f"{buffer:.1f} s"
        parts.append(_swatch(_BUFFER, self.tr("buffer %1"), level))
        switches = sum(1 for m, _ in self._markers if m.kind == "switch")
        stalls = sum(1 for m, _ in self._markers if m.kind == "stall")
        counts = self.tr("%1 switches, %2 stalls").replace("%1", str(switches))
        parts.append(html.escape(counts.replace("%2", str(stalls))))
        self.status.setText("&nbsp;&nbsp;&nbsp;".join(parts))

    def _variant(self, index: int) -> VariantInfo | None:
        for v in self._variants:
            if v.index == index:
                return v
        return None

    # -- for tests and the export ---------------------------------------------------
    @property
    def point_count(self) -> int:
        return len(self._samples)

    @property
    def markers(self) -> list[Marker]:
        return [m for m, _ in self._markers]

    @property
    def marker_kinds(self) -> list[str]:
        return [m.kind for m, _ in self._markers]

    @property
    def adaptive(self) -> bool:
        return self._adaptive


def _swatch(colour: str, template: str, value: str) -> str:
    """``━━ name value`` in the line's colour (rich text)."""
    text = html.escape(template.replace("%1", value))
    return f"<span style='color:{colour}'>━━</span>&nbsp;{text}"


def _tip(t: float, kind: str, detail: str) -> str:
    return f"{kind} at {t:.1f} s\n{detail}" if detail else f"{kind} at {t:.1f} s"


def _float(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _nan(value: float | None) -> float:
    return math.nan if value is None else value


def _positive(value: float | None) -> float:
    """For the log axis: a rate, or NaN (not drawn) when unknown or zero."""
    return math.nan if value is None or value <= 0 else value
