"""The one place engine events enter Qt.

``Player.subscribe`` calls us on engine threads; we only emit a signal carrying
the event, which Qt queues to the GUI thread, where it is dispatched to typed
signals. Commands go the other way through ``bridge.player`` (every Player
method is thread-safe and non-blocking).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt, Signal, Slot

from player import events as ev
from player.capabilities import TimelineEntry
from player.config import OpenOptions
from player.events import MediaInfo, PlayerState
from player.stats import SessionStats
from player.video_sink import VideoSink

__all__ = ["PlayerBridge", "PlayerLike"]


class PlayerLike(Protocol):
    """The part of ``player.Player`` (docs/api.md) the window uses."""

    def subscribe(self, callback: Callable[[ev.Event], None]) -> Callable[[], None]: ...
    def open(self, url: str, options: OpenOptions | None = None) -> None: ...
    def play(self) -> None: ...
    def pause(self) -> None: ...
    def toggle_pause(self) -> None: ...
    def seek(self, position_s: float, *, exact: bool = False) -> None: ...
    def seek_relative(self, delta_s: float, *, exact: bool = False) -> None: ...
    def frame_step(self) -> None: ...
    def frame_back_step(self) -> None: ...
    def stop(self) -> None: ...
    def close(self) -> None: ...
    def set_volume(self, v: float) -> None: ...
    def set_muted(self, m: bool) -> None: ...
    def set_speed(self, s: float) -> None: ...
    def select_variant(self, index: int | None) -> None: ...
    def set_video_sink(self, sink: VideoSink | None) -> None: ...
    @property
    def state(self) -> PlayerState: ...
    @property
    def position(self) -> float | None: ...
    @property
    def duration(self) -> float | None: ...
    @property
    def media_info(self) -> MediaInfo | None: ...
    @property
    def volume(self) -> float: ...
    @property
    def muted(self) -> bool: ...
    @property
    def speed(self) -> float: ...
    def buffered_until(self) -> float | None: ...
    def live_latency(self) -> float | None: ...
    def seek_to_live(self) -> None: ...
    def stats(self) -> SessionStats: ...
    def report(self) -> dict[str, object]: ...
    def abr_timeline(self) -> list[TimelineEntry]: ...
    def set_max_resolution(self, width: int | None, height: int | None) -> None: ...
    def select_audio_track(self, index: int | None) -> None: ...
    def select_subtitle_track(self, index: int | None) -> None: ...
    def load_subtitles(self, path: str) -> None: ...
    def set_subtitle_delay(self, seconds: float) -> None: ...
    @property
    def subtitle_delay(self) -> float: ...


class PlayerBridge(QObject):
    stateChanged = Signal(object)  # ev.StateChanged
    mediaOpened = Signal(object)  # MediaInfo (MediaOpened and TracksChanged)
    bufferingChanged = Signal(object)  # ev.BufferingChanged
    errorOccurred = Signal(object)  # ev.ErrorOccurred
    warningRaised = Signal(object)  # ev.WarningRaised
    reconnecting = Signal(object)  # ev.Reconnecting
    reconnected = Signal(object)  # ev.Reconnected
    seekCompleted = Signal(float)
    endOfStream = Signal()
    variantSwitched = Signal(object)  # ev.VariantSwitched
    statsUpdated = Signal(object)  # SessionStats
    subtitleChanged = Signal(object)  # str | None
    #: every event, after the typed signal (the ABR panel and timeline export listen here)
    anyEvent = Signal(object)

    _incoming = Signal(object)

    def __init__(self, player: PlayerLike, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.player = player
        self._incoming.connect(self._dispatch, Qt.ConnectionType.QueuedConnection)
        self._unsubscribe: Callable[[], None] | None = player.subscribe(self._on_engine_event)

    def _on_engine_event(self, event: ev.Event) -> None:  # engine thread
        self._incoming.emit(event)

    def detach(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    @Slot(object)
    def _dispatch(self, event: Any) -> None:  # GUI thread
        if isinstance(event, ev.StateChanged):
            self.stateChanged.emit(event)
        elif isinstance(event, ev.MediaOpened | ev.TracksChanged):
            self.mediaOpened.emit(event.info)
        elif isinstance(event, ev.BufferingChanged):
            self.bufferingChanged.emit(event)
        elif isinstance(event, ev.ErrorOccurred):
            self.errorOccurred.emit(event)
        elif isinstance(event, ev.WarningRaised):
            self.warningRaised.emit(event)
        elif isinstance(event, ev.Reconnecting):
            self.reconnecting.emit(event)
        elif isinstance(event, ev.Reconnected):
            self.reconnected.emit(event)
        elif isinstance(event, ev.SeekCompleted):
            self.seekCompleted.emit(float(event.position))
        elif isinstance(event, ev.EndOfStream):
            self.endOfStream.emit()
        elif isinstance(event, ev.VariantSwitched):
            self.variantSwitched.emit(event)
        elif isinstance(event, ev.StatsUpdated):
            self.statsUpdated.emit(event.stats)
        elif isinstance(event, ev.SubtitleChanged):
            self.subtitleChanged.emit(event.text)
        self.anyEvent.emit(event)
