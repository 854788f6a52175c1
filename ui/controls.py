"""The transport bar: play/pause, seek bar with the buffered range, times, live
badge / latency / jump to live, volume and mute, speed, fullscreen.

Widgets here only show state and emit requests; the window talks to the player.
None of them takes keyboard focus, so the window's keys always work.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QStyle,
    QToolButton,
    QWidget,
)

from resources import stylesheet

__all__ = ["SPEEDS", "SeekBar", "TransportBar", "format_time"]

SPEEDS = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0)


def format_time(seconds: float | None) -> str:
    if seconds is None or seconds != seconds:  # None or NaN
        return "--:--"
    total = max(0, int(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


class SeekBar(QWidget):
    """A seek bar that also draws the buffered range. Emits ``seekRequested``
    with an absolute position while dragging and on release."""

    seekRequested = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.duration: float | None = None
        self.position: float = 0.0
        self.buffered_until: float | None = None
        self._dragging = False
        self.setEnabled(False)

    def sizeHint(self) -> QSize:
        return QSize(300, 22)

    def set_state(
        self, position: float | None, duration: float | None, buffered_until: float | None
    ) -> None:
        if not self._dragging:
            self.position = position or 0.0
        self.duration = duration
        self.buffered_until = buffered_until
        self.setEnabled(bool(duration and duration > 0))
        self.update()

    def _track(self) -> QRectF:
        return QRectF(6, self.height() / 2 - 3, max(1, self.width() - 12), 6)

    def _fraction(self, value: float | None) -> float:
        if not self.duration or value is None:
            return 0.0
        return min(1.0, max(0.0, value / self.duration))

    def _position_at(self, x: float) -> float:
        track = self._track()
        frac = min(1.0, max(0.0, (x - track.left()) / track.width()))
        return frac * (self.duration or 0.0)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        track = self._track()
        pal = self.palette()
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(90, 90, 90))
        p.drawRoundedRect(track, 3, 3)
        if self.isEnabled():
            played = self._fraction(self.position)
            buffered = max(played, self._fraction(self.buffered_until))
            p.setBrush(QColor(150, 150, 150))
            p.drawRoundedRect(QRectF(track.left(), track.top(), track.width() * buffered, 6), 3, 3)
            p.setBrush(pal.highlight())
            p.drawRoundedRect(QRectF(track.left(), track.top(), track.width() * played, 6), 3, 3)
            x = track.left() + track.width() * played
            p.setBrush(QColor(240, 240, 240))
            p.drawEllipse(QPointF(x, track.center().y()), 6, 6)
        p.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.isEnabled() and self.duration:
            self._dragging = True
            self.position = self._position_at(event.position().x())
            self.update()
            event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self.duration:
            self.setToolTip(format_time(self._position_at(event.position().x())))
        if self._dragging:
            self.position = self._position_at(event.position().x())
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._dragging and event.button() == Qt.MouseButton.LeftButton:
            self._dragging = False
            self.position = self._position_at(event.position().x())
            self.seekRequested.emit(self.position)
            self.update()


def _button(parent: QWidget, icon: QStyle.StandardPixmap | None = None) -> QToolButton:
    b = QToolButton(parent)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    b.setAutoRaise(True)
    if icon is not None:
        b.setIcon(parent.style().standardIcon(icon))
    b.setIconSize(QSize(20, 20))
    return b


class TransportBar(QWidget):
    playPauseClicked = Signal()
    seekRequested = Signal(float)
    volumeChanged = Signal(float)  # 0.0..1.5 linear gain
    muteToggled = Signal(bool)
    speedChosen = Signal(float)
    fullscreenClicked = Signal()
    liveClicked = Signal()
    previousClicked = Signal()
    nextClicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        st = QStyle.StandardPixmap
        self.previous_button = _button(self, st.SP_MediaSkipBackward)
        self.play_button = _button(self, st.SP_MediaPlay)
        self.next_button = _button(self, st.SP_MediaSkipForward)
        self.seek_bar = SeekBar(self)
        self.time_label = QLabel("--:-- / --:--", self)
        self.time_label.setMinimumWidth(110)
        self.time_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.live_badge = QLabel(self)
        self.live_badge.setStyleSheet(stylesheet("live_badge"))
        self.latency_label = QLabel(self)
        self.live_button = _button(self)
        self.mute_button = _button(self, st.SP_MediaVolume)
        self.mute_button.setCheckable(True)
        self.volume_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.volume_slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.volume_slider.setRange(0, 150)
        self.volume_slider.setValue(100)
        self.volume_slider.setFixedWidth(100)
        self.volume_label = QLabel("100%", self)
        self.volume_label.setMinimumWidth(40)
        self.speed_button = _button(self)
        self.speed_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.fullscreen_button = _button(self, st.SP_TitleBarMaxButton)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 4)
        layout.setSpacing(4)
        for button in (self.previous_button, self.play_button, self.next_button):
            layout.addWidget(button)
        layout.addWidget(self.seek_bar, 1)
        for w in (
            self.time_label,
            self.live_badge,
            self.latency_label,
            self.live_button,
            self.mute_button,
            self.volume_slider,
            self.volume_label,
            self.speed_button,
            self.fullscreen_button,
        ):
            layout.addWidget(w)
        self.set_live(False)

        self.play_button.clicked.connect(self.playPauseClicked)
        self.previous_button.clicked.connect(self.previousClicked)
        self.next_button.clicked.connect(self.nextClicked)
        self.seek_bar.seekRequested.connect(self.seekRequested)
        self.live_button.clicked.connect(self.liveClicked)
        self.mute_button.toggled.connect(self.muteToggled)
        self.volume_slider.valueChanged.connect(self._on_volume_slider)
        self.fullscreen_button.clicked.connect(self.fullscreenClicked)
        self._speed = 1.0
        self.retranslate()

    def retranslate(self) -> None:
        self.play_button.setToolTip(self.tr("Play / pause (Space)"))
        self.previous_button.setToolTip(self.tr("Previous (<)"))
        self.next_button.setToolTip(self.tr("Next (>)"))
        self.live_badge.setText(self.tr("LIVE"))
        self.live_button.setText(self.tr("Go live"))
        self.live_button.setToolTip(self.tr("Jump to the live edge (L)"))
        self.mute_button.setToolTip(self.tr("Mute (m)"))
        self.volume_slider.setToolTip(self.tr("Volume (9 / 0, wheel)"))
        self.speed_button.setToolTip(self.tr("Playback speed ([ / ], Backspace)"))
        self.fullscreen_button.setToolTip(self.tr("Fullscreen (f, double-click)"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _on_volume_slider(self, value: int) -> None:
        self.volume_label.setText(f"{value}%")
        self.volumeChanged.emit(value / 100.0)

    # -- state in ---------------------------------------------------------------------
    def set_playing(self, playing: bool) -> None:
        icon = (
            QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        )
        self.play_button.setIcon(self.style().standardIcon(icon))

    def set_volume(self, volume: float, muted: bool) -> None:
        value = round(volume * 100)
        if self.volume_slider.value() != value:
            self.volume_slider.blockSignals(True)
            self.volume_slider.setValue(value)
            self.volume_slider.blockSignals(False)
        self.volume_label.setText(f"{value}%")
        if self.mute_button.isChecked() != muted:
            self.mute_button.blockSignals(True)
            self.mute_button.setChecked(muted)
            self.mute_button.blockSignals(False)
        icon = (
            QStyle.StandardPixmap.SP_MediaVolumeMuted
            if muted
            else QStyle.StandardPixmap.SP_MediaVolume
        )
        self.mute_button.setIcon(self.style().standardIcon(icon))

    def set_speed(self, speed: float) -> None:
        self._speed = speed
        self.speed_button.setText(f"{speed:.2f}".rstrip("0").rstrip(".") + "×")

    def set_live(self, live: bool) -> None:
        self.live_badge.setVisible(live)
        self.latency_label.setVisible(live)
        self.live_button.setVisible(live)
        self.seek_bar.setVisible(not live)

    def set_times(
        self,
        position: float | None,
        duration: float | None,
        buffered_until: float | None,
        latency: float | None,
    ) -> None:
        self.seek_bar.set_state(position, duration, buffered_until)
        if self.live_badge.isVisible():
            self.time_label.setText(format_time(position))
            self.latency_label.setText(
                self.tr("latency %1 s").replace("%1", f"{latency:.1f}")
                if latency is not None
                else ""
            )
        else:
            self.time_label.setText(f"{format_time(position)} / {format_time(duration)}")

    def set_playlist(self, has_previous: bool, has_next: bool, size: int) -> None:
        self.previous_button.setVisible(size > 1)
        self.next_button.setVisible(size > 1)
        self.previous_button.setEnabled(has_previous)
        self.next_button.setEnabled(has_next)
