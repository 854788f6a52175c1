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
labelled once under the lower plot; a new session resets its range.
Switches, stalls and errors come from the engine's events as they happen.
Everything is bounded (``MAX_POINTS`` samples, ``MAX_MARKERS`` markers) and
nothing is done per video frame.

This module is the dock, its samples and the status line; the markers and
their labels are ``abr_markers``, the words and colours ``abr_text``, the
pyqtgraph widgets ``abr_plots``. pyqtgraph (and numpy with it, a second of
start-up) is imported when the panel first shows, or a plot is asked for:
until then the panel keeps its samples and markers as plain data, and the
plots are drawn from them when they exist.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QLabel, QVBoxLayout, QWidget

from player.capabilities import TimelineEntry
from player.events import BufferingChanged, ErrorOccurred, VariantInfo, VariantSwitched
from player.stats import SessionStats

from .abr_markers import MAX_MARKERS, TIMELINE_MARKERS, Marker, MarkerTrack
from .abr_text import (
    BUFFER_COLOUR,
    ESTIMATE_COLOUR,
    SELECTED_COLOUR,
    rate_text,
    short_name,
    swatch,
    tip,
    variant_text,
)
from .error_text import error_message
from .rich_text import escape

if TYPE_CHECKING:
    import pyqtgraph as pg

    from .abr_plots import Plots as _Plots

__all__ = ["MAX_MARKERS", "MAX_POINTS", "AbrPanel", "Marker", "rate_text", "variant_text"]

MAX_POINTS = 3000
#: the time axis of an empty session (s)
_EMPTY_RANGE = 10.0
#: a poll this long (s) after the newest download (and the newest poll kept)
#: is kept as a sample: no segment arrives (an outage, a full VOD buffer), and
#: the buffer drawn must drain to the stall, not run straight to the next download
_QUIET_S = 1.0


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
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status)
        self._body_layout = layout
        self._plots: _Plots | None = None
        body.setMinimumHeight(220)  # the plots' room, before they are made
        self.setWidget(body)
        self._layout_timer = QTimer(self)
        self._layout_timer.setSingleShot(True)
        self._layout_timer.setInterval(0)
        self._track = MarkerTrack(self._schedule_layout)
        self._layout_timer.timeout.connect(self._track.layout_labels)

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
        self._track.attach(plots)
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
        self._track.clear()
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
        self._track.set_variants(variants)
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
            ticks.append((level, short_name(v, v.index)))
        plots.rate_plot.getAxis("right").setTicks([ticks, []])

    # -- data ----------------------------------------------------------------------
    def update_from(self, abr: Sequence[TimelineEntry], stats: SessionStats) -> None:
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
        moves on between downloads. Kept once no download came for
        ``_QUIET_S``: else a line from the last download straight to the next
        one, across an outage, shows seconds of buffer all through the stall
        it caused. A download recorded later with an earlier time (the
        loader's entries are put on the session's clock) replaces the kept
        points after it, so the curves never run back in time."""
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
        newest = self._samples[-1][0] if self._samples else self._timeline_t
        if t - max(self._timeline_t, newest) >= _QUIET_S:  # one a second at most
            self._samples.append(self._now)
            self._last_t = t
            self._now = None

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

    def _take_timeline(self, abr: Sequence[TimelineEntry]) -> None:
        if not self._adaptive:
            self._adaptive = True
            self._samples.clear()
            self._last_t = -1.0
            self._timeline_t = -1.0
        # Only the entries newer than the last one seen (the list is in time order).
        start = len(abr)
        while start > 0 and abr[start - 1].t > self._timeline_t:
            start -= 1
        for entry in abr[max(start, len(abr) - MAX_POINTS) :]:
            t = entry.t
            if not math.isfinite(t):
                continue
            while self._samples and self._samples[-1][0] > t:
                self._samples.pop()  # a kept poll (``_add_now``) it arrives before
            marker = entry.marker
            if marker in TIMELINE_MARKERS:
                self._track.add(Marker(t, marker, marker, tip(t, marker, entry.detail)))
            elif marker == "readmit":
                self._track.add(self._track.readmit_marker(t, entry.detail))
            elif marker == "switch":
                # the selected line steps where the switch is marked, not a
                # download later
                self._selected = _positive(float(entry.selected_bitrate))
                self._samples.append((t, math.nan, self._selected, math.nan))
            elif marker is None:
                self._selected = _positive(float(entry.selected_bitrate))
                self._samples.append(
                    (
                        t,
                        _positive(entry.estimate_bps) if entry.measured else math.nan,
                        self._selected,
                        entry.buffer,
                    )
                )
            self._timeline_t = max(self._timeline_t, t)
            self._last_t = max(self._last_t, t)

    # -- events (GUI thread, from the bridge) -------------------------------------
    def on_switch(self, event: VariantSwitched) -> None:
        if event.from_index is None:
            return  # the first choice: the selected-bitrate line starts there
        self._track.add(self._track.switch_marker(event))

    def on_buffering(self, event: BufferingChanged) -> None:
        self._track.on_buffering(event)

    def on_error(self, event: ErrorOccurred) -> None:
        # the message bar's words, in the window's language (not the engine's English)
        heading = self.tr("Error at %1 s").replace("%1", f"{event.t:.1f}")
        self._track.add(Marker(event.t, "error", "error", f"{heading}\n{error_message(event)}"))

    def _schedule_layout(self, *_args: object) -> None:
        self._layout_timer.start()

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
            parts.append(swatch(ESTIMATE_COLOUR, self.tr("bandwidth estimate %1"), estimate))
            index = abr.variant_index if abr is not None else None
            v = self._variant(index) if index is not None else None
            if v is not None:
                chosen = variant_text(v)
            elif abr is not None and abr.variant_bandwidth is not None:
                chosen = rate_text(abr.variant_bandwidth)
            else:
                chosen = "—"
            parts.append(swatch(SELECTED_COLOUR, self.tr("selected %1"), chosen))
            buffer = abr.buffer_s if abr is not None else None
        else:
            # a closed player's stats have no figures: dashes
            rate = rate_text(None if now is None else now.bitrate_kbps.input * 1000)
            parts.append(swatch(SELECTED_COLOUR, self.tr("input bitrate %1"), rate))
            buffer = None if now is None else now.buffer_s
        level = "—" if buffer is None else f"{buffer:.1f} s"
        if abr is not None:
            # fetched ahead (the report's abr.buffer_s), as the overlay names
            # it beside the player's own buffer (buffer_s)
            parts.append(swatch(BUFFER_COLOUR, self.tr("buffer %1 downloaded"), level))
        else:
            parts.append(swatch(BUFFER_COLOUR, self.tr("buffer %1"), level))
        switches, stalls = self._track.count("switch"), self._track.count("stall")
        said = self.tr("1 switch") if switches == 1 else self.tr("%1 switches")
        stalled = self.tr("1 stall") if stalls == 1 else self.tr("%1 stalls")
        parts.append(escape(said.replace("%1", str(switches))))
        parts.append(escape(stalled.replace("%1", str(stalls))))
        # a narrow window wraps the line between its parts, never inside one
        kept = (f"<span style='white-space:nowrap'>{part}</span>" for part in parts)
        self.status.setText("&nbsp;&nbsp; ".join(kept))

    def _variant(self, index: int) -> VariantInfo | None:
        return next((v for v in self._variants if v.index == index), None)

    # -- for tests and the export ---------------------------------------------------
    @property
    def point_count(self) -> int:
        return len(self._samples)

    @property
    def markers(self) -> list[Marker]:
        return self._track.markers

    @property
    def marker_kinds(self) -> list[str]:
        return [m.kind for m in self._track.markers]

    @property
    def adaptive(self) -> bool:
        return self._adaptive


def _positive(value: float | None) -> float:
    """For the log axis: a rate, or NaN (not drawn) when unknown or zero."""
    return math.nan if value is None or value <= 0 else value
