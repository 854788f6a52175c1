"""The window's panels: the play list and bitrate docks, the statistics
overlay (``i``) and the Quality menu's marks, all fed by the engine's stats,
and the ABR timeline's export."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMainWindow

from player.config import OpenOptions
from player.events import MediaInfo, VariantSwitched
from player.stats import SessionStats

from .abr_panel import AbrPanel
from .bridge import PlayerBridge, PlayerLike
from .message_bar import MessageBar
from .play_queue import Playlist
from .playlist_panel import PlaylistPanel
from .quality import QualityMenu
from .settings import Settings
from .stats_overlay import StatsOverlay, stats_lines, view_counts_text
from .video_view import VideoView
from .window_fit import WindowFit

__all__ = ["ABR_POLL_MS", "PANEL_HEIGHT", "PANEL_WIDTH", "PLAYLIST_WIDTH", "Panels"]

log = logging.getLogger(__name__)

PLAYLIST_WIDTH = 280  # the play list panel's width when it opens docked
ABR_POLL_MS = 500  # the bitrate panel's refresh while it shows
PANEL_HEIGHT, PANEL_WIDTH = 300, 420  # the bitrate panel's size when it first docks


def _pinned(options: OpenOptions | None, info: MediaInfo) -> int | None:
    """The rung --variant or --max-height pinned, to show it as locked."""
    if options is None or not info.variants:
        return None
    if options.variant is not None:
        return options.variant
    if options.max_height is not None:
        from player.hls.view_cap import pinned_rung

        return pinned_rung(info.variants, options.max_height)
    return None


class Panels(QObject):
    """``actions`` holds the window's checkable ``stats``, ``abr_panel`` and
    ``playlist_panel`` actions; ``playlist``, ``info`` and ``title`` read what
    the window shows now."""

    def __init__(
        self,
        window: QMainWindow,
        *,
        view: VideoView,
        player: PlayerLike,
        settings: Settings,
        messages: MessageBar,
        fit: WindowFit,
        quality_menu: QualityMenu,
        actions: Mapping[str, QAction],
        playlist: Callable[[], Playlist],
        info: Callable[[], MediaInfo | None],
        title: Callable[[], str],
    ) -> None:
        super().__init__(window)
        self._window = window
        self._view = view
        self._player = player
        self._settings = settings
        self._messages = messages
        self._fit = fit
        self._quality = quality_menu
        self._actions = actions
        self._info = info
        self._title = title
        #: the engine's last stats (1 Hz), for the overlay and the latency label
        self.stats: SessionStats | None = None
        #: the rung being fetched, ahead of the one playing
        self.loading_variant: int | None = None
        self.overlay = StatsOverlay(view)
        self.playlist_panel = PlaylistPanel(playlist, window)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.playlist_panel)
        self.playlist_panel.hide()
        self.playlist_panel.visibilityChanged.connect(
            lambda visible: actions["playlist_panel"].setChecked(visible)
        )
        self.abr_panel = AbrPanel(window)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.abr_panel)
        self.abr_panel.hide()
        self.abr_panel.visibilityChanged.connect(self._abr_visibility)
        self.abr_timer = QTimer(self)
        self.abr_timer.setInterval(ABR_POLL_MS)
        self.abr_timer.timeout.connect(self.refresh_abr_panel)

    def follow(self, bridge: PlayerBridge) -> None:
        bridge.variantSwitched.connect(self.abr_panel.on_switch)
        bridge.bufferingChanged.connect(self.abr_panel.on_buffering)
        bridge.errorOccurred.connect(self.abr_panel.on_error)
        bridge.variantSwitched.connect(self._on_variant)
        bridge.statsUpdated.connect(self._on_stats)

    def reset(self) -> None:
        """A new session: nothing measured, no ladder yet."""
        self.stats = None
        self.loading_variant = None
        self._quality.set_variants(())
        self.abr_panel.reset()

    def on_media(self, info: MediaInfo, options: OpenOptions | None) -> None:
        self._quality.set_variants(info.variants)
        if (pinned := _pinned(options, info)) is not None:
            self._quality.show_locked(pinned)
        self.abr_panel.set_variants(info.variants)
        if self.overlay.isVisible():
            self.update_overlay()

    # -- the play list -------------------------------------------------------------------
    def toggle_playlist_panel(self) -> None:
        panel = self.playlist_panel
        showing = not panel.isVisible()
        if showing and not panel.isFloating():
            # The panel takes its room from the screen, not from the picture.
            self._fit.grow_for_dock(PLAYLIST_WIDTH, 0)
        panel.setVisible(showing)
        if showing:
            self._window.resizeDocks([panel], [PLAYLIST_WIDTH], Qt.Orientation.Horizontal)
            panel.refresh()

    # -- the bitrate panel ---------------------------------------------------------------
    def toggle_abr_panel(self) -> None:
        self.abr_panel.setVisible(not self.abr_panel.isVisible())

    def _abr_visibility(self, visible: bool) -> None:
        self._actions["abr_panel"].setChecked(visible)
        panel, window, view = self.abr_panel, self._window, self._view
        if visible and not panel.isFloating() and panel.height() < PANEL_HEIGHT:
            # Docked at its minimum the plots are slivers: give them room.
            horizontal = window.dockWidgetArea(panel) == Qt.DockWidgetArea.RightDockWidgetArea
            # The picture keeps the size it was fitted (or the user sized it)
            # to: the panel's room comes from the screen where it can.
            fit_w, fit_h = self._fit.fitted_view or (0, 0)
            if horizontal:
                self._fit.grow_for_dock(PANEL_WIDTH - panel.width() + fit_w - view.width(), 0)
            else:
                self._fit.grow_for_dock(0, PANEL_HEIGHT - panel.height() + fit_h - view.height())
            size = PANEL_WIDTH if horizontal else PANEL_HEIGHT
            orientation = Qt.Orientation.Horizontal if horizontal else Qt.Orientation.Vertical
            window.resizeDocks([panel], [size], orientation)
            # Once more when the grown window is laid out.
            QTimer.singleShot(0, lambda: window.resizeDocks([panel], [size], orientation))
        if visible:
            self.refresh_abr_panel()
            self.abr_timer.start()
        else:
            self.abr_timer.stop()

    def refresh_abr_panel(self) -> None:
        """The panel's poll (2 Hz while it shows): the HLS timeline and the stats."""
        try:
            abr = list(self._player.abr_timeline())
            stats = self._player.stats()
        except Exception:
            log.debug("ABR data failed", exc_info=True)
            return
        self._mark_variant(stats)
        self.abr_panel.update_from(abr, stats)

    # -- the stats -----------------------------------------------------------------------
    def toggle_stats(self) -> None:
        show = not self.overlay.isVisible()
        self._actions["stats"].setChecked(show)
        if show:
            try:
                self.stats = self._player.stats()
            except Exception:
                log.debug("stats() failed", exc_info=True)
            self.update_overlay()
            self.overlay.move(12, 12)
            self.overlay.show()
            self.overlay.raise_()
        else:
            self.overlay.hide()

    def update_overlay(self) -> None:
        view = self._view
        counts = view_counts_text(view.painted, view.coalesced, view.presented)
        shown = view.current_frame
        self.overlay.set_rows(
            stats_lines(
                self._info(),
                self.stats,
                view.renderer_name,
                counts,
                current_variant=self._quality.current,
                locked_variant=self._quality.locked,
                loading_variant=self.loading_variant,
                frame_size=None if shown is None else (shown.width, shown.height),
            )
        )

    def _on_variant(self, event: VariantSwitched) -> None:
        # What is fetched now plays once the buffer ahead of it has: the menu
        # follows what plays (the stats), the overlay shows both meanwhile.
        self.loading_variant = event.to_index
        if self._quality.current is None:
            self._quality.mark_current(event.to_index)  # the first choice plays first
        if self.overlay.isVisible():
            self.update_overlay()

    def _on_stats(self, stats: SessionStats) -> None:
        self.stats = stats
        self._mark_variant(stats)
        if not self.abr_panel.isVisible():
            self.abr_panel.add_stats_sample(stats)
        if self.overlay.isVisible():
            self.update_overlay()

    def _mark_variant(self, stats: SessionStats) -> None:
        abr = stats.abr
        if abr is None:
            return
        if abr.variant_index is not None:
            self.loading_variant = abr.variant_index
        if abr.playing_index is not None:
            self._quality.mark_current(abr.playing_index)

    # -- the export ----------------------------------------------------------------------
    def export_timeline(self, path: str | Path | None = None) -> Path | None:
        """Write the session's timeline (ABR samples, markers, events, report) as
        JSON or CSV, chosen by the file's extension."""
        if path is None:
            default = str(Path(self._settings.export_dir) / self.export_name())
            json_filter, csv_filter = self.tr("JSON (*.json)"), self.tr("CSV (*.csv)")
            chosen, chosen_filter = QFileDialog.getSaveFileName(
                self._window, self.tr("Export timeline"), default, f"{json_filter};;{csv_filter}"
            )
            if not chosen:
                return None
            if Path(chosen).suffix.lower() not in (".json", ".csv"):
                chosen += ".csv" if chosen_filter == csv_filter else ".json"
            path = chosen
            self._settings.export_dir = str(Path(chosen).parent)
        try:
            report = dict(self._player.report())
            from player.timeline_export import write_timeline  # csv: only for an export

            written = write_timeline(path, report, list(self._player.abr_timeline()))
        except OSError as exc:
            self._messages.show_message(
                "error", self.tr("Export failed: %1").replace("%1", str(exc))
            )
            return None
        self._messages.show_message(
            "info", self.tr("Timeline saved to %1").replace("%1", str(written))
        )
        return written

    def export_name(self) -> str:
        """``<title>-<YYYYmmdd-HHMMSS>.json``: the title made safe for a file name."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        base = re.sub(r"[^\w.-]+", "_", self._title() or "heureum").strip("._") or "heureum"
        return f"{base[:60]}-{stamp}.json"
