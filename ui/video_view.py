"""The video view: the engine's ``VideoSink`` on screen.

``present()`` runs on the engine's presenter thread at the moment the engine
chose; it only stores the frame and, if no repaint is pending, queues one to
the GUI thread. A frame replaced before the GUI thread got to it is counted as
coalesced (never converted). The renderer (OpenGL YUV shader or swscale →
QImage) is chosen at run time; ``HEUREUM_RENDERER=software|opengl`` forces one.

Probing OpenGL makes a context (80 ms with Mesa here): left to choose, the
view starts with the software renderer and probes once its window has been
painted, moving to OpenGL if that is the better one, so the window shows first.
A view told that a picture is on its way (``probe_after_picture``) probes once
that picture is on screen instead: the probe holds the interpreter for all of
its context's making, and the engine's threads opening the file (libavformat,
the first packets) waited for it, so it delayed the first picture as long.
"""

from __future__ import annotations

import logging
import os
import re
import threading

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QMouseEvent, QShowEvent, QWheelEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from player.frame_memory import keep_frame_buffers
from player.video_sink import VideoFrame

from .first_paint import after_first_paint
from .probe_memory import ProbeMemory
from .render_common import FrameRenderer
from .render_image import ImageRenderer

__all__ = ["VideoView", "choose_renderer"]

log = logging.getLogger(__name__)

_SOFTWARE_GL = re.compile(r"llvmpipe|softpipe|swrast|software|lavapipe", re.IGNORECASE)


def choose_renderer() -> tuple[str, str]:
    """('opengl' | 'software', why). Software OpenGL (Mesa llvmpipe under Xvfb)
    costs more than swscale, so it is not chosen unless forced."""
    forced = os.environ.get("HEUREUM_RENDERER", "").strip().lower()
    if forced in ("software", "image", "qimage"):
        return "software", "forced by HEUREUM_RENDERER"
    from .render_probe import probe_gl

    gl = probe_gl()
    if forced in ("opengl", "gl"):
        if gl is None:
            return "software", "HEUREUM_RENDERER=opengl but OpenGL is unavailable"
        return "opengl", gl
    if gl is None:
        # The one line a machine without working OpenGL gets: playback goes on.
        log.warning("OpenGL is unavailable: video is drawn in software")
        return "software", "OpenGL unavailable"
    if _SOFTWARE_GL.search(gl):
        return "software", f"OpenGL is software-rendered ({gl})"
    return "opengl", gl


class VideoView(QWidget):
    """Implements ``player.VideoSink``. Mouse: double-click and wheel are
    reported as signals; the window decides what they do."""

    doubleClicked = Signal()
    wheelSteps = Signal(int)  # +1 per notch up
    mouseMoved = Signal()
    #: the first frame was handed to the renderer (what waits for it: ui.first_frame)
    firstFrame = Signal()
    _frameArrived = Signal()
    #: the probe's wait after the first picture: the bus and the socket start
    #: at ui.first_frame's SETTLE_MS, and both at once held the interpreter
    #: from the audio device's callbacks for longer than one of them
    PROBE_SETTLE_MS = 400

    def __init__(self, parent: QWidget | None = None, renderer: str | None = None) -> None:
        super().__init__(parent)
        # the renderers allocate a picture per painted frame: reuse the memory
        keep_frame_buffers()
        self.setMinimumSize(160, 90)
        self.setMouseTracking(True)
        self.setAutoFillBackground(True)
        pal = self.palette()
        pal.setColor(self.backgroundRole(), Qt.GlobalColor.black)
        self.setPalette(pal)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._renderer: FrameRenderer
        self._render_widget: QWidget
        #: left to choose (no argument, no HEUREUM_RENDERER): probe after the first show
        self._probe_pending = not renderer and not os.environ.get("HEUREUM_RENDERER", "").strip()
        self._memory: ProbeMemory | None = None
        self._probe_skipped = False
        #: a picture is coming (the window opens something as it starts): the
        #: probe waits for it to be on screen (set before the first show)
        self.probe_after_picture = False
        if renderer:
            kind, why = renderer, "requested"
        elif self._probe_pending:
            kind, why = "software", "until OpenGL is probed"
        else:
            kind, why = choose_renderer()
        self._install(kind, why)
        self._lock = threading.Lock()
        self._latest: VideoFrame | None = None
        self._pending = False
        self._current: VideoFrame | None = None
        self.presented = 0  # frames handed to us by the engine
        self.painted = 0  # frames handed to the renderer
        self.coalesced = 0  # replaced before the GUI thread took them
        self._frameArrived.connect(self._take_frame, Qt.ConnectionType.QueuedConnection)

    def _install(self, kind: str, why: str) -> None:
        widget: QWidget
        if kind == "opengl":
            from .render_gl import GLRenderer

            gl = GLRenderer(self, gl_name=why)
            renderer: FrameRenderer = gl
            widget = gl
        else:
            image = ImageRenderer(self)
            renderer, widget = image, image
        widget.setMouseTracking(True)
        widget.installEventFilter(self)
        old = getattr(self, "_render_widget", None)
        if old is not None:
            self._layout.replaceWidget(old, widget)
            old.removeEventFilter(self)
            old.deleteLater()
        else:
            self._layout.addWidget(widget)
        self._renderer, self._render_widget = renderer, widget
        self.renderer_reason = why
        log.info("renderer: %s (%s)", renderer.renderer_name, why)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._probe_pending:
            self._probe_pending = False
            # After the window's first paint, not before: run ahead of the
            # display server's expose, the probe kept the window blank for as long.
            if self.probe_after_picture:
                from .first_frame import after_first_frame  # (it imports this module)

                after_first_frame(self, self._probe, settle_ms=self.PROBE_SETTLE_MS)
            else:
                after_first_paint(self.window(), self._probe)

    def remember_probe(self, memory: ProbeMemory) -> None:
        """Skip the probe when ``memory`` says this display's OpenGL is
        software (ui.probe_memory); what a probe finds goes into it."""
        self._memory = memory

    def probe_again(self) -> None:
        """The probe skipped at the start, run now (the window closes): its
        verdict for the next start. Nothing on screen changes."""
        if self._memory is not None and self._probe_skipped:
            self._probe_skipped = False
            self._memory.learn(choose_renderer())

    @Slot()
    def _probe(self) -> None:
        remembered = self._memory.recall() if self._memory is not None else None
        if remembered is not None:
            self._probe_skipped = True
            self.renderer_reason = f"{remembered}, as probed before"
            log.info("renderer: %s (%s)", self._renderer.renderer_name, self.renderer_reason)
            return
        kind, why = choose_renderer()
        if self._memory is not None:
            self._memory.learn((kind, why))
        if kind == "opengl":
            self._install(kind, why)
            self._renderer.set_frame(self._current)
        else:
            self.renderer_reason = why
            log.info("renderer: %s (%s)", self._renderer.renderer_name, why)

    @property
    def renderer_name(self) -> str:
        return self._renderer.renderer_name

    @property
    def render_widget(self) -> QWidget:
        return self._render_widget

    @property
    def not_painted(self) -> int:
        """``player.video_sink.UnpaintedCount``: frames presented, never painted."""
        return self.coalesced

    @property
    def current_frame(self) -> VideoFrame | None:
        """The frame on screen now (GUI thread)."""
        return self._current

    # -- VideoSink (any thread) ---------------------------------------------------
    def present(self, frame: VideoFrame) -> None:
        with self._lock:
            self._latest = frame
            self.presented += 1
            if self._pending:
                self.coalesced += 1
                return
            self._pending = True
        self._frameArrived.emit()

    def clear(self) -> None:
        with self._lock:
            self._latest = None
            if self._pending:
                return
            self._pending = True
        self._frameArrived.emit()

    # -- GUI thread ------------------------------------------------------------------
    @Slot()
    def _take_frame(self) -> None:
        with self._lock:
            frame = self._latest
            self._pending = False
        if frame is self._current:
            return
        self._current = frame
        if frame is not None:
            self.painted += 1
        self._renderer.set_frame(frame)
        if frame is not None and self.painted == 1:
            self.firstFrame.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Mouse input on the renderer counts as input on the view."""
        if watched is self._render_widget:
            kind = event.type()
            if kind == QEvent.Type.Wheel and isinstance(event, QWheelEvent):
                self.wheelEvent(event)
                return True
            if kind == QEvent.Type.MouseButtonDblClick and isinstance(event, QMouseEvent):
                self.mouseDoubleClickEvent(event)
                return event.isAccepted()
            if kind == QEvent.Type.MouseMove:
                self.mouseMoved.emit()
        return super().eventFilter(watched, event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.doubleClicked.emit()
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self.mouseMoved.emit()
        super().mouseMoveEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y()
        steps = int(delta / 120) if abs(delta) >= 120 else (1 if delta > 0 else -1 if delta else 0)
        if steps:
            self.wheelSteps.emit(steps)
        event.accept()
