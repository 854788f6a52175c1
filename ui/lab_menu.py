"""The window's Lab menu: Lab → Compare protocols… starts the network lab
(``lab/``) with a chosen profile and opens the compare window on its streams
(HLS, LL-HLS, RTSP and RTMP where the system has them). The lab lives as
long as that compare window: closing it stops the lab's servers."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu, QMessageBox, QWidget

if TYPE_CHECKING:
    from lab.profile import Profile

__all__ = ["LAB_ORDER", "LabMenu", "lab_urls"]

log = logging.getLogger(__name__)

#: the lab's streams a comparison shows, in this order, the first four there are:
#: one of each protocol family first, the other HLS packagings after
LAB_ORDER = ("hls-ts", "ll-hls", "rtsp", "rtmp", "http", "hls-fmp4")
#: the choice that asks for a profile file
_FROM_FILE = "file"


def lab_urls(lab: Any, limit: int = 4) -> list[str]:
    """The URLs the compare window opens: ``LAB_ORDER``, the first ``limit``."""
    streams = [lab.stream(key) for key in LAB_ORDER]
    return [s.url for s in streams if s is not None][:limit]


class _Starter(QObject):
    """The lab's start off the GUI thread (the first run makes its media)."""

    ready = Signal(object)
    failed = Signal(str)
    progress = Signal(float, str)


class LabMenu(QObject):
    def __init__(self, window: Any, menu: QMenu) -> None:
        super().__init__(window)
        self.window = window
        self.menu = menu
        self.compare_action = QAction(menu)
        self.compare_action.triggered.connect(lambda: self.compare_protocols())
        menu.addAction(self.compare_action)
        self.labs: list[Any] = []
        self.compare_windows: list[QWidget] = []
        self._starter = _Starter(self)
        self._starter.ready.connect(self._on_ready)
        self._starter.failed.connect(self._on_failed)
        self._starter.progress.connect(self._on_progress)
        self.busy = False
        self.starting: Any = None
        # set when the window closes: a lab still starting stops once it has
        self._closing = threading.Event()
        self.retranslate()

    def retranslate(self) -> None:
        self.menu.setTitle(QCoreApplication.translate("LabMenu", "&Lab"))
        self.compare_action.setText(QCoreApplication.translate("LabMenu", "Compare protocols…"))

    # ---------------------------------------------------------------- choosing

    def ask_profile(self) -> Profile | bool | None:
        """The profile to use: a built-in one, a file, or none (``None``);
        False when the user cancels."""
        # Here, not at the top: the profiles (tomllib and the built-in ones)
        # are a good 10 ms of a start-up that never opens this menu.
        from lab.profile import BUILTIN_PROFILES, ProfileError, builtin_profile, load_profile

        names = [QCoreApplication.translate("LabMenu", "No impairment")]
        keys: list[str | None] = [None]
        for name in BUILTIN_PROFILES:
            p = builtin_profile(name)
            names.append(f"{p.name} — {p.description}" if p.description else p.name)
            keys.append(name)
        names.append(QCoreApplication.translate("LabMenu", "From a file (TOML or JSON)…"))
        keys.append(_FROM_FILE)
        parent = self.window if isinstance(self.window, QWidget) else None
        choice, ok = QInputDialog.getItem(
            parent,
            QCoreApplication.translate("LabMenu", "Compare protocols"),
            QCoreApplication.translate("LabMenu", "Network profile:"),
            names,
            0,
            False,
        )
        if not ok:
            return False
        key = keys[names.index(choice)] if choice in names else None
        if key is None:
            return None
        if key != _FROM_FILE:
            return builtin_profile(key)
        path, _ = QFileDialog.getOpenFileName(
            parent,
            QCoreApplication.translate("LabMenu", "Network profile"),
            "",
            QCoreApplication.translate("LabMenu", "Profiles (*.toml *.json);;All files (*)"),
        )
        if not path:
            return False
        try:
            return load_profile(path)
        except ProfileError as exc:
            QMessageBox.warning(
                parent, QCoreApplication.translate("LabMenu", "Compare protocols"), str(exc)
            )
            return False

    # ---------------------------------------------------------------- running

    def compare_protocols(self, profile: Profile | bool | str | None = "ask") -> bool:
        """Start a lab with ``profile`` (asked for by default) and open the
        compare window on it once it serves; False when nothing starts."""
        if self.busy:
            return False
        chosen: Profile | bool | None
        chosen = self.ask_profile() if isinstance(profile, str) else profile
        if chosen is False or chosen is True:
            return False
        from lab.lab import Lab

        lab = Lab(chosen, progress=self._starter.progress.emit)
        #: the lab being started (None once it serves or failed)
        self.starting = lab
        self.busy = True
        self.window.messages.show_message(
            "info", QCoreApplication.translate("LabMenu", "Starting the network lab…")
        )

        def run() -> None:
            try:
                lab.start()
            except Exception as exc:  # a port, a server, the media: one line to the user
                log.debug("lab start", exc_info=True)
                self._starter.failed.emit(str(exc) or type(exc).__name__)
                return
            if self._closing.is_set():
                lab.stop()
                return
            self._starter.ready.emit(lab)

        threading.Thread(target=run, name="lab-start", daemon=True).start()
        return True

    @Slot(object)
    def _on_ready(self, lab: Any) -> None:
        from .compare_window import open_compare_window

        self.busy = False
        self.starting = None
        if self._closing.is_set():
            lab.stop()
            return
        self.labs.append(lab)
        self.window.call(self.window.player.pause)
        window = open_compare_window(
            self.window, lab_urls(lab), getattr(self.window.player, "config", None)
        )
        name = (
            lab.profile.name
            if lab.profile is not None
            else QCoreApplication.translate("LabMenu", "no impairment")
        )
        window.setWindowTitle(
            QCoreApplication.translate("LabMenu", "Heureum — lab (%1)").replace("%1", name)
        )
        window.destroyed.connect(lambda *_: self._stop(lab))
        self.compare_windows.append(window)
        notes = "; ".join(lab.notes)
        self.window.messages.show_message(
            "info",
            QCoreApplication.translate("LabMenu", "Network lab: %1").replace("%1", name)
            + (f" ({notes})" if notes else ""),
        )

    @Slot(float, str)
    def _on_progress(self, fraction: float, _what: str) -> None:
        # the first run makes the lab's media: about half a minute
        if fraction < 1.0:
            self.window.messages.show_progress(
                QCoreApplication.translate("LabMenu", "Making the lab's streams (first run)…"),
                fraction * 100,
            )

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.busy = False
        self.starting = None
        self.window.messages.show_message(
            "error",
            QCoreApplication.translate("LabMenu", "The network lab did not start: %1").replace(
                "%1", message
            ),
        )

    def _stop(self, lab: Any) -> None:
        if lab in self.labs:
            self.labs.remove(lab)
        lab.stop()

    def stop_all(self) -> None:
        self._closing.set()
        for lab in list(self.labs):
            self._stop(lab)
