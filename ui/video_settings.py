"""Settings → Video: the hardware decoding switch."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from .settings import Settings

__all__ = ["HardwareDecodingAction"]


class HardwareDecodingAction(QAction):
    """Checkable, saved in the settings (``--hwdec=auto`` for every open), and
    enabled only where PyAV reports this platform's device type. PyAV is asked
    when the menu first opens: a window that never plays never imports it."""

    def __init__(self, parent: QObject, settings: Settings) -> None:
        super().__init__(parent)
        self._settings = settings
        self._offered: tuple[str, ...] | None = None
        self.setCheckable(True)
        self.setChecked(settings.hwdec)
        self.toggled.connect(self._save)

    def _save(self, on: bool) -> None:
        self._settings.hwdec = on

    def refresh(self) -> tuple[str, ...]:
        """The device types offered here (empty: the action is disabled)."""
        if self._offered is None:
            from player.hwdec import offered_devices

            self._offered = offered_devices()
        self.setEnabled(bool(self._offered))
        if not self._offered and self.isChecked():
            self.setChecked(False)  # nothing to decode on: a stale choice goes
        return self._offered
