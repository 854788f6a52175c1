"""What the engine tells the viewer beyond the picture: errors, warnings and
reconnections in the message bar, buffering on the OSD, in the window's
language."""

from __future__ import annotations

from PySide6.QtCore import QObject

from player.events import BufferingChanged, ErrorOccurred, Reconnected, Reconnecting, WarningRaised

from .bridge import PlayerBridge
from .error_text import error_message, reconnecting_reason, warning_message
from .message_bar import MessageBar
from .osd import Osd

__all__ = ["Notices"]

WARNING_SHOWN_MS = 10_000


class Notices(QObject):
    def __init__(
        self, parent: QObject, bridge: PlayerBridge, messages: MessageBar, osd: Osd
    ) -> None:
        super().__init__(parent)
        self._messages = messages
        self._osd = osd
        bridge.bufferingChanged.connect(self._on_buffering)
        bridge.errorOccurred.connect(self._on_error)
        bridge.warningRaised.connect(self._on_warning)
        bridge.reconnecting.connect(self._on_reconnecting)
        bridge.reconnected.connect(self._on_reconnected)

    def _on_buffering(self, event: BufferingChanged) -> None:
        if event.buffering:
            self._osd.flash(self.tr("Buffering… %1%").replace("%1", f"{event.percent:.0f}"), 0)
        elif self._osd.isVisible():
            self._osd.hide()

    def _on_error(self, event: ErrorOccurred) -> None:
        self._messages.show_message("error" if event.fatal else "warning", error_message(event))

    def _on_warning(self, event: WarningRaised) -> None:
        self._messages.show_message("warning", warning_message(event), timeout_ms=WARNING_SHOWN_MS)

    def _on_reconnecting(self, event: Reconnecting) -> None:
        self._messages.show_message(
            "warning",
            self.tr("Connection lost (%1). Reconnecting, attempt %2 in %3 s…")
            .replace("%1", reconnecting_reason(event))
            .replace("%2", str(event.attempt))
            .replace("%3", f"{event.delay:.1f}"),
        )

    def _on_reconnected(self, event: Reconnected) -> None:
        self._messages.show_message(
            "info", self.tr("Reconnected after %1 s.").replace("%1", f"{event.outage:.1f}")
        )
