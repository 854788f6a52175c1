"""The bitrate panel's pyqtgraph part: made when the panel first shows, so
that neither pyqtgraph nor numpy is imported before the window is up."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtWidgets import QBoxLayout, QWidget

from .abr_text import BACKGROUND, BUFFER_COLOUR, ESTIMATE_COLOUR, SELECTED_COLOUR

__all__ = ["Plots", "make_plots"]

#: the rate axis's ticks (Mb/s), on its log scale
_RATE_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500)


class Plots:
    """The pyqtgraph widgets of a panel."""

    graphs: pg.GraphicsLayoutWidget
    rate_plot: pg.PlotItem
    buffer_plot: pg.PlotItem
    estimate_curve: pg.PlotDataItem
    selected_curve: pg.PlotDataItem
    buffer_curve: pg.PlotDataItem


def make_plots(parent: QWidget, layout: QBoxLayout) -> Plots:
    """The rate plot over the buffer plot, one time axis, added to ``layout``."""
    plots = Plots()
    plots.graphs = pg.GraphicsLayoutWidget(parent)
    plots.graphs.setBackground(BACKGROUND)
    plots.graphs.setMinimumHeight(200)
    layout.addWidget(plots.graphs, 1)

    # Bitrates on a log axis: the rungs (0.3 to 6 Mb/s, say) stay apart
    # when the estimate is ten times the top one.
    plots.rate_plot = plots.graphs.addPlot(row=0, col=0)
    plots.rate_plot.setLogMode(x=False, y=True)
    plots.rate_plot.showGrid(x=True, y=True, alpha=0.15)
    plots.rate_plot.setMouseEnabled(x=True, y=False)
    plots.estimate_curve = plots.rate_plot.plot(pen=pg.mkPen(ESTIMATE_COLOUR, width=2))
    # a sample holds its rung until the next one ("right": pyqtgraph draws
    # y[i] from x[i] on; "left" would draw each rung before it was chosen)
    plots.selected_curve = plots.rate_plot.plot(
        pen=pg.mkPen(SELECTED_COLOUR, width=2), stepMode="right"
    )
    plots.graphs.ci.layout.setRowStretchFactor(0, 3)
    plots.graphs.ci.layout.setRowStretchFactor(1, 2)
    plots.buffer_plot = plots.graphs.addPlot(row=1, col=0)
    plots.buffer_plot.showGrid(x=True, y=True, alpha=0.15)
    plots.buffer_plot.setMouseEnabled(x=True, y=False)
    plots.buffer_plot.getViewBox().setLimits(yMin=0)
    plots.buffer_plot.setXLink(plots.rate_plot)
    plots.buffer_curve = plots.buffer_plot.plot(
        pen=pg.mkPen(BUFFER_COLOUR, width=2), fillLevel=0, brush=(129, 199, 132, 50)
    )
    # Mb/s on the left at 1-2-5 steps; the rungs' names on the right.
    plots.rate_plot.getAxis("left").setTicks([[(math.log10(v), f"{v:g}") for v in _RATE_TICKS], []])
    for plot in (plots.rate_plot, plots.buffer_plot):
        plot.showAxis("right")
        plot.getAxis("left").setWidth(44)
        plot.getAxis("right").setWidth(44)
    plots.buffer_plot.getAxis("right").setStyle(showValues=False)
    plots.rate_plot.getAxis("right").setTicks([[], []])
    # One time axis, in plain seconds: no "(x0.001)" scale factors, and
    # its values under the lower plot only.
    for plot in (plots.rate_plot, plots.buffer_plot):
        for side in ("bottom", "left"):
            plot.getAxis(side).enableAutoSIPrefix(False)
    plots.rate_plot.getAxis("bottom").setStyle(showValues=False)
    return plots
