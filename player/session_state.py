"""What one playback session knows, shared by its threads: the fields they
read, how it tells its events, how its threads wait and wake, and the inbox
through which they hand the control loop what changes its state (commands,
worker results: ``commands``). The loop's thread writes the fields a seek
resets; the workers write only what they alone learn (see each field).

Every item the threads pass is tagged with ``serial``: a seek raises it, and
whatever was tagged before is dropped where it is met, so no thread is ever
stopped for a seek.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from .capabilities import Adaptive, Live, Tracks
from .clock import Clock, PlaybackClock
from .commands import EdgeWanted, Failed, Inbox, Message, NonFatal, Notice
from .config import OpenOptions, PlayerConfig
from .decode import AudioDecoder, VideoDecoder
from .errors import ErrorCode, PlayerError, error_for
from .events import (
    ErrorOccurred,
    Event,
    MediaInfo,
    PlayerState,
    Reconnected,
    Reconnecting,
    StateChanged,
    VariantSwitched,
    WarningRaised,
)
from .latency import PacketWallClock
from .levels import Levels
from .metrics import SessionMetrics
from .queues import MediaQueue
from .redact import redact
from .source_api import DemuxPacket, Source, SourceInfo
from .sources import Target
from .video_sink import UnpaintedCount, VideoFrame, VideoSink
from .warning_text import WarningCode

if TYPE_CHECKING:
    # only named here: the output itself comes from the pool or from
    # session_clocks, so a start without audio never imports PortAudio's side
    from .audio_out import AudioDevicePool, SoundDeviceOutput
    from .hls.head_start import HeadStart

__all__ = ["SessionState"]

#: segment faults the timeline lists one by one (a count and a list in the report)
_EVERY_TIME = frozenset(
    {
        WarningCode.SEGMENT_SKIPPED,
        WarningCode.AUDIO_SEGMENT_SKIPPED,
        WarningCode.SLOW_SEGMENT,
        WarningCode.SEGMENT_RESUMED,
    }
)


class SessionState:
    """The session's fields, events and waits; ``Session`` adds the threads
    and the commands."""

    def __init__(
        self,
        url: str,
        options: OpenOptions | None,
        config: PlayerConfig,
        clock: Clock,
        sink: VideoSink | None,
        emit: Callable[[Event], None],
        levels: Levels,
        audio_pool: AudioDevicePool | None = None,
        opened_at: float | None = None,
    ) -> None:
        """``opened_at``: when the open was asked for, on ``clock`` (the
        session's time counts from there); now, by default."""
        self.url = url
        self.audio_pool = audio_pool
        self.options = options or OpenOptions()
        self.config = config.with_options(options)
        self.clock = clock
        self.sink = sink
        #: the window's count of frames it never painted, when this session began
        counted: object = sink  # widened: mypy cannot meet two protocols
        self.unpainted_from: int | None = (
            counted.not_painted if isinstance(counted, UnpaintedCount) else None
        )
        self._emit_raw = emit
        self.metrics = SessionMetrics(clock)
        self.metrics.start(redact(url), opened_at)
        self.stopping = threading.Event()
        self.lock = threading.RLock()
        self._wake = threading.Condition(threading.Lock())
        #: counts ``wake()`` calls: a wait ends at the next one
        self._wakes = 0
        self.serial = 0
        self.drop_before: float | None = None
        #: the Player's volume, mute and chosen speed (read, never copied)
        self.levels = levels
        self.speed = levels.speed  # the rate playing now: catch-up moves it
        self.state = PlayerState.IDLE
        self.want_play = not self.options.start_paused
        self.info: SourceInfo | None = None
        self.media: MediaInfo | None = None
        self.source: Source | None = None
        self.target: Target | None = None
        #: the first playlist's request, made as the open began (taken by
        #: the first source; closed by ``stop`` if none took it)
        self.head_start: HeadStart | None = None
        self.sysclock = PlaybackClock(clock)
        # a speed chosen before the open: the system clock (the master without
        # sound) runs at it from the start, not from the next change
        self.sysclock.set_speed(self.speed)
        self.audio: SoundDeviceOutput | None = None
        bcfg = self.config.buffer
        self.video_packets: MediaQueue[DemuxPacket] = MediaQueue(
            bcfg.max_seconds, bcfg.max_bytes // 2, clock=clock, name="video-packets"
        )
        self.audio_packets: MediaQueue[DemuxPacket] = MediaQueue(
            bcfg.max_seconds, bcfg.max_bytes // 4, clock=clock, name="audio-packets"
        )
        self.frames: MediaQueue[VideoFrame] = MediaQueue(
            bcfg.max_decoded_video_seconds,
            256 * 1024 * 1024,
            max_items=12,
            clock=clock,
            name="frames",
        )
        #: commands and worker results, for the control loop to apply
        self.inbox = Inbox(clock)
        # Who writes: the loop's thread (L), from its commands and the
        # workers' results, unless marked demux (D) or presenter (P).
        #: D, per packet, under ``lock`` and only for the current serial; L resets it
        self.demuxed_end: dict[str, float] = {}
        self.wallclock = PacketWallClock()
        #: L (``InputEnded``)
        self.demux_eos = False
        #: L (``InputEnded``): a fatal source error held back while what was
        #: read before it plays out
        self.pending_error: PlayerError | None = None
        #: L (``VideoEnded``)
        self.video_done = False
        self.audio_done = False
        #: L (``AudioEnded``)
        self.audio_eos_serial = -1
        #: L (``PrerollShown``, a seek)
        self.preroll = True
        self.rebuffering = False
        #: P
        self.last_shown_pts: float | None = None
        self.last_shown_at = 0.0
        #: L adds one (``FrameStep``) and takes one per frame the presenter
        #: stepped to (``FrameStepped``), which P waits for before it looks again
        self.step_requests = 0
        #: L (a seek, a catch-up jump, the presenter's ``EdgeJump``)
        self.skip_before: float | None = None
        #: D, as ``demuxed_end``: the newest video packet's pts (the live
        #: edge for ``edge_jump``)
        self.newest_video_pts: float | None = None
        #: L sets it (the demux thread's ``EdgeWanted`` after an open or a
        #: reconnect; at the open, before the loop runs, D itself) and clears
        #: it (the presenter's ``EdgeReached``, a seek): the next frame shown
        #: is the newest received (see ``edge_jump``); under ``lock``
        self.edge_jump_pending = False
        #: L (as ``edge_jump_pending``) counts the edge-jump requests: an
        #: ``EdgeReached`` ends only the one it reached, not one a reconnect made since
        self.edge_jumps = 0
        #: until this clock time a starved output is a jump's refill, not a
        #: stall: L (a catch-up's jump, the presenter's ``EdgeJump``)
        self.quiet_refill_until: float | None = None
        #: L sets it (a seek), D takes it and carries it out; under ``lock``
        self.pending_seek: tuple[float, bool] | None = None
        self.seek_target: float | None = None
        self.start_pts: float | None = None
        self.threads: list[threading.Thread] = []
        self.decoders: list[VideoDecoder | AudioDecoder] = []
        self._decode_error_reported = 0.0
        #: the player's subtitles for a local file (None: the source's own)
        self.text_source: Callable[[float], str | None] | None = None
        #: whether ``text_source`` has a track selected (None: ask it every tick)
        self.text_selected: Callable[[], bool] | None = None
        #: mpv's sub-delay: subtitles show this much later
        self.subtitle_delay = 0.0
        self.max_resolution: tuple[int | None, int | None] = (None, None)
        self.pin_height: int | None = None

    # ------------------------------------------------------------------ events
    def emit(self, event: Event) -> None:
        """Tells the listeners now, on this thread: the loop's own events (and
        the caller's, or the starting threads', where no loop runs). A
        worker's thread uses ``notify``."""
        if self.stopping.is_set() and not isinstance(event, StateChanged):
            return
        object.__setattr__(event, "t", round(self.metrics.t(), 4))
        self.tell(event)

    def notify(self, event: Event) -> None:
        """A worker thread's event (the demux and decode threads, a source's
        own threads, the subtitle listing): stamped now and handed to the
        control loop, which tells it (``Notice``); the listeners hear the
        session from the loop's thread, in the order each thread posted.
        Where no loop runs elsewhere to take it (before it starts, after it
        ends) or on the loop's own thread, told at once, as ``emit`` does."""
        if self.stopping.is_set() and not isinstance(event, StateChanged):
            return
        object.__setattr__(event, "t", round(self.metrics.t(), 4))
        if self.inbox.post_to_loop(Notice(event)) is not None:
            self.wake()
            return
        self.tell(event)

    def tell(self, event: Event) -> None:
        """The listeners hear ``event``, stamped already, and the report
        takes what it keeps of it (``emit``, or the loop for a ``Notice``)."""
        if isinstance(event, VariantSwitched):
            self.metrics.on_event(
                "switch",
                from_index=event.from_index,
                to_index=event.to_index,
                bandwidth=event.bandwidth,
                estimate_bps=round(event.estimate_bps),
                estimate_measured=event.estimate_measured,
                buffer=round(event.buffer, 3),
                rule=event.rule,
                reason=event.reason,
            )
        elif isinstance(event, Reconnecting):
            # From the engine's own loop or from a source that retries itself (HLS)
            self.metrics.on_event("reconnecting", attempt=event.attempt, reason=event.reason)
        elif isinstance(event, Reconnected):
            self.metrics.reconnects += 1
            self.metrics.on_event(
                "reconnected", attempt=event.attempt, outage=round(event.outage, 3)
            )
        elif isinstance(event, WarningRaised) and event.code not in {
            w["code"] for w in self.metrics.warnings
        }:
            self.metrics.on_warning(
                event.code, event.message, event.reason_code, event.reason_params
            )
        elif isinstance(event, WarningRaised) and event.code in _EVERY_TIME:
            # warnings[] keeps the first of a kind; the timeline lists each one
            self.metrics.on_event("warning", code=event.code, message=event.message)
        self._emit_raw(event)

    def set_state(self, state: PlayerState) -> None:
        """The state machine's one door. Once the control loop runs, only its
        thread passes it (commands, worker results and failures are messages
        it applies). Before, the loop cannot run yet, and the two states
        that come first are set where they happen: OPENING by ``start`` on
        the caller's thread (the loop needs what the open finds: live or
        not, which streams, and its audio output), and the first BUFFERING
        by the demux thread as it starts the pipeline (the presenter may
        show the first picture before the loop starts, while the audio
        device opens, and BUFFERING comes before it). No other thread,
        and none once the loop runs: checked here."""
        assert self.inbox.writable_here(), (
            f"state {state.value} set on {threading.current_thread().name}, "
            "not on the control loop's thread"
        )
        with self.lock:
            previous = self.state
            if previous == state:
                return
            self.state = state
        self.metrics.on_play_state(state == PlayerState.PLAYING)
        self.metrics.on_event("state", state=state.value)
        self.emit(StateChanged(state=state, previous=previous))

    def error(self, exc: BaseException, fatal: bool) -> None:
        if not isinstance(exc, PlayerError):
            exc = error_for(ErrorCode.INTERNAL, detail=str(exc) or exc.__class__.__name__)
        kind = exc.kind
        message = redact(exc.text)
        params = tuple((name, redact(value)) for name, value in exc.params.items())
        self.metrics.on_error(kind, message, fatal, exc.code)
        self.emit(
            ErrorOccurred(kind=kind, message=message, fatal=fatal, code=exc.code, params=params)
        )
        if fatal:
            self.set_state(PlayerState.ERROR)
            self.stopping.set()
            self.wake()

    def warn(self, code: WarningCode, /, **params: object) -> None:
        """A warning, from any thread: told by the loop where one runs
        elsewhere (``notify``)."""
        self.notify(WarningRaised.of(code, params))

    def report_error(self, exc: BaseException) -> None:
        """A worker's non-fatal error (corrupt data, a failed seek): handed to
        the control loop, which reports it (``NonFatal``: the report's
        errors, ``ErrorOccurred``); at once where no loop runs elsewhere."""
        if self.inbox.post_to_loop(NonFatal(exc)) is not None:
            self.wake()
            return
        self.error(exc, fatal=False)

    def fail_from_thread(self, exc: BaseException) -> None:
        """A worker's fatal error: posted to the control loop, which applies
        it (``error``: the event, the report's errors, state ERROR, the
        stop), so no worker changes ``state``. Where no loop runs to take it
        (the source still opening, the loop ended or crashed) or on the
        loop's own thread, it is applied here at once, as the loop would."""
        if self.inbox.post_to_loop(Failed(exc)) is not None:
            self.wake()
            return
        self.error(exc, fatal=True)

    @property
    def user_speed(self) -> float:
        """The speed the user chose; ``speed`` is what plays now."""
        return self.levels.speed

    def wake(self) -> None:
        with self._wake:
            self._wakes += 1
            self._wake.notify_all()
        self.frames.wake()

    def wait(self, timeout: float) -> None:
        """Until the next ``wake()`` or ``timeout`` seconds of the clock (at
        once once the session stops: a stop that came between a thread's last
        look at ``stopping`` and this wait is not missed)."""
        with self._wake:
            seen = self._wakes
            self.clock.wait_for(
                self._wake, lambda: self._wakes != seen or self.stopping.is_set(), timeout
            )

    def wait_until(self, ready: Callable[[], bool], timeout: float) -> bool:
        """Until ``ready()`` holds (looked at on every ``wake()``), the
        session stops, or ``timeout`` seconds of the clock; whether it is
        ready or stopping. A wake that came before the wait is not missed."""
        with self._wake:
            return self.clock.wait_for(
                self._wake, lambda: ready() or self.stopping.is_set(), timeout
            )

    def want_edge_jump(self, wanted: bool) -> None:
        """The demux thread (an open, a reconnect): whether the next frame
        shown is the newest received; a new request, numbered by the loop
        (``EdgeWanted``). Returns once it is in effect: the new connection's
        packets are read only then, so none of its frames is shown before the
        presenter knows to jump over them. Where no loop runs (the open: the
        loop starts only once the source is open and its start is done;
        see ``Session.start``) it is applied here, on the one thread that
        then writes the session."""
        number = self.inbox.post_to_loop(EdgeWanted(wanted))
        if number is None:
            self.edge_wanted(wanted)
            return
        self.wake()
        self.inbox.wait_applied(number, self.stopping)

    def edge_wanted(self, wanted: bool) -> None:
        """The loop's part of ``want_edge_jump`` (or the demux thread's,
        before the loop runs): a new edge-jump request, numbered."""
        with self.lock:
            self.edge_jumps += 1
            self.edge_jump_pending = wanted

    def pause_unless_stopping(self, seconds: float) -> bool:
        """Waits ``seconds`` of the clock, or less if the session stops
        (``stop`` and a fatal error wake it); True if it stopped."""
        with self._wake:
            return self.clock.wait_for(self._wake, self.stopping.is_set, seconds)

    def post(self, message: Message) -> int:
        """Hands ``message`` to the control loop (and wakes it); returns
        its number in the inbox. Never changes a field itself."""
        number = self.inbox.post(message)
        self.wake()
        return number

    # ------------------------------------------------------------------ capabilities
    # The source's optional capabilities, typed; None without one (or no source).

    def adaptive(self) -> Adaptive | None:
        src = self.source
        # narrowed from Source first: mypy cannot narrow an Optional to a protocol
        if src is None or not isinstance(src, Adaptive):
            return None
        return src

    def live(self) -> Live | None:
        src = self.source
        # narrowed from Source first: mypy cannot narrow an Optional to a protocol
        if src is None or not isinstance(src, Live):
            return None
        return src

    def tracks(self) -> Tracks | None:
        src = self.source
        # narrowed from Source first: mypy cannot narrow an Optional to a protocol
        if src is None or not isinstance(src, Tracks):
            return None
        return src
