"""The Open URL dialog (Ctrl+L): URL with history, and per-URL network options."""

from __future__ import annotations

from typing import cast

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from player.config import OpenOptions, RtspTransport
from resources import stylesheet

__all__ = ["OpenUrlDialog"]

_TRANSPORTS: tuple[RtspTransport, ...] = ("auto", "udp", "tcp", "http")


class OpenUrlDialog(QDialog):
    def __init__(
        self,
        history: list[str],
        defaults: OpenOptions | None = None,
        parent: QWidget | None = None,
        initial: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Open URL"))
        self.setMinimumWidth(560)
        self.url_box = QComboBox(self)
        self.url_box.setEditable(True)
        self.url_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.url_box.addItems(history)
        self.url_box.setCurrentText(initial)
        line = self.url_box.lineEdit()
        if line is not None:
            line.setPlaceholderText(
                self.tr("https://…/master.m3u8, rtsp://camera/stream, rtmp://…, or a file path")
            )
        self.transport_box = QComboBox(self)
        for value, text in zip(
            _TRANSPORTS,
            (self.tr("Automatic (UDP, then TCP)"), "UDP", "TCP", self.tr("HTTP tunnel")),
            strict=True,
        ):
            self.transport_box.addItem(text, value)
        self.low_latency_box = QCheckBox(
            self.tr("Low latency (live: small buffer, catch up)"), self
        )
        if defaults is not None:
            transport = defaults.rtsp_transport or "auto"
            self.transport_box.setCurrentIndex(_TRANSPORTS.index(transport))
            self.low_latency_box.setChecked(bool(defaults.low_latency))
        form = QFormLayout()
        form.addRow(self.tr("URL:"), self.url_box)
        form.addRow(self.tr("RTSP transport:"), self.transport_box)
        form.addRow("", self.low_latency_box)
        hint = QLabel(
            self.tr("Credentials in the URL are never shown in logs or statistics."), self
        )
        hint.setStyleSheet(stylesheet("hint"))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self.url_box.setFocus()

    def url(self) -> str:
        return self.url_box.currentText().strip()

    def options(self) -> OpenOptions:
        transport = cast(RtspTransport, self.transport_box.currentData())
        return OpenOptions(
            rtsp_transport=None if transport == "auto" else transport,
            low_latency=self.low_latency_box.isChecked(),
        )

    def accept(self) -> None:
        if self.url():
            super().accept()
