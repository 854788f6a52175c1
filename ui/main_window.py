"""The main window: puts the view, the transport bar, the overlays and the menus
together and turns user input into Player commands.

It owns small parts, each given only what it needs (docs/architecture.md has
the table): ``window_menus`` (actions, menus), ``window_keys`` (what each key
does), ``window_opening`` (what opens, the play list, resume points),
``window_panels`` (docks, stats overlay), ``window_fit`` (size and aspect),
``window_levels`` (volume, mute, speed), ``window_tracks``, ``window_modes``
(fullscreen, on top), ``window_notices`` and ``window_cap``. The window keeps
what the session shows: its media, state and title. Volume, mute and speed
are the Player's alone."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeyEvent,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import QMainWindow, QVBoxLayout, QWidget

from player.config import OpenOptions
from player.events import (
    MediaInfo,
    PlayerState,
    StateChanged,
)

from . import gc_guard
from .bridge import PlayerBridge, PlayerLike
from .controls import TransportBar, format_time
from .desktop import DesktopIntegration
from .i18n import ui_language
from .message_bar import MessageBar
from .osd import Osd
from .play_queue import Playlist
from .probe_memory import ProbeMemory
from .resume import ResumeStore
from .screenshot import save_screenshot
from .settings import Settings
from .subtitles import SubtitleLabel
from .video_view import VideoView
from .window_cap import ViewSizeCap
from .window_fit import WindowFit
from .window_keys import action_for_key, key_handlers
from .window_levels import LevelControls
from .window_menus import WindowMenus
from .window_modes import WindowModes
from .window_notices import Notices
from .window_opening import Opener
from .window_panels import Panels
from .window_tracks import TrackChoices

__all__ = ["MainWindow", "seek_osd_text"]

log = logging.getLogger(__name__)

WHEEL_STEP = 0.05
_PLAYING = (PlayerState.PLAYING, PlayerState.BUFFERING)


def seek_osd_text(position: float | None, delta: float, duration: float | None) -> str:
    """What a relative seek shows: the target and the duration ("00:42 / 10:00"),
    as mpv's OSD does; the step alone when the position is unknown."""
    step = ("+" if delta > 0 else "−") + f"{abs(delta):g} s"
    if position is None:
        return step
    target = max(0.0, position + delta)
    if duration is not None and duration > 0:
        target = min(target, duration)
        return f"{format_time(target)} / {format_time(duration)}"
    return f"{format_time(target)} ({step})"


class MainWindow(QMainWindow):
    """``player`` is a ``player.Player`` (or anything with its API); the window
    becomes its video sink and closes it when the window closes. With
    ``bus=False`` what talks over the session bus (MPRIS, the screen
    saver) waits for ``desktop.start_bus()``."""

    screenshotSaved = Signal(str)

    def __init__(
        self,
        player: PlayerLike,
        settings: Settings,
        *,
        renderer: str | None = None,
        bus: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        gc_guard.install()  # Qt objects die on this thread, not an engine's
        self.player = player
        self.settings = settings
        self.bridge = PlayerBridge(player, self)
        self.info: MediaInfo | None = None
        self.state = PlayerState.IDLE
        self.title = ""
        self._closed = False
        self._screen_hooked = False
        self._fitted = False
        self.instance_server: QObject | None = None  # ui.app makes it (--enqueue)

        self.view = VideoView(self, renderer=renderer)
        self.view.remember_probe(ProbeMemory(settings))
        self.fit = WindowFit(self, self.view, lambda: self.info)
        self.osd = Osd(self.view)
        self.subtitle_label = SubtitleLabel(self.view)
        self.messages = MessageBar(self)
        self.transport = TransportBar(self)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.messages)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.transport)
        self.setCentralWidget(central)
        self.setAcceptDrops(True)
        self.setMinimumSize(480, 320)

        self.opener = Opener(self, self, settings)
        self.menus = WindowMenus(
            self, settings, key_handlers(self), lambda: self.view.renderer_name
        )
        self.panels = Panels(
            self,
            view=self.view,
            player=player,
            settings=settings,
            messages=self.messages,
            fit=self.fit,
            quality_menu=self.menus.quality_menu,
            actions=self.menus.actions_by_name,
            playlist=lambda: self.opener.playlist,
            info=lambda: self.info,
            title=lambda: self.title,
        )
        # the parts other modules and the tests reach by the window's name
        self.actions_by_name = self.menus.actions_by_name
        self.quality_menu = self.menus.quality_menu
        self.lab_menu = self.menus.lab_menu
        self.hwdec_action = self.menus.hwdec_action
        self.overlay = self.panels.overlay
        self.playlist_panel = self.panels.playlist_panel
        self.abr_panel = self.panels.abr_panel
        self.transport.speed_button.setMenu(self.menus.speed_menu)
        self.modes = WindowModes(self, self.view, self.transport, self.actions_by_name)
        self.levels = LevelControls(
            self,
            player=player,
            call=self.call,
            settings=settings,
            transport=self.transport,
            menus=self.menus,
            osd=self.osd,
            changed=lambda: self.desktop.changed(),
        )
        self.tracks = TrackChoices(
            self,
            player=player,
            call=self.call,
            audio_menu=self.menus.audio_tracks_menu,
            subtitles_menu=self.menus.subtitles_menu,
            label=self.subtitle_label,
            osd=self.osd,
            load=lambda: self.opener.load_subtitle_file(),
        )
        self.cap = ViewSizeCap(self.view, player, self.call, lambda: self.current_url)
        self.notices = Notices(self, self.bridge, self.messages, self.osd)
        self._connect()
        self.desktop = DesktopIntegration(self, bus=bus)
        self.retranslate()

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(200)
        self._refresh_timer.timeout.connect(self._refresh)
        self._refresh_timer.start()

        geometry = settings.geometry
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1100, 700)
        state = settings.window_state
        if state is not None:
            self.restoreState(state)
        self.levels.restore()  # the player holds them from here on
        self.transport.set_playlist(False, False, 0)
        player.set_video_sink(self.view)
        self._update_title()

    # -- construction ----------------------------------------------------------------
    def _connect(self) -> None:
        b = self.bridge
        b.stateChanged.connect(self._on_state)
        b.mediaOpened.connect(self._on_media)
        b.endOfStream.connect(self.opener.after_end)
        b.subtitleChanged.connect(self.subtitle_label.set_text)
        self.panels.follow(b)
        t = self.transport
        t.playPauseClicked.connect(self.toggle_pause)
        t.seekRequested.connect(self.seek)
        t.volumeChanged.connect(self.levels.set_volume)
        t.muteToggled.connect(self.levels.set_muted)
        t.fullscreenClicked.connect(self.modes.toggle_fullscreen)
        t.liveClicked.connect(self.jump_to_live)
        t.previousClicked.connect(self.play_previous)
        t.nextClicked.connect(self.play_next)
        self.view.doubleClicked.connect(self.modes.toggle_fullscreen)
        self.view.wheelSteps.connect(lambda n: self.levels.change_volume(n * WHEEL_STEP))
        self.view.mouseMoved.connect(self.modes.mouse_moved)
        self.quality_menu.variantChosen.connect(self.select_variant)
        self.menus.speedChosen.connect(self.levels.set_speed)
        self.menus.recentChosen.connect(self.open_url)
        self.menus.compare_action.triggered.connect(lambda: self.opener.open_compare())
        self.menus.stop_action.triggered.connect(self.stop)
        panel = self.playlist_panel
        panel.activated.connect(self.opener.play_index)
        panel.changed.connect(self.playlist_changed)
        panel.saveRequested.connect(self.opener.save_playlist_dialog)

    def retranslate(self) -> None:
        self.menus.retranslate()
        self.playlist_panel.retranslate()
        self._update_title()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- helpers --------------------------------------------------------------------------
    def call(self, fn: Callable[..., object], *args: object) -> bool:
        """Run a player command; a failure becomes a message, never a dead window."""
        try:
            fn(*args)
            return True
        except Exception as exc:  # the engine's errors and anything unexpected alike
            log.exception("player command failed")
            self.messages.show_message("error", str(exc) or type(exc).__name__)
            return False

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.title} — Heureum" if self.title else "Heureum")
        self.desktop.changed()

    # -- opening (the opener's, under the names the app and the shell use) -------------------
    @property
    def playlist(self) -> Playlist:
        return self.opener.playlist

    @property
    def closed(self) -> bool:
        """The window was closed (its player too)."""
        return self._closed

    @property
    def current_url(self) -> str | None:
        return self.opener.current_url

    @property
    def resume(self) -> ResumeStore:
        return self.opener.resume

    def open_url(
        self, url: str, options: OpenOptions | None = None, *, remember: bool = True
    ) -> None:
        self.opener.open_url(url, options, remember=remember)

    def open_urls(self, urls: list[str], options: OpenOptions | None = None) -> None:
        self.opener.open_urls(urls, options)

    def append_urls(self, urls: list[str]) -> None:
        self.opener.append_urls(urls)

    def play_next(self) -> None:
        self.opener.play_next()

    def play_previous(self) -> None:
        self.opener.play_previous()

    def set_language(self, code: str) -> None:
        self.menus.set_language(code)

    def begin_session(self, url: str, options: OpenOptions, title: str) -> None:
        """The opener chose what plays: show nothing of the last session, then open."""
        self._fitted = False
        self.info = None
        self.title = title
        self._update_title()
        self.panels.reset()
        self.tracks.reset(options)
        self.cap.apply()  # before the open: the session starts with its cap
        self.transport.set_live(False)
        self.playlist_changed()
        if self.messages.level == "error":
            self.messages.dismiss()
        self.call(self.player.open, url, options)

    def playlist_changed(self) -> None:
        playlist = self.opener.playlist
        self.transport.set_playlist(playlist.has_previous(), playlist.has_next(), len(playlist))
        self.playlist_panel.refresh()
        self.desktop.changed()

    def recent_changed(self) -> None:
        self.menus.rebuild_recent()

    # -- drag and drop --------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.opener.accepts(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        if self.opener.drop(event.mimeData()):
            event.acceptProposedAction()

    # -- transport commands ----------------------------------------------------------------
    def toggle_pause(self) -> None:
        if self.state in (PlayerState.ENDED, PlayerState.STOPPED) and self.current_url:
            self.call(self.player.seek, 0.0)
            self.call(self.player.play)
            return
        self.call(self.player.toggle_pause)

    def stop(self) -> None:
        self.call(self.player.stop)

    def seek(self, position: float) -> None:
        self.call(self.player.seek, max(0.0, position))

    def seek_relative(self, delta: float) -> None:
        if self.info is not None and not self.info.seekable:
            self.osd.flash(self.tr("Not seekable"))
            return
        try:
            position = self.player.position
            duration = self.player.duration or (self.info.duration if self.info else None)
        except Exception:
            position, duration = None, None
        self.call(self.player.seek_relative, delta)
        self.osd.flash(seek_osd_text(position, delta, duration))

    def frame_step(self) -> None:
        self.call(self.player.frame_step)

    def frame_back_step(self) -> None:
        self.call(self.player.frame_back_step)

    def jump_to_live(self) -> None:
        if self.info is not None and self.info.is_live:
            self.call(self.player.seek_to_live)
            self.osd.flash(self.tr("Live"))

    def select_variant(self, index: int) -> None:
        self.call(self.player.select_variant, None if index < 0 else index)

    # -- window commands --------------------------------------------------------------------
    def take_screenshot(self, subtitles: bool = True) -> Path | None:
        """``s`` with the subtitle on screen drawn in, ``S`` without (mpv)."""
        frame = self.view.current_frame
        if frame is None:
            self.messages.show_message("warning", self.tr("There is no picture to capture yet."))
            return None
        try:
            text = self.subtitle_label.text() if subtitles else None
            path = save_screenshot(
                frame,
                self.settings.screenshot_dir,
                self.title or "heureum",
                subtitle=text or None,
                font=self.subtitle_label.font(),
                scale=self.subtitle_label.scale,
            )
        except OSError as exc:
            self.messages.show_message(
                "error", self.tr("Screenshot failed: %1").replace("%1", str(exc))
            )
            return None
        self.messages.show_message(
            "info", self.tr("Screenshot saved to %1").replace("%1", str(path))
        )
        self.screenshotSaved.emit(str(path))
        return path

    # -- engine events (GUI thread, via the bridge) ------------------------------------------
    def _on_state(self, event: StateChanged) -> None:
        self.state = event.state
        self.transport.set_playing(event.state in _PLAYING)
        if event.state == PlayerState.PAUSED:
            self.osd.flash(self.tr("Paused"))
        elif event.state == PlayerState.ENDED and not (
            self.playlist.has_next() or self.playlist.loop.value == "one"
        ):
            # A state that stays, with the way back (Space replays), as mpv's
            # keep-open shows the last frame.
            self.osd.flash(self.tr("Ended — Space to replay"), 0)
            self.opener.ended()
        elif event.state == PlayerState.PLAYING and self.osd.text() == self.tr(
            "Ended — Space to replay"
        ):
            self.osd.hide()

    def _on_media(self, info: MediaInfo) -> None:
        self.info = info
        self.opener.record_opened()
        if not self._fitted:
            self._fitted = True
            self.fit.fit_to_video()
            language = ui_language(self.settings.language)
            self.info = self.tracks.prefer(info, self.opener.current_options, language)
            if (resumed_at := self.opener.resumed_at) is not None:
                # The message bar, not the OSD: buffering notices reuse the OSD.
                self.messages.show_message(
                    "info", self.tr("Resumed at %1").replace("%1", format_time(resumed_at))
                )
        entry = self.playlist.current
        if info.title and not (entry is not None and entry.title):
            self.title = info.title
            self._update_title()
        self.transport.set_live(info.is_live)
        self.panels.on_media(info, self.opener.current_options)
        self.tracks.show(info)
        self._refresh()

    def _refresh(self) -> None:
        """Labels and the seek bar (5 Hz); the video itself is driven by the engine."""
        if self._closed:
            return
        p = self.player
        try:
            position, duration = p.position, p.duration
            buffered = p.buffered_until()
            latency = p.live_latency() if self.info is not None and self.info.is_live else None
        except Exception:
            log.debug("refresh failed", exc_info=True)
            return
        # End to end where the stream carries a wall clock (the 1 Hz stats).
        stats = self.panels.stats
        no_figure: tuple[float | None, str] = (None, "-")
        figure, kind = (
            stats.latency.headline() if stats is not None and latency is not None else no_figure
        )
        if figure is not None:
            latency = figure
        self.transport.latency_label.setToolTip(
            self.tr("end to end") if kind == "end to end" else self.tr("to the live edge")
        )
        if duration is None and self.info is not None:
            duration = self.info.duration
        self.transport.set_times(position, duration, buffered, latency)

    # -- Qt events ---------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Keys that reached the window without matching a shortcut (the window was
        not the active one, e.g. just after a fullscreen switch): same table."""
        action = action_for_key(self.actions_by_name, event)
        if action is None:
            super().keyPressEvent(event)
            return
        action.trigger()
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.osd.isVisible():
            self.osd.move(self.view.width() - self.osd.width() - 16, 16)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        handle = self.windowHandle()
        if handle is not None and not self._screen_hooked:
            # Another screen may have another device pixel ratio.
            handle.screenChanged.connect(lambda _screen: self.cap.timer.start())
            self._screen_hooked = True

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closed:
            self._closed = True
            self._refresh_timer.stop()
            if not self.isFullScreen():
                self.settings.geometry = self.saveGeometry()
                self.settings.window_state = self.saveState()
            self.opener.save_resume()
            self.desktop.close()
            self.lab_menu.stop_all()
            self.levels.save()
            self.view.probe_again()
            self.settings.sync()
            self.bridge.detach()
            try:
                self.player.set_video_sink(None)
                self.player.close()
            except Exception:
                log.exception("closing the player failed")
        super().closeEvent(event)
