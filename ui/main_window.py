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

from player.capabilities import AbrStatus
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
from player.latency import headline
from player.redact import redact_url
from player.timeline_export import write_timeline

from . import gc_guard
from .about import AboutDialog, open_log_folder
from .abr_panel import AbrPanel
from .bridge import PlayerBridge, PlayerLike
from .controls import SPEEDS, TransportBar, format_time
from .desktop import DesktopIntegration
from .error_text import error_message, warning_message
from .i18n import LANGUAGES, install_language, ui_language
from .keep_aspect import KeepAspect
from .lab_menu import LabMenu
from .message_bar import MessageBar
from .osd import Osd
from .playlist import (
    Playlist,
    PlaylistEntry,
    is_hls_playlist,
    looks_like_playlist,
    parse_m3u,
    parse_pls,
)
from .playlist_panel import PlaylistPanel, save_playlist
from .quality import QualityMenu
from .render_common import display_aspect
from .resume import ResumeStore
from .screenshot import save_screenshot
from .settings import Settings
from .shortcuts import SHORTCUTS, help_rows
from .stats_overlay import StatsOverlay, stats_lines
from .subtitles import SubtitleLabel
from .video_settings import HardwareDecodingAction
from .video_view import VideoView

__all__ = ["MainWindow"]

log = logging.getLogger(__name__)

SUB_SCALE_STEP = 0.1  # mpv's F/G
SUB_DELAY_STEP = 0.1  # mpv's z/x
VOLUME_STEP = 0.02  # mpv: 9/0 change the volume by 2 %
WHEEL_STEP = 0.05
SEEK_SHORT = 5.0
SEEK_LONG = 60.0
SPEED_FACTOR = 1.1
MIN_SPEED, MAX_SPEED = 0.25, 4.0
MAX_VOLUME = 1.5
CONTROLS_HIDE_MS = 2500
#: the share of the screen's free area a window fitted to its video may take
FIT_SCREEN_SHARE = 0.9
FIT_MIN_VIEW_WIDTH = 640
PLAYLIST_WIDTH = 280  # the play list panel's width when it opens docked
ABR_POLL_MS = 500  # the bitrate panel's refresh while it shows
PANEL_HEIGHT, PANEL_WIDTH = 300, 420  # the bitrate panel's size when it first docks
CAP_DEBOUNCE_MS = 300  # a resize settles before the engine hears the view's size
SUBTITLE_EXTENSIONS = (".srt", ".vtt", ".ass", ".ssa")
SUBTITLE_FILTER = "Subtitles (*.srt *.vtt *.ass *.ssa);;All files (*)"
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


def _language_code(language: str | None) -> str | None:
    """'ko', 'kor', 'ko-KR' → 'ko' (HLS gives BCP 47, files ISO 639-2)."""
    if not language:
        return None
    from player.text_tracks.sidecar import language_of

    base = language.split("-")[0].split("_")[0]
    return language_of(base) or base.lower()


def preferred_subtitle(info: MediaInfo, wanted: str) -> int | None:
    """The subtitle track to switch to on opening: the one in the window's
    language when another is the default (an HLS ladder's English default in a
    Korean window), or when an HLS stream shows none. A file's tracks were
    chosen by language when it opened, so its "none" stays."""
    tracks = info.subtitle_tracks
    match = next((t for t in tracks if _language_code(t.language) == wanted), None)
    current = next((t for t in tracks if t.default), None)
    if match is None or current is match:
        return None
    if current is None and info.protocol != "hls":
        return None
    return match.index


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
        hwdec=options.hwdec or defaults.hwdec,
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
        gc_guard.install()  # Qt objects die on this thread, not an engine's
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
        self.resume = ResumeStore(Path(settings.path).with_name("resume.json"))
        # The demo's loopback URL dies with the process: never a recent entry.
        self._remember = True
        self._recorded = False
        self._fitted = False
        #: the audio track picked in the menu for what plays (None: the media's default)
        self._audio_choice: int | None = None
        self._resumed_at: float | None = None
        self._fitted_view: tuple[int, int] | None = None
        self.instance_server: QObject | None = None  # ui.app makes it (--enqueue)
        self._compare_windows: list[QWidget] = []

        self.view = VideoView(self, renderer=renderer)
        self.keep_aspect = KeepAspect(self, self.view, self._video_aspect)
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
        self.desktop = DesktopIntegration(self)
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
            "screenshot_plain": lambda: self.take_screenshot(subtitles=False),
            "sub_smaller": lambda: self.scale_subtitles(-SUB_SCALE_STEP),
            "sub_earlier": lambda: self.shift_subtitles(-SUB_DELAY_STEP),
            "sub_later": lambda: self.shift_subtitles(SUB_DELAY_STEP),
            "sub_bigger": lambda: self.scale_subtitles(SUB_SCALE_STEP),
            "stats": self.toggle_stats,
            "jump_live": self.jump_to_live,
            "abr_panel": self.toggle_abr_panel,
            "playlist_panel": self.toggle_playlist_panel,
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
        for name in ("always_on_top", "stats", "mute", "abr_panel", "playlist_panel"):
            self.actions_by_name[name].setCheckable(True)
        self.actions_by_name["mute"].setChecked(self._muted)

    def _build_menus(self) -> None:
        a = self.actions_by_name
        bar = self.menuBar()
        self.file_menu = bar.addMenu("")
        self.file_menu.addActions([a["open_file"], a["open_url"]])
        self.compare_action = QAction(self)
        self.compare_action.triggered.connect(lambda: self.open_compare())
        self.file_menu.addAction(self.compare_action)
        self.recent_menu = self.file_menu.addMenu("")
        self.file_menu.addSeparator()
        self.file_menu.addActions([a["screenshot"], a["screenshot_plain"]])
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
        self.view_menu.addAction(a["playlist_panel"])
        self.playlist_panel = PlaylistPanel(lambda: self.playlist, self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.playlist_panel)
        self.playlist_panel.hide()
        self.playlist_panel.visibilityChanged.connect(
            lambda visible: self.actions_by_name["playlist_panel"].setChecked(visible)
        )
        self.playlist_panel.activated.connect(self.play_index)
        self.playlist_panel.changed.connect(self._playlist_changed)
        self.playlist_panel.saveRequested.connect(self.save_playlist_dialog)
        self.abr_panel = AbrPanel(self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.abr_panel)
        self.abr_panel.hide()
        self.abr_panel.visibilityChanged.connect(self._abr_visibility)
        self.view_cap: tuple[int, int] | None = None
        #: a session the view-size cap leaves alone (the ABR demo: its ladder
        #: must be able to move whatever the window's size)
        self.uncapped_url: str | None = None
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
        self.video_settings_menu = self.settings_menu.addMenu("")
        self.hwdec_action = HardwareDecodingAction(self, self.settings)
        self.video_settings_menu.addAction(self.hwdec_action)
        self.video_settings_menu.aboutToShow.connect(self.hwdec_action.refresh)

        self.lab_menu = LabMenu(self, bar.addMenu(""))

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
        self.playlist_panel.retranslate()
        self.playback_menu.setTitle(self.tr("&Playback"))
        self.stop_action.setText(self.tr("Stop"))
        self.compare_action.setText(self.tr("Compare streams…"))
        self.lab_menu.retranslate()
        self.speed_menu.setTitle(self.tr("Speed"))
        self.audio_menu.setTitle(self.tr("&Audio"))
        self.audio_tracks_menu.setTitle(self.tr("Audio track"))
        self.subtitles_menu.setTitle(self.tr("S&ubtitles"))
        self.view_menu.setTitle(self.tr("&View"))
        self.settings_menu.setTitle(self.tr("&Settings"))
        self.language_menu.setTitle(self.tr("Language"))
        self.language_actions["system"].setText(self.tr("System default"))
        self.network_menu.setTitle(self.tr("Network"))
        self.video_settings_menu.setTitle(self.tr("Video"))
        self.hwdec_action.setText(self.tr("Hardware decoding"))
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
        self.desktop.changed()

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
        self._set_playlist([PlaylistEntry(u) for u in urls])
        self._open_entry(options)

    def open_url(
        self, url: str, options: OpenOptions | None = None, *, remember: bool = True
    ) -> None:
        """``remember=False`` opens without a trace in Open Recent or the resume
        store (the built-in demo's temporary loopback URL)."""
        url = url.strip()
        if not url:
            return
        self._remember = remember
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
            if local.lower().endswith(".pls") or not is_hls_playlist(text):
                parse = parse_pls if local.lower().endswith(".pls") else parse_m3u
                entries = parse(text, local)
                if not entries:
                    self.messages.show_message(
                        "warning", self.tr("The play list %1 is empty.").replace("%1", local)
                    )
                    return
                if remember:
                    self.settings.add_recent(url)
                    self._rebuild_recent()
                self._set_playlist(entries)
                self._open_entry(options)
                return
        self._set_playlist([PlaylistEntry(url)])
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
        self._save_resume()
        opts = _merge(self.settings.open_options(), options)
        if not opts.subtitle_languages:
            # Subtitles in the window's language when the media has them.
            opts = replace(opts, subtitle_languages=(ui_language(self.settings.language),))
        self._resumed_at = None
        # kept without the resume point: the next play list entry reuses them
        self.current_url, self.current_options = url, opts
        if self._remember and opts.start_position is None:
            saved = self.resume.get(url)
            if saved is not None:
                opts = replace(opts, start_position=saved)
                self._resumed_at = saved
        self._recorded = False
        self._fitted = False
        # --aid N: the menu checks the track the engine was asked for
        self._audio_choice = opts.audio_track if isinstance(opts.audio_track, int) else None
        self.info = None
        self.stats = {}
        self.title = title or _title_for(url)
        self._update_title()
        self.quality_menu.set_variants(())
        self._loading_variant = None
        self._set_track_menus(None)
        self.subtitle_label.set_text(None)
        self.abr_panel.reset()
        self._apply_view_cap()  # before the open: the session starts with its cap
        self.transport.set_live(False)
        self._playlist_changed()
        if self.messages.level == "error":
            self.messages.dismiss()
        self._call(self.player.open, url, opts)

    def _record_opened(self) -> None:
        """Open Recent holds what opened, not every URL tried."""
        if self._recorded or not self._remember or self.current_url is None:
            return
        self._recorded = True
        self.settings.add_recent(self.current_url)
        self._rebuild_recent()

    def _save_resume(self) -> None:
        """Keep where a VOD stream was left (forget it when near either end)."""
        url, info = self.current_url, self.info
        if url is None or info is None or not self._remember:
            return
        if info.is_live or not info.seekable:
            return
        try:
            position = self.player.position
            duration = self.player.duration or info.duration
        except Exception:
            log.debug("position unavailable for resume", exc_info=True)
            return
        if self.state == PlayerState.ENDED:
            self.resume.forget(url)
            return
        self.resume.remember(url, position, duration)

    def fit_to_video(self) -> None:
        """Size the window so the video shows at its own size (the top rung's
        for an adaptive stream, so the view does not cap the ladder), bounded by
        the screen's available area with the aspect ratio kept, as mpv's
        autofit does."""
        info = self.info
        if info is None or self.isFullScreen() or self.isMaximized():
            return
        sizes = [(v.width, v.height) for v in info.variants if v.width and v.height]
        if info.video is not None and info.video.width and info.video.height:
            sizes.append((info.video.width, info.video.height))
        if not sizes:
            return
        pixels_w, pixels_h = max(sizes, key=lambda wh: wh[0] * wh[1])
        screen = self.screen()
        ratio = self.devicePixelRatioF() or 1.0
        width, height = pixels_w / ratio, pixels_h / ratio
        chrome_w = self.width() - self.view.width()
        chrome_h = self.height() - self.view.height()
        avail = screen.availableGeometry()
        max_w = avail.width() * FIT_SCREEN_SHARE - chrome_w
        max_h = avail.height() * FIT_SCREEN_SHARE - chrome_h
        # A small video (320x240) gets a window its controls fit in: scaled up
        # to FIT_MIN_VIEW_WIDTH, never past the screen.
        floor = max(1.0, FIT_MIN_VIEW_WIDTH / width)
        scale = min(floor, max_w / width, max_h / height)
        target_w = max(self.minimumWidth(), round(width * scale + chrome_w))
        target_h = max(self.minimumHeight(), round(height * scale + chrome_h))
        self.keep_aspect.expect(target_w, target_h)
        self.resize(target_w, target_h)
        self._fitted_view = (target_w - chrome_w, target_h - chrome_h)
        frame = self.frameGeometry()
        frame.moveCenter(avail.center())
        left = max(avail.left(), frame.left())
        top = max(avail.top(), frame.top())
        self.move(left, top)

    def _video_aspect(self) -> float | None:
        """The display aspect the window keeps (None: no picture to keep)."""
        frame = self.view.current_frame
        if frame is not None:
            return display_aspect(frame)
        video = self.info.video if self.info is not None else None
        if video is not None and video.width > 0 and video.height > 0:
            return video.width / video.height
        return None

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

    def _set_playlist(self, entries: list[PlaylistEntry]) -> None:
        """A new list; the loop mode is the user's, not the list's, so it stays."""
        previous = self.playlist
        self.playlist = Playlist(entries)
        self.playlist.loop = previous.loop
        if previous.shuffle:
            self.playlist.set_shuffle(True)
        self.playlist_panel.refresh()

    def append_urls(self, urls: list[str]) -> None:
        """Add to the play list without interrupting what plays (several
        dropped files, ``--enqueue``); start the first when nothing is loaded."""
        urls = [u.strip() for u in urls if u.strip()]
        if not urls:
            return
        idle = self.current_url is None or self.state in (PlayerState.IDLE, PlayerState.STOPPED)
        start = len(self.playlist)
        for url in urls:
            self.playlist.append(PlaylistEntry(url))
        self._playlist_changed()
        if idle:
            self.play_index(start)

    def play_index(self, index: int) -> None:
        if self.playlist.select(index) is not None:
            self._open_entry(self.current_options)

    def _playlist_changed(self) -> None:
        self.transport.set_playlist(
            self.playlist.has_previous(), self.playlist.has_next(), len(self.playlist)
        )
        self.playlist_panel.refresh()
        self.desktop.changed()

    def toggle_playlist_panel(self) -> None:
        panel = self.playlist_panel
        showing = not panel.isVisible()
        if showing and not panel.isFloating():
            # The panel takes its room from the screen, not from the picture.
            self._grow_for_dock(PLAYLIST_WIDTH, 0)
        panel.setVisible(showing)
        if showing:
            self.resizeDocks([panel], [PLAYLIST_WIDTH], Qt.Orientation.Horizontal)
            panel.refresh()

    def save_playlist_dialog(self, path: str | None = None) -> Path | None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, self.tr("Save the play list"), "playlist.m3u8", "M3U8 (*.m3u8)"
            )
        if not path:
            return None
        try:
            save_playlist(self.playlist.entries, path)
        except OSError as exc:
            self.messages.show_message(
                "error", self.tr("Cannot save %1: %2").replace("%1", path).replace("%2", str(exc))
            )
            return None
        self.messages.show_message("info", self.tr("Play list saved to %1").replace("%1", path))
        return Path(path)

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
            subtitles = [u for u in urls if u.lower().endswith(SUBTITLE_EXTENSIONS)]
            if subtitles and len(subtitles) == len(urls) and self.current_url is not None:
                for path in subtitles:  # subtitles dropped on a video join it
                    self.load_subtitle_file(path)
                return
            if len(urls) > 1 and self.current_url is not None:
                self.append_urls(urls)  # several files join the list (VLC's enqueue)
            else:
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
        try:
            position = self.player.position
            duration = self.player.duration or (self.info.duration if self.info else None)
        except Exception:
            position, duration = None, None
        self._call(self.player.seek_relative, delta)
        self.osd.flash(seek_osd_text(position, delta, duration))

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
        self.desktop.changed()

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
        self.desktop.changed()

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

    def scale_subtitles(self, delta: float) -> None:
        """mpv's sub-scale (F/G): kept for the whole session, every file."""
        label = self.subtitle_label
        label.set_scale(label.scale + delta)
        self.osd.flash(self.tr("Subtitle scale: %1").replace("%1", f"{label.scale:.1f}"))

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

    def _set_track_menus(self, info: MediaInfo | None) -> None:
        """Audio renditions and subtitles of the media (HLS EXT-X-MEDIA)."""
        audio = info.audio_tracks if info is not None else ()
        if self._audio_choice is not None:  # the user's choice outlives a TracksChanged
            audio = tuple(replace(t, default=t.index == self._audio_choice) for t in audio)
        subs = info.subtitle_tracks if info is not None else ()
        _fill_track_menu(self.audio_tracks_menu, audio, self.select_audio_track)
        _fill_track_menu(self.subtitles_menu, subs, self.select_subtitle_track, off=self.tr("Off"))
        self.subtitles_menu.addSeparator()
        load = self.subtitles_menu.addAction(self.tr("Load…"))
        load.triggered.connect(lambda _=False: self.load_subtitle_file())
        load.setEnabled(info is not None)
        self.subtitles_menu.setEnabled(True)

    def select_audio_track(self, index: int | None) -> None:
        if self._call(self.player.select_audio_track, index):
            self._audio_choice = index

    def _prefer_subtitles(self, info: MediaInfo) -> None:
        """On opening, the subtitle track in the window's language (unless
        the command line chose: --sid, --sub-file)."""
        opts = self.current_options
        if opts is not None and (opts.subtitle_track != "auto" or opts.subtitle_files):
            return
        index = preferred_subtitle(info, ui_language(self.settings.language))
        if index is None:
            return
        self.select_subtitle_track(index)
        chosen = tuple(replace(t, default=t.index == index) for t in info.subtitle_tracks)
        self.info = replace(info, subtitle_tracks=chosen)
        self._set_track_menus(self.info)

    def load_subtitle_file(self, path: str | None = None) -> None:
        """Subtitles → Load, or a subtitle file dropped on the window."""
        if path is None:
            start = os.path.dirname(self._local_path(self.current_url or "") or "")
            path, _ = QFileDialog.getOpenFileName(
                self, self.tr("Load subtitles"), start, SUBTITLE_FILTER
            )
        if not path:
            return
        if self._call(self.player.load_subtitles, path):
            self.osd.flash(self.tr("Subtitles: %1").replace("%1", os.path.basename(path)))

    def shift_subtitles(self, delta: float) -> None:
        """mpv's z/x: subtitles 100 ms earlier/later, for every file after."""
        delay = round(self.player.subtitle_delay + delta, 3)
        self._call(self.player.set_subtitle_delay, delay)
        self.osd.flash(self.tr("Subtitle delay: %1 ms").replace("%1", f"{round(delay * 1000):+d}"))

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
            # The picture keeps the size it was fitted to: the panel's room
            # comes from the screen where it can.
            fit_w, fit_h = self._fitted_view or (0, 0)
            if horizontal:
                self._grow_for_dock(PANEL_WIDTH - panel.width() + fit_w - self.view.width(), 0)
            else:
                self._grow_for_dock(0, PANEL_HEIGHT - panel.height() + fit_h - self.view.height())
            size = PANEL_WIDTH if horizontal else PANEL_HEIGHT
            orientation = Qt.Orientation.Horizontal if horizontal else Qt.Orientation.Vertical
            self.resizeDocks([panel], [size], orientation)
            # Once more when the grown window is laid out.
            QTimer.singleShot(0, lambda: self.resizeDocks([panel], [size], orientation))
        if visible:
            self.refresh_abr_panel()
            self._abr_timer.start()
        else:
            self._abr_timer.stop()

    def _grow_for_dock(self, extra_w: int, extra_h: int) -> None:
        """A panel opening beside a window fitted to its video takes its room
        from the screen, not from the picture (within the free area)."""
        if self.isFullScreen() or self.isMaximized():
            return
        screen = self.screen()
        avail = screen.availableGeometry()
        width = min(avail.width(), self.width() + max(0, extra_w))
        height = min(avail.height(), self.height() + max(0, extra_h))
        if (width, height) != (self.width(), self.height()):
            self.keep_aspect.expect(width, height)
            self.resize(width, height)

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

    def open_compare(self, urls: list[str] | None = None) -> QWidget | None:
        """File → Compare streams…: 2-4 URLs (asked for when not given) side
        by side in a compare window; what plays here is paused."""
        from .compare_window import ask_compare_urls, open_compare_window

        if urls is None:
            urls = ask_compare_urls(self, self.current_url)
            if urls is None:
                return None
        self._call(self.player.pause)
        window = open_compare_window(self, urls, getattr(self.player, "config", None))
        self._compare_windows.append(window)
        return window

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
        elif event.state == PlayerState.ENDED and not (
            self.playlist.has_next() or self.playlist.loop.value == "one"
        ):
            # A state that stays, with the way back (Space replays), as mpv's
            # keep-open shows the last frame.
            self.osd.flash(self.tr("Ended — Space to replay"), 0)
            if self.current_url is not None and self._remember:
                self.resume.forget(self.current_url)
        elif event.state == PlayerState.PLAYING and self.osd.text() == self.tr(
            "Ended — Space to replay"
        ):
            self.osd.hide()

    def _on_media(self, info: MediaInfo) -> None:
        self.info = info
        self._record_opened()
        if not self._fitted:
            self._fitted = True
            self.fit_to_video()
            self._prefer_subtitles(info)
            if self._resumed_at is not None:
                # The message bar, not the OSD: buffering notices reuse the OSD.
                self.messages.show_message(
                    "info", self.tr("Resumed at %1").replace("%1", format_time(self._resumed_at))
                )
        entry = self.playlist.current
        if info.title and not (entry is not None and entry.title):
            self.title = info.title
            self._update_title()
        self.transport.set_live(info.is_live)
        self.quality_menu.set_variants(info.variants)
        if (pinned := _pinned(self.current_options, info)) is not None:
            self.quality_menu.show_locked(pinned)
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
        self.messages.show_message("error" if event.fatal else "warning", error_message(event))

    def _on_warning(self, event: WarningRaised) -> None:
        self.messages.show_message("warning", warning_message(event), timeout_ms=10000)

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
        if self.playlist.after_end() is not None:
            self._open_entry(self.current_options)

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
        abr = AbrStatus.from_stats(stats)
        if abr is None:
            return
        if abr.variant_index is not None:
            self._loading_variant = abr.variant_index
        if abr.playing_index is not None:
            self.quality_menu.mark_current(abr.playing_index)

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
        block = self.stats.get("latency")
        figure, kind = headline(block if isinstance(block, dict) and latency is not None else None)
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
        if self.uncapped_url is not None and self.current_url == self.uncapped_url:
            if self.view_cap is not None:
                self.view_cap = None
                self._call(self.player.set_max_resolution, None, None)
            return
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
            self._save_resume()
            self.desktop.close()
            self.lab_menu.stop_all()
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
