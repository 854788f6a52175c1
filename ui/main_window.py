"""The main window: puts the view, the transport bar, the overlays and the menus
together and turns user input into Player commands."""

from __future__ import annotations

import html
import logging
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from PySide6.QtCore import QEvent, QMimeData, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeyEvent,
    QKeySequence,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from player.config import OpenOptions
from player.events import (
    BufferingChanged,
    ErrorOccurred,
    MediaInfo,
    PlayerState,
    Reconnected,
    Reconnecting,
    StateChanged,
    TrackInfo,
    VariantSwitched,
    WarningRaised,
)
from player.redact import redact_url
from player.timeline_export import write_timeline

from .about import AboutDialog, open_log_folder
from .abr_panel import AbrPanel
from .bridge import PlayerBridge, PlayerLike
from .controls import SPEEDS, TransportBar
from .i18n import LANGUAGES, install_language
from .message_bar import MessageBar
from .osd import Osd
from .playlist import Playlist, PlaylistEntry, is_hls_playlist, looks_like_playlist, parse_m3u
from .quality import QualityMenu
from .screenshot import save_screenshot
from .settings import Settings
from .shortcuts import SHORTCUTS, help_rows
from .stats_overlay import StatsOverlay, stats_lines
from .subtitles import SubtitleLabel
from .video_view import VideoView

__all__ = ["MainWindow"]

log = logging.getLogger(__name__)

VOLUME_STEP = 0.02  # mpv: 9/0 change the volume by 2 %
WHEEL_STEP = 0.05
SEEK_SHORT = 5.0
SEEK_LONG = 60.0
SPEED_FACTOR = 1.1
MIN_SPEED, MAX_SPEED = 0.25, 4.0
MAX_VOLUME = 1.5
CONTROLS_HIDE_MS = 2500
ABR_POLL_MS = 500  # the bitrate panel's refresh while it shows
PANEL_HEIGHT, PANEL_WIDTH = 300, 420  # the bitrate panel's size when it first docks
CAP_DEBOUNCE_MS = 300  # a resize settles before the engine hears the view's size
MEDIA_FILTER = (
    "*.mp4 *.mkv *.webm *.mov *.avi *.ts *.m2ts *.flv *.m4v *.mpg *.mpeg *.wmv *.ogv"
    " *.mp3 *.m4a *.aac *.flac *.wav *.ogg *.opus *.m3u *.m3u8"
)
_PLAYING = (PlayerState.PLAYING, PlayerState.BUFFERING)


def _fill_track_menu(
    menu: QMenu,
    tracks: Sequence[TrackInfo],
    select: Callable[[int | None], None],
    *,
    off: str | None = None,
) -> None:
    """One checkable, exclusive entry per track (the default one checked),
    after an ``off`` entry when given; disabled without tracks."""
    menu.clear()
    group = QActionGroup(menu)
    entries: list[tuple[str, int | None, bool]] = []
    if off is not None:
        entries.append((off, None, not any(t.default for t in tracks)))
    entries += [(_track_name(t), t.index, t.default) for t in tracks]
    for text, index, checked in entries:
        act = QAction(text, menu, checkable=True)
        act.setChecked(checked)
        act.triggered.connect(lambda _=False, i=index: select(i))
        group.addAction(act)
        menu.addAction(act)
    menu.setEnabled(bool(tracks))


def _track_name(track: TrackInfo) -> str:
    if track.language and track.language.lower() not in track.name.lower():
        return f"{track.name} ({track.language})"
    return track.name


def _title_for(url: str) -> str:
    parts = urlsplit(url)
    name = unquote(os.path.basename(parts.path.rstrip("/"))) if parts.path else ""
    return name or parts.hostname or redact_url(url)


def _merge(defaults: OpenOptions, options: OpenOptions | None) -> OpenOptions:
    """``options`` with its unset (None) network fields taken from ``defaults``."""
    if options is None:
        return defaults
    return replace(
        options,
        rtsp_transport=options.rtsp_transport or defaults.rtsp_transport,
        low_latency=defaults.low_latency if options.low_latency is None else options.low_latency,
    )


class MainWindow(QMainWindow):
    """``player`` is a ``player.Player`` (or anything with its API); the window
    becomes its video sink and closes it when the window closes."""

    screenshotSaved = Signal(str)

    def __init__(
        self,
        player: PlayerLike,
        settings: Settings,
        *,
        renderer: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.player = player
        self.settings = settings
        self.bridge = PlayerBridge(player, self)
        self.info: MediaInfo | None = None
        self.state = PlayerState.IDLE
        self.stats: dict[str, object] = {}
        self.playlist = Playlist()
        self.current_url: str | None = None
        self.current_options: OpenOptions | None = None
        self.title = ""
        self._closed = False
        self._screen_hooked = False
        self._loading_variant: int | None = None
        self._was_maximized = False
        self._volume = settings.volume
        self._muted = settings.muted
        self._speed = 1.0

        self.view = VideoView(self, renderer=renderer)
        self.overlay = StatsOverlay(self.view)
        self.osd = Osd(self.view)
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

        self.actions_by_name: dict[str, QAction] = {}
        self._build_actions()
        self._build_menus()
        self._connect()
        self.retranslate()

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(200)
        self._refresh_timer.timeout.connect(self._refresh)
        self._refresh_timer.start()
        self._hide_timer = QTimer(self)
        self._hide_timer.setSingleShot(True)
        self._hide_timer.setInterval(CONTROLS_HIDE_MS)
        self._hide_timer.timeout.connect(self._hide_controls)

        geometry = settings.geometry
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1100, 700)
        state = settings.window_state
        if state is not None:
            self.restoreState(state)
        self._call(player.set_volume, self._volume)
        self._call(player.set_muted, self._muted)
        self.transport.set_volume(self._volume, self._muted)
        self.transport.set_speed(1.0)
        self.transport.set_playlist(False, False, 0)
        player.set_video_sink(self.view)
        self._update_title()

    # -- construction ----------------------------------------------------------------
    def _build_actions(self) -> None:
        handlers: dict[str, Callable[[], object]] = {
            "toggle_pause": self.toggle_pause,
            "seek_back": lambda: self.seek_relative(-SEEK_SHORT),
            "seek_forward": lambda: self.seek_relative(SEEK_SHORT),
            "seek_back_long": lambda: self.seek_relative(-SEEK_LONG),
            "seek_forward_long": lambda: self.seek_relative(SEEK_LONG),
            "frame_step": self.frame_step,
            "frame_back_step": self.frame_back_step,
            "volume_down": lambda: self.change_volume(-VOLUME_STEP),
            "volume_up": lambda: self.change_volume(VOLUME_STEP),
            "mute": self.toggle_mute,
            "speed_down": lambda: self.set_speed(self._speed / SPEED_FACTOR),
            "speed_up": lambda: self.set_speed(self._speed * SPEED_FACTOR),
            "speed_reset": lambda: self.set_speed(1.0),
            "fullscreen": self.toggle_fullscreen,
            "leave_fullscreen": self.leave_fullscreen,
            "always_on_top": self.toggle_always_on_top,
            "screenshot": self.take_screenshot,
            "stats": self.toggle_stats,
            "jump_live": self.jump_to_live,
            "abr_panel": self.toggle_abr_panel,
            "export_timeline": lambda: self.export_timeline(),
            "next": self.play_next,
            "previous": self.play_previous,
            "open_file": self.open_file_dialog,
            "open_url": self.open_url_dialog,
            "help": self.show_help,
            "quit": self.close,
        }
        for shortcut in SHORTCUTS:
            action = QAction(self)
            action.setShortcuts([QKeySequence(k) for k in shortcut.keys])
            # Application context: works whatever child has focus, and Qt still
            # blocks it while a modal dialog is open.
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
            handler = handlers[shortcut.action]
            action.triggered.connect(lambda _=False, h=handler: h())
            self.addAction(action)
            self.actions_by_name[shortcut.action] = action
        for name in ("always_on_top", "stats", "mute", "abr_panel"):
            self.actions_by_name[name].setCheckable(True)
        self.actions_by_name["mute"].setChecked(self._muted)

    def _build_menus(self) -> None:
        a = self.actions_by_name
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.file_menu.addActions([a["open_file"], a["open_url"]])
        self.recent_menu = self.file_menu.addMenu("")
        self.file_menu.addSeparator()
        self.file_menu.addAction(a["screenshot"])
        self.file_menu.addAction(a["export_timeline"])
        self.file_menu.addSeparator()
        self.file_menu.addAction(a["quit"])

        self.playback_menu = bar.addMenu("")
        self.playback_menu.addAction(a["toggle_pause"])
        self.stop_action = QAction(self)
        self.stop_action.triggered.connect(self.stop)
        self.playback_menu.addAction(self.stop_action)
        self.playback_menu.addSeparator()
        self.playback_menu.addActions(
            [a["seek_back"], a["seek_forward"], a["seek_back_long"], a["seek_forward_long"]]
        )
        self.playback_menu.addActions([a["frame_step"], a["frame_back_step"], a["jump_live"]])
        self.playback_menu.addSeparator()
        self.speed_menu = QMenu(self)
        self._speed_group = QActionGroup(self)
        for s in SPEEDS:
            act = QAction(f"{s:g}×", self)
            act.setCheckable(True)
            act.setData(s)
            act.triggered.connect(lambda _=False, s=s: self.set_speed(s))
            self._speed_group.addAction(act)
            self.speed_menu.addAction(act)
        self.speed_menu.addSeparator()
        self.speed_menu.addActions([a["speed_down"], a["speed_up"], a["speed_reset"]])
        self.playback_menu.addMenu(self.speed_menu)
        self.transport.speed_button.setMenu(self.speed_menu)
        self.playback_menu.addSeparator()
        self.playback_menu.addActions([a["previous"], a["next"]])

        self.audio_menu = bar.addMenu("")
        self.audio_menu.addActions([a["volume_up"], a["volume_down"], a["mute"]])
        self.audio_menu.addSeparator()
        self.audio_tracks_menu = self.audio_menu.addMenu("")
        self.subtitles_menu = bar.addMenu("")
        self.subtitle_label = SubtitleLabel(self.view)
        self._set_track_menus(None)

        self.view_menu = bar.addMenu("")
        self.view_menu.addActions(
            [a["fullscreen"], a["leave_fullscreen"], a["always_on_top"], a["stats"]]
        )
        self.view_menu.addAction(a["abr_panel"])
        self.abr_panel = AbrPanel(self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.abr_panel)
        self.abr_panel.hide()
        self.abr_panel.visibilityChanged.connect(self._abr_visibility)
        self.view_cap: tuple[int, int] | None = None
        self._cap_timer = QTimer(self)
        self._cap_timer.setSingleShot(True)
        self._cap_timer.setInterval(CAP_DEBOUNCE_MS)
        self._cap_timer.timeout.connect(self._apply_view_cap)
        self.view.installEventFilter(self)
        self._abr_timer = QTimer(self)
        self._abr_timer.setInterval(ABR_POLL_MS)
        self._abr_timer.timeout.connect(self.refresh_abr_panel)
        self.quality_menu = QualityMenu(self)
        bar.addMenu(self.quality_menu)

        self.settings_menu = bar.addMenu("")
        self.language_menu = self.settings_menu.addMenu("")
        self._language_group = QActionGroup(self)
        self.language_actions: dict[str, QAction] = {}
        for code, name in [("system", ""), *LANGUAGES.items()]:
            act = QAction(name, self)
            act.setCheckable(True)
            act.setChecked(code == self.settings.language)
            act.triggered.connect(lambda _=False, c=code: self.set_language(c))
            self._language_group.addAction(act)
            self.language_menu.addAction(act)
            self.language_actions[code] = act
        self.network_menu = self.settings_menu.addMenu("")
        self._transport_group = QActionGroup(self)
        self.transport_actions: dict[str, QAction] = {}
        for code in ("auto", "udp", "tcp", "http"):
            act = QAction(self)
            act.setCheckable(True)
            act.setChecked(code == self.settings.rtsp_transport)
            act.triggered.connect(lambda _=False, c=code: self._set_transport(c))
            self._transport_group.addAction(act)
            self.network_menu.addAction(act)
            self.transport_actions[code] = act
        self.network_menu.addSeparator()
        self.low_latency_action = QAction(self)
        self.low_latency_action.setCheckable(True)
        self.low_latency_action.setChecked(self.settings.low_latency)
        self.low_latency_action.toggled.connect(self._set_low_latency)
        self.network_menu.addAction(self.low_latency_action)

        self.help_menu = bar.addMenu("")
        self.help_menu.addAction(a["help"])
        self.about_action = QAction(self)
        self.about_action.triggered.connect(self.show_about)
        self.help_menu.addAction(self.about_action)
        self.open_log_action = QAction(self)
        self.open_log_action.triggered.connect(open_log_folder)
        self.help_menu.addAction(self.open_log_action)
        self._rebuild_recent()

    def _connect(self) -> None:
        b = self.bridge
        b.stateChanged.connect(self._on_state)
        b.mediaOpened.connect(self._on_media)
        b.bufferingChanged.connect(self._on_buffering)
        b.errorOccurred.connect(self._on_error)
        b.warningRaised.connect(self._on_warning)
        b.reconnecting.connect(self._on_reconnecting)
        b.reconnected.connect(self._on_reconnected)
        b.endOfStream.connect(self._on_end)
        b.variantSwitched.connect(self._on_variant)
        b.statsUpdated.connect(self._on_stats)
        b.subtitleChanged.connect(self.subtitle_label.set_text)
        b.variantSwitched.connect(self.abr_panel.on_switch)
        b.bufferingChanged.connect(self.abr_panel.on_buffering)
        b.errorOccurred.connect(self.abr_panel.on_error)
        t = self.transport
        t.playPauseClicked.connect(self.toggle_pause)
        t.seekRequested.connect(self.seek)
        t.volumeChanged.connect(self.set_volume)
        t.muteToggled.connect(self.set_muted)
        t.fullscreenClicked.connect(self.toggle_fullscreen)
        t.liveClicked.connect(self.jump_to_live)
        t.previousClicked.connect(self.play_previous)
        t.nextClicked.connect(self.play_next)
        self.view.doubleClicked.connect(self.toggle_fullscreen)
        self.view.wheelSteps.connect(lambda n: self.change_volume(n * WHEEL_STEP))
        self.view.mouseMoved.connect(self._on_mouse_moved)
        self.quality_menu.variantChosen.connect(self.select_variant)

    def retranslate(self) -> None:
        for shortcut in SHORTCUTS:
            self.actions_by_name[shortcut.action].setText(shortcut.translated())
        self.file_menu.setTitle(self.tr("&File"))
        self.recent_menu.setTitle(self.tr("Open &Recent"))
        self.playback_menu.setTitle(self.tr("&Playback"))
        self.stop_action.setText(self.tr("Stop"))
        self.speed_menu.setTitle(self.tr("Speed"))
        self.audio_menu.setTitle(self.tr("&Audio"))
        self.audio_tracks_menu.setTitle(self.tr("Audio track"))
        self.subtitles_menu.setTitle(self.tr("S&ubtitles"))
        self.view_menu.setTitle(self.tr("&View"))
        self.settings_menu.setTitle(self.tr("&Settings"))
        self.language_menu.setTitle(self.tr("Language"))
        self.language_actions["system"].setText(self.tr("System default"))
        self.network_menu.setTitle(self.tr("Network"))
        names = {
            "auto": self.tr("RTSP transport: automatic"),
            "udp": self.tr("RTSP transport: UDP"),
            "tcp": self.tr("RTSP transport: TCP"),
            "http": self.tr("RTSP transport: HTTP tunnel"),
        }
        for code, act in self.transport_actions.items():
            act.setText(names[code])
        self.low_latency_action.setText(self.tr("Low latency for live streams"))
        self.help_menu.setTitle(self.tr("&Help"))
        self.about_action.setText(self.tr("About Heureum"))
        self.open_log_action.setText(self.tr("Open Log Folder"))
        self._rebuild_recent()
        self._update_title()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- helpers --------------------------------------------------------------------------
    def _call(self, fn: Callable[..., object], *args: object, **kwargs: object) -> bool:
        """Run a player command; a failure becomes a message, never a dead window."""
        try:
            fn(*args, **kwargs)
            return True
        except Exception as exc:  # the engine's errors and anything unexpected alike
            log.exception("player command failed")
            self.messages.show_message("error", str(exc) or type(exc).__name__)
            return False

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.title} — Heureum" if self.title else "Heureum")

    def _rebuild_recent(self) -> None:
        menu = self.recent_menu
        menu.clear()
        recent = self.settings.recent
        for url in recent:
            act = menu.addAction(redact_url(url))
            act.triggered.connect(lambda _=False, u=url: self.open_url(u))
        if recent:
            menu.addSeparator()
            menu.addAction(self.tr("Clear"), self._clear_recent)
        menu.setEnabled(bool(recent))

    def _clear_recent(self) -> None:
        self.settings.clear_recent()
        self._rebuild_recent()

    # -- opening ----------------------------------------------------------------------------
    def open_urls(self, urls: list[str], options: OpenOptions | None = None) -> None:
        """Several URLs (command line, a drop): a play list; one: just that."""
        urls = [u for u in urls if u.strip()]
        if not urls:
            return
        if len(urls) == 1:
            self.open_url(urls[0], options)
            return
        self.playlist = Playlist([PlaylistEntry(u) for u in urls])
        self._open_entry(options)

    def open_url(self, url: str, options: OpenOptions | None = None) -> None:
        url = url.strip()
        if not url:
            return
        local = self._local_path(url)
        if local is not None and looks_like_playlist(local) and os.path.isfile(local):
            try:
                text = Path(local).read_text(encoding="utf-8", errors="replace")
            except OSError as exc:
                self.messages.show_message(
                    "error",
                    self.tr("Cannot read %1: %2").replace("%1", local).replace("%2", str(exc)),
                )
                return
            if not is_hls_playlist(text):
                entries = parse_m3u(text, local)
                if not entries:
                    self.messages.show_message(
                        "warning", self.tr("The play list %1 is empty.").replace("%1", local)
                    )
                    return
                self.settings.add_recent(url)
                self._rebuild_recent()
                self.playlist = Playlist(entries)
                self._open_entry(options)
                return
        self.playlist = Playlist([PlaylistEntry(url)])
        self._open_entry(options)

    def _local_path(self, url: str) -> str | None:
        if url.startswith("file:"):
            return QUrl(url).toLocalFile()
        if "://" in url:
            return None
        return url

    def _open_entry(self, options: OpenOptions | None = None) -> None:
        entry = self.playlist.current
        if entry is None:
            return
        self._start(entry.url, options, entry.title)

    def _start(self, url: str, options: OpenOptions | None, title: str = "") -> None:
        opts = _merge(self.settings.open_options(), options)
        self.current_url, self.current_options = url, opts
        self.info = None
        self.stats = {}
        self.title = title or _title_for(url)
        self._update_title()
        self.quality_menu.set_variants(())
        self._loading_variant = None
        self._set_track_menus(None)
        self.subtitle_label.set_text(None)
        self.abr_panel.reset()
        self.transport.set_live(False)
        self.transport.set_playlist(
            self.playlist.has_previous(), self.playlist.has_next(), len(self.playlist)
        )
        if self.messages.level == "error":
            self.messages.dismiss()
        if self._call(self.player.open, url, opts):
            self.settings.add_recent(url)
            self._rebuild_recent()

    def open_file_dialog(self) -> None:
        start = self.settings.recent[0] if self.settings.recent else ""
        folder = os.path.dirname(start) if start and "://" not in start else ""
        paths, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("Open file"),
            folder,
            self.tr("Media (%1);;All files (*)").replace("%1", MEDIA_FILTER),
        )
        if paths:
            self.open_urls(paths)

    def make_url_dialog(self) -> QDialog:
        from .open_dialog import OpenUrlDialog

        clip = QApplication.clipboard().text().strip() if QApplication.clipboard() else ""
        initial = clip if "://" in clip and "\n" not in clip else ""
        return OpenUrlDialog(
            self.settings.url_history, self.settings.open_options(), self, initial=initial
        )

    def open_url_dialog(self) -> None:
        from .open_dialog import OpenUrlDialog

        dialog = self.make_url_dialog()
        assert isinstance(dialog, OpenUrlDialog)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            url = dialog.url()
            self.settings.add_url_history(url)
            self.open_url(url, dialog.options())

    def play_next(self) -> None:
        if self.playlist.next() is not None:
            self._open_entry(self.current_options)

    def play_previous(self) -> None:
        if self.playlist.previous() is not None:
            self._open_entry(self.current_options)

    # -- drag and drop --------------------------------------------------------------------
    @staticmethod
    def _dropped(mime: QMimeData) -> list[str]:
        if mime.hasUrls():
            return [u.toLocalFile() if u.isLocalFile() else u.toString() for u in mime.urls()]
        if mime.hasText():
            return [line.strip() for line in mime.text().splitlines() if line.strip()]
        return []

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = self._dropped(event.mimeData())
        if urls:
            event.acceptProposedAction()
            self.open_urls(urls)

    # -- transport commands ----------------------------------------------------------------
    def toggle_pause(self) -> None:
        if self.state in (PlayerState.ENDED, PlayerState.STOPPED) and self.current_url:
            self._call(self.player.seek, 0.0)
            self._call(self.player.play)
            return
        self._call(self.player.toggle_pause)

    def stop(self) -> None:
        self._call(self.player.stop)

    def seek(self, position: float) -> None:
        self._call(self.player.seek, max(0.0, position))

    def seek_relative(self, delta: float) -> None:
        if self.info is not None and not self.info.seekable:
            self.osd.flash(self.tr("Not seekable"))
            return
        self._call(self.player.seek_relative, delta)
        self.osd.flash(("+" if delta > 0 else "−") + f"{abs(delta):g} s")

    def frame_step(self) -> None:
        self._call(self.player.frame_step)

    def frame_back_step(self) -> None:
        self._call(self.player.frame_back_step)

    def jump_to_live(self) -> None:
        if self.info is not None and self.info.is_live:
            self._call(self.player.seek_to_live)
            self.osd.flash(self.tr("Live"))

    def set_volume(self, volume: float) -> None:
        self._volume = round(min(MAX_VOLUME, max(0.0, volume)), 3)
        self._call(self.player.set_volume, self._volume)
        self.settings.volume = self._volume
        self.transport.set_volume(self._volume, self._muted)
        self.osd.flash(self.tr("Volume: %1%").replace("%1", str(round(self._volume * 100))))

    def change_volume(self, delta: float) -> None:
        self.set_volume(self._volume + delta)

    def set_muted(self, muted: bool) -> None:
        self._muted = muted
        self._call(self.player.set_muted, muted)
        self.settings.muted = muted
        self.transport.set_volume(self._volume, muted)
        self.actions_by_name["mute"].setChecked(muted)
        self.osd.flash(self.tr("Mute") if muted else self.tr("Sound on"))

    def toggle_mute(self) -> None:
        self.set_muted(not self._muted)

    @property
    def volume(self) -> float:
        return self._volume

    @property
    def muted(self) -> bool:
        return self._muted

    @property
    def speed(self) -> float:
        return self._speed

    def set_speed(self, speed: float) -> None:
        speed = min(MAX_SPEED, max(MIN_SPEED, round(speed, 4)))
        if abs(speed - 1.0) < 0.005:
            speed = 1.0
        self._speed = speed
        self._call(self.player.set_speed, speed)
        self.transport.set_speed(speed)
        for act in self._speed_group.actions():
            act.setChecked(abs(float(act.data()) - speed) < 1e-6)
        self.osd.flash(self.tr("Speed: %1×").replace("%1", f"{speed:.2f}"))

    def select_variant(self, index: int) -> None:
        self._call(self.player.select_variant, None if index < 0 else index)

    # -- window commands --------------------------------------------------------------------
    def toggle_fullscreen(self) -> None:
        if self.isFullScreen():
            self.leave_fullscreen()
        else:
            self._was_maximized = self.isMaximized()
            self.menuBar().hide()
            self.showFullScreen()
            self._hide_timer.start()

    def leave_fullscreen(self) -> None:
        if not self.isFullScreen():
            return
        self._hide_timer.stop()
        self.menuBar().show()
        self.transport.show()
        self.unsetCursor()
        if self._was_maximized:
            self.showMaximized()
        else:
            self.showNormal()

    def _hide_controls(self) -> None:
        if self.isFullScreen():
            self.transport.hide()
            self.view.setCursor(Qt.CursorShape.BlankCursor)

    def _on_mouse_moved(self) -> None:
        if self.isFullScreen():
            self.transport.show()
            self.view.unsetCursor()
            self._hide_timer.start()

    def toggle_always_on_top(self) -> None:
        on = not bool(self.windowFlags() & Qt.WindowType.WindowStaysOnTopHint)
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, on)
        self.actions_by_name["always_on_top"].setChecked(on)
        self.show()

    @property
    def always_on_top(self) -> bool:
        return bool(self.windowFlags() & Qt.WindowType.WindowStaysOnTopHint)

    def take_screenshot(self) -> Path | None:
        frame = self.view.current_frame
        if frame is None:
            self.messages.show_message("warning", self.tr("There is no picture to capture yet."))
            return None
        try:
            path = save_screenshot(frame, self.settings.screenshot_dir, self.title or "heureum")
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

    def _set_track_menus(self, info: MediaInfo | None) -> None:
        """Audio renditions and subtitles of the media (HLS EXT-X-MEDIA)."""
        audio = info.audio_tracks if info is not None else ()
        subs = info.subtitle_tracks if info is not None else ()
        _fill_track_menu(self.audio_tracks_menu, audio, self.select_audio_track)
        _fill_track_menu(self.subtitles_menu, subs, self.select_subtitle_track, off=self.tr("Off"))

    def select_audio_track(self, index: int | None) -> None:
        self._call(self.player.select_audio_track, index)

    def select_subtitle_track(self, index: int | None) -> None:
        self._call(self.player.select_subtitle_track, index)
        if index is None:
            self.subtitle_label.set_text(None)

    def toggle_abr_panel(self) -> None:
        self.abr_panel.setVisible(not self.abr_panel.isVisible())

    def _abr_visibility(self, visible: bool) -> None:
        self.actions_by_name["abr_panel"].setChecked(visible)
        panel = self.abr_panel
        if visible and not panel.isFloating() and panel.height() < PANEL_HEIGHT:
            # Docked at its minimum the plots are slivers: give them room.
            horizontal = self.dockWidgetArea(panel) == Qt.DockWidgetArea.RightDockWidgetArea
            self.resizeDocks(
                [panel],
                [PANEL_WIDTH if horizontal else PANEL_HEIGHT],
                Qt.Orientation.Horizontal if horizontal else Qt.Orientation.Vertical,
            )
        if visible:
            self.refresh_abr_panel()
            self._abr_timer.start()
        else:
            self._abr_timer.stop()

    def refresh_abr_panel(self) -> None:
        """The panel's poll (2 Hz while it shows): the HLS timeline and the stats."""
        try:
            abr = list(self.player.abr_timeline())
            stats = dict(self.player.stats())
        except Exception:
            log.debug("ABR data failed", exc_info=True)
            return
        self._mark_variant(stats)
        self.abr_panel.update_from(abr, stats)

    def export_timeline(self, path: str | Path | None = None) -> Path | None:
        """Write the session's timeline (ABR samples, markers, events, report) as
        JSON or CSV, chosen by the file's extension."""
        if path is None:
            default = str(Path(self.settings.export_dir) / self.export_name())
            json_filter, csv_filter = self.tr("JSON (*.json)"), self.tr("CSV (*.csv)")
            chosen, chosen_filter = QFileDialog.getSaveFileName(
                self, self.tr("Export timeline"), default, f"{json_filter};;{csv_filter}"
            )
            if not chosen:
                return None
            if Path(chosen).suffix.lower() not in (".json", ".csv"):
                chosen += ".csv" if chosen_filter == csv_filter else ".json"
            path = chosen
            self.settings.export_dir = str(Path(chosen).parent)
        try:
            written = write_timeline(
                path, dict(self.player.report()), list(self.player.abr_timeline())
            )
        except OSError as exc:
            self.messages.show_message(
                "error", self.tr("Export failed: %1").replace("%1", str(exc))
            )
            return None
        self.messages.show_message(
            "info", self.tr("Timeline saved to %1").replace("%1", str(written))
        )
        return written

    def export_name(self) -> str:
        """``<title>-<YYYYmmdd-HHMMSS>.json``: the title made safe for a file name."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        base = re.sub(r"[^\w.-]+", "_", self.title or "heureum").strip("._") or "heureum"
        return f"{base[:60]}-{stamp}.json"

    def toggle_stats(self) -> None:
        show = not self.overlay.isVisible()
        self.actions_by_name["stats"].setChecked(show)
        if show:
            try:
                self.stats = dict(self.player.stats())
            except Exception:
                log.debug("stats() failed", exc_info=True)
            self._update_overlay()
            self.overlay.move(12, 12)
            self.overlay.show()
            self.overlay.raise_()
        else:
            self.overlay.hide()

    def _update_overlay(self) -> None:
        counts = (
            f"{self.view.painted} painted, {self.view.coalesced} coalesced"
            f" of {self.view.presented} presented"
        )
        shown = self.view.current_frame
        self.overlay.set_rows(
            stats_lines(
                self.info,
                self.stats,
                self.view.renderer_name,
                counts,
                current_variant=self.quality_menu.current,
                locked_variant=self.quality_menu.locked,
                loading_variant=self._loading_variant,
                frame_size=None if shown is None else (shown.width, shown.height),
            )
        )

    def show_help(self) -> None:
        rows = "".join(
            f"<tr><td style='padding-right:18px'><b>{html.escape(k)}</b></td>"
            f"<td>{html.escape(d)}</td></tr>"
            for k, d in help_rows()
        )
        dialog = QDialog(self)
        dialog.setObjectName("helpDialog")
        dialog.setWindowTitle(self.tr("Keyboard shortcuts"))
        label = QLabel(f"<table>{rows}</table>", dialog)
        label.setTextFormat(Qt.TextFormat.RichText)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(label)
        layout.addWidget(
            QLabel(self.tr("Mouse: double-click for fullscreen, wheel for volume."), dialog)
        )
        layout.addWidget(buttons)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.open()
        self.help_dialog = dialog

    def show_about(self) -> None:
        self.about_dialog = AboutDialog(self, self.view.renderer_name)
        self.about_dialog.show()

    def set_language(self, code: str) -> None:
        self.settings.language = code
        app = QApplication.instance()
        if isinstance(app, QApplication):
            install_language(app, code)
        self.language_actions[code].setChecked(True)

    def _set_transport(self, code: str) -> None:
        self.settings.rtsp_transport = code

    def _set_low_latency(self, on: bool) -> None:
        self.settings.low_latency = on

    # -- engine events (GUI thread, via the bridge) ------------------------------------------
    def _on_state(self, event: StateChanged) -> None:
        self.state = event.state
        self.transport.set_playing(event.state in _PLAYING)
        if event.state == PlayerState.PAUSED:
            self.osd.flash(self.tr("Paused"))
        elif event.state == PlayerState.ENDED and not self.playlist.has_next():
            self.osd.flash(self.tr("End"))

    def _on_media(self, info: MediaInfo) -> None:
        self.info = info
        entry = self.playlist.current
        if info.title and not (entry is not None and entry.title):
            self.title = info.title
            self._update_title()
        self.transport.set_live(info.is_live)
        self.quality_menu.set_variants(info.variants)
        self.abr_panel.set_variants(info.variants)
        self._set_track_menus(info)
        self._refresh()
        if self.overlay.isVisible():
            self._update_overlay()

    def _on_buffering(self, event: BufferingChanged) -> None:
        if event.buffering:
            self.osd.flash(self.tr("Buffering… %1%").replace("%1", f"{event.percent:.0f}"), 0)
        elif self.osd.isVisible():
            self.osd.hide()

    def _on_error(self, event: ErrorOccurred) -> None:
        self.messages.show_message("error" if event.fatal else "warning", event.message)

    def _on_warning(self, event: WarningRaised) -> None:
        self.messages.show_message("warning", event.message, timeout_ms=10000)

    def _on_reconnecting(self, event: Reconnecting) -> None:
        self.messages.show_message(
            "warning",
            self.tr("Connection lost (%1). Reconnecting, attempt %2 in %3 s…")
            .replace("%1", event.reason)
            .replace("%2", str(event.attempt))
            .replace("%3", f"{event.delay:.1f}"),
        )

    def _on_reconnected(self, event: Reconnected) -> None:
        self.messages.show_message(
            "info",
            self.tr("Reconnected after %1 s.").replace("%1", f"{event.outage:.1f}"),
        )

    def _on_end(self) -> None:
        if self.playlist.has_next():
            self.play_next()

    def _on_variant(self, event: VariantSwitched) -> None:
        # What is fetched now plays once the buffer ahead of it has: the menu
        # follows what plays (the stats), the overlay shows both meanwhile.
        self._loading_variant = event.to_index
        if self.quality_menu.current is None:
            self.quality_menu.mark_current(event.to_index)  # the first choice plays first
        if self.overlay.isVisible():
            self._update_overlay()

    def _on_stats(self, stats: dict[str, object]) -> None:
        self.stats = stats
        self._mark_variant(stats)
        if not self.abr_panel.isVisible():
            self.abr_panel.add_stats_sample(stats)
        if self.overlay.isVisible():
            self._update_overlay()

    def _mark_variant(self, stats: dict[str, object]) -> None:
        abr = stats.get("abr")
        if not isinstance(abr, dict):
            return
        if isinstance(abr.get("variant_index"), int):
            self._loading_variant = abr["variant_index"]
        playing = abr.get("playing_index", abr.get("variant_index"))
        if isinstance(playing, int):
            self.quality_menu.mark_current(playing)

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
        if duration is None and self.info is not None:
            duration = self.info.duration
        self.transport.set_times(position, duration, buffered, latency)

    # -- Qt events ---------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Keys that reached the window without matching a shortcut (the window was
        not the active one, e.g. just after a fullscreen switch): same table."""
        pressed = QKeySequence(event.keyCombination())
        for name, action in self.actions_by_name.items():
            if any(
                seq.matches(pressed) == QKeySequence.SequenceMatch.ExactMatch
                for seq in action.shortcuts()
            ):
                log.debug("key %s -> %s (fallback)", pressed.toString(), name)
                action.trigger()
                event.accept()
                return
        super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.osd.isVisible():
            self.osd.move(self.view.width() - self.osd.width() - 16, 16)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Adaptive streams need not fetch more pixels than the view shows (the
        # window, a panel or fullscreen change its size); wait for the resize
        # to settle before telling the engine.
        if watched is self.view and event.type() == QEvent.Type.Resize:
            self._cap_timer.start()
        return super().eventFilter(watched, event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        handle = self.windowHandle()
        if handle is not None and not self._screen_hooked:
            # Another screen may have another device pixel ratio.
            handle.screenChanged.connect(lambda _screen: self._cap_timer.start())
            self._screen_hooked = True

    def _apply_view_cap(self) -> None:
        ratio = self.view.devicePixelRatioF()
        width = round(self.view.width() * ratio)
        height = round(self.view.height() * ratio)
        if width > 0 and height > 0 and (width, height) != self.view_cap:
            self.view_cap = (width, height)
            self._call(self.player.set_max_resolution, width, height)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closed:
            self._closed = True
            self._refresh_timer.stop()
            if not self.isFullScreen():
                self.settings.geometry = self.saveGeometry()
                self.settings.window_state = self.saveState()
            self.settings.volume = self._volume
            self.settings.muted = self._muted
            self.settings.sync()
            self.bridge.detach()
            try:
                self.player.set_video_sink(None)
                self.player.close()
            except Exception:
                log.exception("closing the player failed")
        super().closeEvent(event)
