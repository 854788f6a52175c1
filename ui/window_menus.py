"""The window's actions and menus: one action per row of the key table
(``shortcuts.py``), the menu bar built from them, Open Recent, the settings
the menus change, and the help and about dialogs. The track menus' entries
are ``window_tracks.py``'s."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMainWindow,
    QMenu,
    QVBoxLayout,
)

from player.redact import redact_url

from .abr_policy_menu import AbrPolicyMenu
from .controls import SPEEDS
from .i18n import LANGUAGES, install_language
from .lab_menu import LabMenu
from .quality import QualityMenu
from .rich_text import escape
from .settings import Settings
from .shortcuts import SHORTCUTS, help_rows
from .video_settings import HardwareDecodingAction

if TYPE_CHECKING:
    # About's module (its dialog's Qt classes, the versions) waits for its
    # menu item: the window's start shows no dialog
    from .about import AboutDialog

__all__ = ["WindowMenus"]

#: the key table's actions that show a check mark
_CHECKABLE = ("always_on_top", "stats", "mute", "abr_panel", "playlist_panel")


class WindowMenus(QObject):
    """``handlers`` maps each action of the key table to what it does."""

    #: a speed picked in the Speed menu
    speedChosen = Signal(float)
    #: an entry of Open Recent
    recentChosen = Signal(str)

    def __init__(
        self,
        window: QMainWindow,
        settings: Settings,
        handlers: Mapping[str, Callable[[], object]],
        renderer_name: Callable[[], str],
    ) -> None:
        super().__init__(window)
        self._window = window
        self._renderer_name = renderer_name
        self._settings = settings
        self.about_dialog: AboutDialog | None = None
        self.help_dialog: QDialog | None = None
        self.actions_by_name: dict[str, QAction] = {}
        for shortcut in SHORTCUTS:
            action = QAction(window)
            action.setShortcuts([QKeySequence(k) for k in shortcut.keys])
            # Application context: works whatever child has focus, and Qt still
            # blocks it while a modal dialog is open.
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
            handler = handlers[shortcut.action]
            action.triggered.connect(lambda _=False, h=handler: h())
            window.addAction(action)
            self.actions_by_name[shortcut.action] = action
        for name in _CHECKABLE:
            self.actions_by_name[name].setCheckable(True)
        self._build()

    def _build(self) -> None:
        a, window, bar = self.actions_by_name, self._window, self._window.menuBar()
        self.file_menu = bar.addMenu("")
        self.file_menu.addActions([a["open_file"], a["open_url"]])
        self.compare_action = QAction(window)
        self.file_menu.addAction(self.compare_action)
        self.recent_menu = self.file_menu.addMenu("")
        self.file_menu.addSeparator()
        self.file_menu.addActions([a["screenshot"], a["screenshot_plain"], a["export_timeline"]])
        self.file_menu.addSeparator()
        self.file_menu.addAction(a["quit"])

        self.playback_menu = bar.addMenu("")
        self.playback_menu.addAction(a["toggle_pause"])
        self.stop_action = QAction(window)
        self.playback_menu.addAction(self.stop_action)
        self.playback_menu.addSeparator()
        self.playback_menu.addActions(
            [a["seek_back"], a["seek_forward"], a["seek_back_long"], a["seek_forward_long"]]
        )
        self.playback_menu.addActions([a["frame_step"], a["frame_back_step"], a["jump_live"]])
        self.playback_menu.addSeparator()
        self.speed_menu = QMenu(window)
        self._speed_group = QActionGroup(window)
        for s in SPEEDS:
            act = QAction(f"{s:g}×", window)
            act.setCheckable(True)
            act.setData(s)
            act.triggered.connect(lambda _=False, s=s: self.speedChosen.emit(s))
            self._speed_group.addAction(act)
            self.speed_menu.addAction(act)
        self.speed_menu.addSeparator()
        self.speed_menu.addActions([a["speed_down"], a["speed_up"], a["speed_reset"]])
        self.playback_menu.addMenu(self.speed_menu)
        self.playback_menu.addSeparator()
        self.playback_menu.addActions([a["previous"], a["next"]])

        self.audio_menu = bar.addMenu("")
        self.audio_menu.addActions([a["volume_up"], a["volume_down"], a["mute"]])
        self.audio_menu.addSeparator()
        self.audio_tracks_menu = self.audio_menu.addMenu("")
        self.subtitles_menu = bar.addMenu("")  # filled by window_tracks.TrackChoices

        self.view_menu = bar.addMenu("")
        self.view_menu.addActions(
            [a["fullscreen"], a["leave_fullscreen"], a["always_on_top"], a["stats"]]
        )
        self.view_menu.addActions([a["abr_panel"], a["playlist_panel"]])
        self.quality_menu = QualityMenu(window)
        bar.addMenu(self.quality_menu)
        self._build_settings()
        self.lab_menu = LabMenu(window, bar.addMenu(""))

        self.help_menu = bar.addMenu("")
        self.help_menu.addAction(a["help"])
        self.about_action = QAction(window)
        self.about_action.triggered.connect(self.show_about)
        self.help_menu.addAction(self.about_action)
        self.open_log_action = QAction(window)
        self.open_log_action.triggered.connect(self.open_log_folder)
        self.help_menu.addAction(self.open_log_action)
        self.rebuild_recent()

    def _build_settings(self) -> None:
        window, settings = self._window, self._settings
        self.settings_menu = window.menuBar().addMenu("")
        self.language_menu = self.settings_menu.addMenu("")
        self._language_group = QActionGroup(window)
        self.language_actions: dict[str, QAction] = {}
        for code, name in [("system", ""), *LANGUAGES.items()]:
            act = QAction(name, window)
            act.setCheckable(True)
            act.setChecked(code == settings.language)
            act.triggered.connect(lambda _=False, c=code: self.set_language(c))
            self._language_group.addAction(act)
            self.language_menu.addAction(act)
            self.language_actions[code] = act
        self.network_menu = self.settings_menu.addMenu("")
        self._transport_group = QActionGroup(window)
        self.transport_actions: dict[str, QAction] = {}
        for code in ("auto", "udp", "tcp", "http"):
            act = QAction(window)
            act.setCheckable(True)
            act.setChecked(code == settings.rtsp_transport)
            act.triggered.connect(lambda _=False, c=code: setattr(settings, "rtsp_transport", c))
            self._transport_group.addAction(act)
            self.network_menu.addAction(act)
            self.transport_actions[code] = act
        self.network_menu.addSeparator()
        self.low_latency_action = QAction(window)
        self.low_latency_action.setCheckable(True)
        self.low_latency_action.setChecked(settings.low_latency)
        self.low_latency_action.toggled.connect(lambda on: setattr(settings, "low_latency", on))
        self.network_menu.addAction(self.low_latency_action)
        self.network_menu.addSeparator()
        self.abr_policy_menu = AbrPolicyMenu(window, settings)
        self.network_menu.addMenu(self.abr_policy_menu)
        self.video_settings_menu = self.settings_menu.addMenu("")
        self.hwdec_action = HardwareDecodingAction(window, settings)
        self.video_settings_menu.addAction(self.hwdec_action)
        self.video_settings_menu.aboutToShow.connect(self.hwdec_action.refresh)

    def retranslate(self) -> None:
        for shortcut in SHORTCUTS:
            self.actions_by_name[shortcut.action].setText(shortcut.translated())
        self.file_menu.setTitle(self.tr("&File"))
        self.recent_menu.setTitle(self.tr("Open &Recent"))
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
        self.abr_policy_menu.retranslate()
        self.help_menu.setTitle(self.tr("&Help"))
        self.about_action.setText(self.tr("About Heureum"))
        self.open_log_action.setText(self.tr("Open Log Folder"))
        self.rebuild_recent()

    # -- what the menus show -------------------------------------------------------------
    def rebuild_recent(self) -> None:
        menu = self.recent_menu
        menu.clear()
        recent = self._settings.recent
        for url in recent:
            act = menu.addAction(redact_url(url))
            act.triggered.connect(lambda _=False, u=url: self.recentChosen.emit(u))
        if recent:
            menu.addSeparator()
            menu.addAction(self.tr("Clear"), self._clear_recent)
        menu.setEnabled(bool(recent))

    def _clear_recent(self) -> None:
        self._settings.clear_recent()
        self.rebuild_recent()

    def show_speed(self, speed: float) -> None:
        for act in self._speed_group.actions():
            act.setChecked(abs(float(act.data()) - speed) < 1e-6)

    def show_muted(self, muted: bool) -> None:
        self.actions_by_name["mute"].setChecked(muted)

    # -- settings and dialogs ------------------------------------------------------------
    def set_language(self, code: str) -> None:
        self._settings.language = code
        app = QApplication.instance()
        if isinstance(app, QApplication):
            install_language(app, code)
        self.language_actions[code].setChecked(True)

    def show_help(self) -> None:
        rows = "".join(
            f"<tr><td style='padding-right:18px'><b>{escape(k)}</b></td><td>{escape(d)}</td></tr>"
            for k, d in help_rows()
        )
        dialog = QDialog(self._window)
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
        from .about import AboutDialog

        self.about_dialog = AboutDialog(self._window, self._renderer_name())
        self.about_dialog.show()

    def open_log_folder(self) -> bool:
        from .about import open_log_folder

        return open_log_folder()
