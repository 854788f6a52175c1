"""The bitrate panel's markers: switches, stalls, errors, gaps, rejoins and
re-admissions, each a vertical line through both plots with a label and a
tooltip, kept as plain data until the plots exist. Labels are laid out in
rows so that none overlaps another; one that fits no row is hidden (its
line and tooltip stay).

Stalls are marked and counted by the report's rule (``StallTally``): one
marker from a stall's start, its span to its end, and a stall that starts
again within ``STALL_JOIN_S`` of the last one's end only stretches that
marker's span. The counts of stalls and switches are kept apart from the
bounded markers, so the status line agrees with the report's
``rebuffer_count`` however long the session."""

from __future__ import annotations

import math
import re
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, Qt

from player.events import BufferingChanged, VariantInfo, VariantSwitched
from player.metrics import StallTally

from .abr_text import rate_text, short_name, tip, variant_text

if TYPE_CHECKING:
    import pyqtgraph as pg

    from .abr_plots import Plots

__all__ = ["MAX_MARKERS", "TIMELINE_MARKERS", "Marker", "MarkerTrack"]

MAX_MARKERS = 200
#: markers of one kind closer than this (s) are one marker: the loader's
#: record and the engine's event of the same error, say
_SAME_MARKER_S = 1.0
#: kinds never merged so: each is an event of its own, however close (stalls
#: are joined by the report's rule instead, ``StallTally``)
_EACH_ITS_OWN = frozenset({"switch", "readmit", "stall"})
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
TIMELINE_MARKERS = {"gap", "rejoin", "error"}
#: the loader's detail of a variant leaving the penalty box
_READMITTED = re.compile(r"variant (\d+) re-admitted")
#: rows of marker labels at most (top down, a label's height apart)
_LABEL_ROWS = 4
#: pixels between two labels on one row
_LABEL_GAP = 6.0


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


class MarkerTrack:
    """The markers of one session, bounded (``MAX_MARKERS``), with their plot
    items once ``attach`` gave them plots. ``relayout`` is called when the
    labels need laying out again (the panel coalesces it to one per tick)."""

    def __init__(self, relayout: Callable[[], None]) -> None:
        self._relayout = relayout
        self._plots: Plots | None = None
        #: each marker with its plot items (none until the plots exist)
        self._markers: deque[tuple[Marker, list[pg.GraphicsObject]]] = deque()
        self._variants: tuple[VariantInfo, ...] = ()
        self._stalls = StallTally()
        #: where the last stall's marker is (its start)
        self._stall_t: float | None = None
        #: switches marked in this session (markers past the cap included)
        self._switches = 0

    @property
    def markers(self) -> list[Marker]:
        return [m for m, _ in self._markers]

    def count(self, kind: str) -> int:
        """The session's stalls (as the report counts them) or switches, or
        the markers of another kind still kept."""
        if kind == "stall":
            return self._stalls.count
        if kind == "switch":
            return self._switches
        return sum(1 for m, _ in self._markers if m.kind == kind)

    def attach(self, plots: Plots) -> None:
        """The plots now exist: draw the markers kept so far on them."""
        self._plots = plots
        for i, (marker, _items) in enumerate(self._markers):
            self._markers[i] = (marker, self._draw(marker))

    def clear(self) -> None:
        self._stalls.clear()
        self._stall_t = None
        self._switches = 0
        while self._markers:
            self._drop()

    def set_variants(self, variants: Sequence[VariantInfo]) -> None:
        """The ladder: switches seen before it (the first ones come before
        ``MediaOpened``) are named by their rungs now."""
        self._variants = tuple(variants)
        for i, (marker, items) in enumerate(self._markers):
            if marker.switch is not None:
                named = replace(self.switch_marker(marker.switch), span=marker.span)
                self._markers[i] = (named, items)
                for item in items:
                    item.setToolTip(named.tooltip)
                label = getattr(items[0], "label", None) if items else None
                if label is not None:
                    label.setFormat(named.label)

    # -- the markers of each kind ------------------------------------------------
    def switch_marker(self, event: VariantSwitched) -> Marker:
        from_index = event.from_index if event.from_index is not None else -1
        to = self._variant(event.to_index)
        arrow = "↑" if event.to_index > from_index else "↓"
        label = f"{arrow}{short_name(to, event.to_index)}"
        target = variant_text(to) if to is not None else rate_text(event.bandwidth)
        detail = (
            f"{from_index + 1} → {event.to_index + 1}: {target}\n"
            f"{event.rule}: {event.reason}\n"
            f"estimate {rate_text(event.estimate_bps)}, buffer {event.buffer:.1f} s"
        )
        return Marker(event.t, "switch", label, tip(event.t, "switch", detail), event)

    def readmit_marker(self, t: float, detail: str) -> Marker:
        """A variant out of the penalty box, back among the ABR's choices
        (the loader's detail names it: "variant N re-admitted: why")."""
        found = _READMITTED.match(detail)
        if found is None:
            return Marker(t, "readmit", "↺", tip(t, "readmit", detail))
        index = int(found.group(1))
        back = self._variant(index)
        label = f"↺{short_name(back, index)}"
        what = variant_text(back) if back is not None else f"#{index + 1}"
        return Marker(t, "readmit", label, tip(t, "readmit", f"{what}\n{detail}"))

    def on_buffering(self, event: BufferingChanged) -> None:
        """A stall's marker when it starts, and its span once it ends. A
        buffering that is no stall (the start, a seek, the refill after a jump
        to the live edge: ``rebuffer`` False) is not marked."""
        if event.buffering and event.rebuffer:
            if self._stalls.start(event.t):
                self._stall_t = event.t
                self.add(Marker(event.t, "stall", "stall", tip(event.t, "stall", "rebuffering")))
            # else: progress through the stall, or it rejoins the last one
        elif not event.buffering and self._stalls.end(event.t):
            self._end_stall(event.t)

    def _end_stall(self, t: float) -> None:
        """The last stall marker's span now runs to ``t`` (a rejoined stall
        replaces the span it had)."""
        for i in range(len(self._markers) - 1, -1, -1):
            marker, items = self._markers[i]
            if marker.kind != "stall" or marker.t != self._stall_t:
                continue
            span = (marker.t, max(t, marker.t + 0.05))
            if marker.span is not None and self._plots is not None and items:
                old = items.pop()  # the span is drawn last
                if old in self._plots.buffer_plot.items:
                    self._plots.buffer_plot.removeItem(old)
            self._markers[i] = (replace(marker, span=span), items)
            if self._plots is not None:
                items.append(self._draw_span(span))
            return
        # (its marker went past the cap: the count has it still)

    def add(self, marker: Marker) -> None:
        for existing, _items in reversed(self._markers):
            if existing.t < marker.t - _SAME_MARKER_S:
                break
            if (
                marker.kind not in _EACH_ITS_OWN
                and existing.kind == marker.kind
                and abs(existing.t - marker.t) < _SAME_MARKER_S
            ):
                return
        if marker.kind == "switch":
            self._switches += 1
        self._markers.append((marker, self._draw(marker)))
        while len(self._markers) > MAX_MARKERS:
            self._drop()
        self._relayout()

    # -- drawing -------------------------------------------------------------------
    def _draw(self, marker: Marker) -> list[pg.GraphicsObject]:
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
            items.append(self._draw_span(marker.span))
        return items

    def _draw_span(self, span: tuple[float, float]) -> pg.GraphicsObject:
        import pyqtgraph as pg

        assert self._plots is not None
        region = pg.LinearRegionItem(
            values=span, movable=False, brush=(239, 83, 80, 45), pen=pg.mkPen(None)
        )
        region.setZValue(-20)
        region.setToolTip(tip(span[0], "stall", f"{span[1] - span[0]:.1f} s"))
        self._plots.buffer_plot.addItem(region, ignoreBounds=True)
        return region

    def _drop(self) -> None:
        _marker, items = self._markers.popleft()
        if self._plots is None:
            return
        for item in items:
            for plot in (self._plots.rate_plot, self._plots.buffer_plot):
                if item in plot.items:
                    plot.removeItem(item)

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

    def _variant(self, index: int) -> VariantInfo | None:
        return next((v for v in self._variants if v.index == index), None)
