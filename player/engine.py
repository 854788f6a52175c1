"""One playback session: the demux thread, the decode threads, the presenter,
the audio output and the control loop that owns the state machine.

Threads talk through bounded queues and a few flags; every item is tagged with
the session's ``serial`` so a seek never has to stop a thread.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from .audio_out import AudioDevicePool, SoundDeviceOutput, open_audio_output
from .capabilities import Adaptive, DecodesVideo, Live, PositionAware, Tracks
from .clock import Clock, PlaybackClock
from .config import OpenOptions, PlayerConfig
from .decode import AudioDecoder, VideoDecoder
from .errors import ErrorCode, PlayerError, UnsupportedError, error_for
from .events import (
    BufferingChanged,
    EndOfStream,
    ErrorOccurred,
    Event,
    MediaInfo,
    MediaOpened,
    PlayerState,
    Reconnected,
    Reconnecting,
    SeekCompleted,
    StateChanged,
    StatsUpdated,
    SubtitleChanged,
    VariantSwitched,
    WarningRaised,
)
from .frame_drop import FrameDropPolicy
from .latency import PacketWallClock, session_latency
from .load_control import (
    CatchUpAction,
    LoadControl,
    LowWater,
    catch_up,
    live_rate,
    recover_latency,
)
from .metrics import SessionMetrics
from .queues import EOS, MediaQueue, QueueItem
from .redact import redact
from .source import DemuxPacket, Source, SourceInfo
from .sources import Target, make_source
from .sources.urls import classify
from .sync import SyncAction, decide_frame
from .video_sink import UnpaintedCount, VideoFrame, VideoSink
from .warning_text import WarningCode

__all__ = ["Session"]

log = logging.getLogger(__name__)

#: segment faults the timeline lists one by one (a count and a list in the report)
_EVERY_TIME = frozenset(
    {
        WarningCode.SEGMENT_SKIPPED,
        WarningCode.AUDIO_SEGMENT_SKIPPED,
        WarningCode.SLOW_SEGMENT,
        WarningCode.SEGMENT_RESUMED,
    }
)

_TICK = 0.02
#: live protocols whose packets come at the pace they are made, and which
#: publish no target latency of their own (HLS does: HOLD-BACK)
_PACED_LIVE = frozenset({"rtsp", "rtsps", "rtmp", "rtmps"})
#: playback rate while winning back latency after a stall (atempo keeps pitch)
_RECOVER_SPEED = 1.1
#: HLS: latency over its target by more than this is won back at once (less
#: is steered gently, as before)
_WIN_BACK_FROM = 0.15
_STATS_PERIOD = 1.0


class Session:
    """Plays one URL. Created and driven by ``Player``; all public methods are
    thread-safe and return promptly."""

    def __init__(
        self,
        url: str,
        options: OpenOptions | None,
        config: PlayerConfig,
        clock: Clock,
        sink: VideoSink | None,
        emit: Callable[[Event], None],
        volume: float,
        muted: bool,
        speed: float,
        audio_pool: AudioDevicePool | None = None,
    ) -> None:
        self.url = url
        self.audio_pool = audio_pool
        self.options = options or OpenOptions()
        self.config = config.with_options(options)
        self.clock = clock
        self.sink = sink
        #: the window's count of frames it never painted, when this session began
        counted: object = sink  # widened: mypy cannot meet two protocols
        self._unpainted_from: int | None = (
            counted.not_painted if isinstance(counted, UnpaintedCount) else None
        )
        self._emit_raw = emit
        self.metrics = SessionMetrics(clock)
        self.metrics.start(redact(url))
        self.stopping = threading.Event()
        self._lock = threading.RLock()
        self._wake = threading.Condition(threading.Lock())
        #: counts ``wake()`` calls: a wait ends at the next one
        self._wakes = 0
        self.serial = 0
        self.drop_before: float | None = None
        self.speed = speed
        self.user_speed = speed
        self.volume = volume
        self.muted = muted
        self.state = PlayerState.IDLE
        self.want_play = not self.options.start_paused
        self.info: SourceInfo | None = None
        self.media: MediaInfo | None = None
        self.source: Source | None = None
        self.target: Target | None = None
        self.sysclock = PlaybackClock(clock)
        self.audio: SoundDeviceOutput | None = None
        bcfg = self.config.buffer
        self.video_packets: MediaQueue[DemuxPacket] = MediaQueue(
            bcfg.max_seconds, bcfg.max_bytes // 2, name="video-packets"
        )
        self.audio_packets: MediaQueue[DemuxPacket] = MediaQueue(
            bcfg.max_seconds, bcfg.max_bytes // 4, name="audio-packets"
        )
        self.frames: MediaQueue[VideoFrame] = MediaQueue(
            bcfg.max_decoded_video_seconds, 256 * 1024 * 1024, max_items=12, name="frames"
        )
        self.demuxed_end: dict[str, float] = {}
        self.wallclock = PacketWallClock()
        self.demux_eos = False
        #: a fatal source error held back while what was read before it plays out
        self.pending_error: PlayerError | None = None
        self.video_done = False
        self.audio_done = False
        self.audio_eos_serial = -1
        self.preroll = True
        self.rebuffering = False
        self.last_shown_pts: float | None = None
        self.last_shown_at = 0.0
        self.step_requests = 0
        self.skip_before: float | None = None
        self.pending_seek: tuple[float, bool] | None = None
        self.seek_target: float | None = None
        self.start_pts: float | None = None
        self._threads: list[threading.Thread] = []
        self._decoders: list[VideoDecoder | AudioDecoder] = []
        self._decode_error_reported = 0.0
        self._subtitle: str | None = None
        #: the player's subtitles for a local file (None: the source's own)
        self.text_source: Callable[[float], str | None] | None = None
        #: mpv's sub-delay: subtitles show this much later
        self.subtitle_delay = 0.0
        #: live latency (HLS) before the last stall, and while playing normally
        self._stall_baseline: float | None = None
        self._latency_before: float | None = None
        self.max_resolution: tuple[int | None, int | None] = (None, None)
        self.pin_height: int | None = None

    # ------------------------------------------------------------------ events
    def emit(self, event: Event) -> None:
        if self.stopping.is_set() and not isinstance(event, StateChanged):
            return
        object.__setattr__(event, "t", round(self.metrics.t(), 4))
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
            self.metrics.on_warning(event.code, event.message)
        elif isinstance(event, WarningRaised) and event.code in _EVERY_TIME:
            # warnings[] keeps the first of a kind; the timeline lists each one
            self.metrics.on_event("warning", code=event.code, message=event.message)
        self._emit_raw(event)

    def set_state(self, state: PlayerState) -> None:
        with self._lock:
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
        self.emit(WarningRaised.of(code, params))

    def fail_from_thread(self, exc: BaseException) -> None:
        self.error(exc, fatal=True)

    def on_decode_error(self, kind: str, exc: BaseException) -> None:
        self.metrics.decode_errors += 1
        now = self.clock.now()
        # One message per burst of corrupt data, not one per packet.
        if now - self._decode_error_reported > 2.0:
            self._decode_error_reported = now
            pos = self.position()
            code = ErrorCode.CORRUPT_AUDIO if kind == "audio" else ErrorCode.CORRUPT_VIDEO
            where = f"{pos:.1f}" if pos is not None else "?"
            self.error(error_for(code, position=where), fatal=False)

    def wake(self) -> None:
        with self._wake:
            self._wakes += 1
            self._wake.notify_all()
        self.frames.wake()

    def _wait(self, timeout: float) -> None:
        """Until the next ``wake()`` or ``timeout`` seconds of the clock."""
        with self._wake:
            seen = self._wakes
            self.clock.wait_for(self._wake, lambda: self._wakes != seen, timeout)

    # ------------------------------------------------------------------ start/stop
    def start(self) -> None:
        self.set_state(PlayerState.OPENING)
        demux = threading.Thread(target=self._demux_main, name="heureum-demux", daemon=True)
        self._threads.append(demux)
        demux.start()

    def stop(self, join_timeout: float = 0.8) -> None:
        """Ends every thread. Returns within about ``join_timeout`` even when a
        thread is blocked on a dead server: that thread ends on its read timeout
        and closes its own container (only the reading thread may close it)."""
        self.stopping.set()
        for q in (self.video_packets, self.audio_packets, self.frames):
            q.close()
        if self.source is not None:
            self.source.interrupt()
        self.wake()
        deadline = self.clock.now() + join_timeout
        for t in self._threads:
            if t is threading.current_thread():
                continue
            t.join(max(0.0, deadline - self.clock.now()))
        if self.audio is not None:
            if self.audio_pool is not None:
                self.audio_pool.release(self.audio)
            else:
                self.audio.close()
        if self.sink is not None:
            self.sink.clear()

    # ------------------------------------------------------------------ demux thread
    def _demux_main(self) -> None:
        source: Source | None = None
        try:
            self.target = classify(self.url)
            source = self._open_source(self.target)
            if source is None:
                return
            self._start_pipeline()
            source = self._demux_loop(source)
        except PlayerError as exc:
            if not self.stopping.is_set():
                self.error(exc, fatal=True)
        except Exception as exc:
            log.exception("demux thread crashed")
            if not self.stopping.is_set():
                self.error(exc, fatal=True)
        finally:
            if source is not None:
                source.close()

    def _make_source(self, target: Target) -> Source:
        source = make_source(target, self.config, self.clock, self.emit)
        if self.max_resolution != (None, None) and isinstance(source, Adaptive):
            source.set_max_resolution(*self.max_resolution)
        if self.pin_height is not None and isinstance(source, Adaptive):
            source.pin_height(self.pin_height)
        if isinstance(source, Adaptive):
            if self.options.max_height is not None:
                source.pin_height(self.options.max_height)
            if self.options.variant is not None:
                source.pin_variant(self.options.variant)
            if isinstance(source, Tracks):
                # HLS takes --aid/--sid before it opens, so its first segments
                # are of those renditions (it warns of one it lacks itself)
                aid, sid = self.options.audio_track, self.options.subtitle_track
                if isinstance(aid, int):
                    source.select_audio_track(aid)
                if sid == "no":
                    source.select_subtitle_track(None)
                elif isinstance(sid, int) and self.text_source is None:
                    source.select_subtitle_track(sid)
        self.source = source
        return source

    def _open_source(self, target: Target) -> Source | None:
        source = self._make_source(target)
        try:
            try:
                info = source.open()
            except UnsupportedError as exc:
                if str(exc) != "hls-redirect":
                    raise
                # A URL without .m3u8 that turned out to be HLS: our engine plays it.
                source.close()
                target = Target(target.url, target.scheme, "hls", target.display)
                self.target = target
                source = self._make_source(target)
                info = source.open()
        except BaseException:
            # A source that failed to open still holds connections and threads.
            source.close()
            raise
        if self.stopping.is_set():
            source.close()
            return None
        self.info = info
        self.media = info.media
        if not isinstance(source, Adaptive) and (
            self.options.variant is not None or self.options.max_height is not None
        ):
            # a file's or a camera's one picture: nothing to pin, it plays
            self.warn(WarningCode.NO_VARIANTS)
        self._choose_tracks(source, info.media)
        self.metrics.protocol = info.media.protocol
        self.metrics.container = info.media.container
        self.emit(MediaOpened(info=info.media))
        return source

    def _choose_tracks(self, source: Source, media: MediaInfo) -> None:
        """mpv's --aid/--sid: the tracks asked for, where the source has them
        (a file's own subtitles are the player's: ``Player.open`` picks those;
        an adaptive source took them before it opened)."""
        if isinstance(source, Adaptive):
            return
        tracks = source if isinstance(source, Tracks) else None
        aid = self.options.audio_track
        if isinstance(aid, int):
            count = len(media.audio_tracks) or (1 if media.audio is not None else 0)
            if aid >= count:
                self.warn(WarningCode.NO_SUCH_AUDIO_TRACK, number=aid + 1, count=count)
            elif tracks is not None and media.audio_tracks:
                try:
                    tracks.select_audio_track(aid)
                except ValueError:  # the source knows better than its MediaInfo
                    self.warn(WarningCode.NO_SUCH_AUDIO_TRACK, number=aid + 1, count=count)
        sid = self.options.subtitle_track
        if sid == "auto" or self.text_source is not None:
            return
        if sid == "no":
            if tracks is not None:
                tracks.select_subtitle_track(None)
        elif sid >= len(media.subtitle_tracks):
            count = len(media.subtitle_tracks)
            self.warn(WarningCode.NO_SUCH_SUBTITLE_TRACK, number=sid + 1, count=count)
        elif tracks is not None:
            try:
                tracks.select_subtitle_track(sid)
            except ValueError:
                count = len(media.subtitle_tracks)
                self.warn(WarningCode.NO_SUCH_SUBTITLE_TRACK, number=sid + 1, count=count)

    def _start_pipeline(self) -> None:
        assert self.info is not None
        info = self.info
        if info.audio is not None:
            bcfg = self.config.buffer
            seconds = bcfg.max_decoded_audio_seconds
            wanted = self.config.audio.enabled and self.options.audio_track != "no"
            if not wanted:
                out, reason = None, None
            elif self.audio_pool is not None:
                out, reason = self.audio_pool.acquire(seconds)
            else:
                out, reason = open_audio_output(self.config.audio, self.clock, seconds)
            if out is None:
                if wanted:
                    self.warn(WarningCode.NO_AUDIO_OUTPUT, reason=reason or "no output")
            else:
                self.audio = out
                out.on_underrun = self.metrics.on_audio_underrun
                out.volume = self.volume
                out.muted = self.muted
                self.metrics.extra["audio"] = {
                    "device": out.device_name,
                    "sample_rate": out.rate,
                    "latency_s": round(out.latency, 4),
                    "latency_source": out.latency_source,
                }
        if info.video is not None:
            sync = self.config.sync
            # Half the presenter's threshold: a frame kept late at decode is
            # shown later still, and its offset must stay inside +-45 ms.
            drops = (
                FrameDropPolicy(late=sync.late_drop_threshold / 2)
                if sync.decoder_framedrop and not sync.untimed
                else None
            )
            vdec = VideoDecoder(self, self.video_packets, self.frames, drops)
            self._threads.append(vdec)
            self._decoders.append(vdec)
            vdec.start()
            presenter = threading.Thread(
                target=self._present_main, name="heureum-present", daemon=True
            )
            self._threads.append(presenter)
            presenter.start()
        if self.audio is not None:
            adec = AudioDecoder(self, self.audio_packets, self.audio.buffer, self._on_audio_eos)
            self._threads.append(adec)
            self._decoders.append(adec)
            adec.start()
        control = threading.Thread(target=self._control_main, name="heureum-control", daemon=True)
        self._threads.append(control)
        self.set_state(PlayerState.BUFFERING)
        self.emit(BufferingChanged(buffering=True, buffered=0.0, percent=0.0, rebuffer=False))
        self.metrics.on_stall_start()
        control.start()

    def _demux_loop(self, source: Source) -> Source:
        start = self.options.start_position
        if start:
            self.seek(start, exact=False)
        rebase = 0.0
        while not self.stopping.is_set():
            with self._lock:
                request, self.pending_seek = self.pending_seek, None
            if request is not None:
                try:
                    with contextlib.ExitStack() as guard:
                        for decoder in self._decoders:
                            guard.enter_context(decoder.codec_lock)
                        source.seek(request[0], request[1])
                except PlayerError as exc:
                    self.error(exc, fatal=False)
                self.demux_eos = False
            if self.demux_eos:
                self._wait(0.1)
                continue
            serial = self.serial
            try:
                pkt = source.read()
            except PlayerError as exc:
                if self.stopping.is_set():
                    break
                # HLS retries and rejoins on its own; reconnecting would replay
                # a stalled playlist's window forever.
                hls = self.target is not None and self.target.family == "hls"
                if source.is_live and self.config.network.reconnect and not hls:
                    end = max(self.demuxed_end.values(), default=0.0)
                    new = self._reconnect(source, str(exc))
                    if new is None:
                        break
                    source = new
                    rebase = end
                    continue
                if not self.demuxed_end:
                    raise  # nothing read: nothing to play out
                # as mpv does: what was read before the error plays out, then
                # the error ends the session (_finish)
                log.info("source failed; playing out what was read: %s", redact(str(exc)))
                self.pending_error = exc
                self._send_eos(serial)
                continue
            if pkt is None:
                if (
                    source.is_live
                    and self.config.network.reconnect
                    and self.info is not None
                    and self.info.media.protocol in ("rtsp", "rtsps", "rtmp", "rtmps")
                ):
                    end = max(self.demuxed_end.values(), default=0.0)
                    new = self._reconnect(source, "The server ended the stream.")
                    if new is None:
                        break
                    source = new
                    rebase = end
                    continue
                self._send_eos(serial)
                continue
            if serial != self.serial:
                continue
            if rebase:
                if pkt.pts is not None:
                    pkt.pts += rebase
                if pkt.dts is not None:
                    pkt.dts += rebase
            self._route(pkt, serial)
        return source

    def _route(self, pkt: DemuxPacket, serial: int) -> None:
        kind = pkt.stream.kind
        sel = pkt.stream.selection
        # A file's other audio tracks are read along (a switch plays on at
        # once) but are not what plays: the bitrate counts the selected one.
        heard = sel is None or pkt.stream.track == sel.current()[0]
        self.metrics.on_packet(kind, pkt.size, pkt.pts, heard)
        self.wallclock.on_packet(pkt.pts, pkt.wallclock)
        if kind == "audio" and self.audio is None:
            return
        queue = self.video_packets if kind == "video" else self.audio_packets
        if pkt.pts is not None:
            end = pkt.pts + pkt.duration
            if end > self.demuxed_end.get(kind, float("-inf")):
                self.demuxed_end[kind] = end
        item = QueueItem[DemuxPacket](pkt, serial, pkt.pts, pkt.duration, pkt.size)
        while not self.stopping.is_set() and serial == self.serial:
            if queue.put(item, 0.1):
                return

    def _send_eos(self, serial: int) -> None:
        self.demux_eos = True
        for q in (self.video_packets, self.audio_packets):
            q.put_nowait(QueueItem[DemuxPacket](EOS, serial, None, 0.0, 0))
        self.wake()

    def _reconnect(self, old: Source, reason: str) -> Source | None:
        net = self.config.network
        old.close()
        started = self.clock.now()
        attempt = 0
        delay = net.reconnect_initial_delay
        while not self.stopping.is_set() and attempt < net.reconnect_max_attempts:
            attempt += 1
            self.emit(Reconnecting(attempt=attempt, delay=delay, reason=redact(reason)))
            if self.stopping.wait(delay):
                return None
            assert self.target is not None
            source = self._make_source(self.target)
            try:
                source.open()
            except PlayerError as exc:
                source.close()
                reason = str(exc)
                delay = min(net.reconnect_max_delay, delay * 2)
                continue
            outage = self.clock.now() - started
            self.emit(Reconnected(attempt=attempt, outage=outage))
            return source
        if not self.stopping.is_set():
            self.error(
                error_for(ErrorCode.RECONNECT_FAILED, attempts=attempt, reason=redact(reason)),
                fatal=True,
            )
        return None

    # ------------------------------------------------------------------ clocks
    def position(self) -> float | None:
        if self.audio is not None and not self.audio_done and self.audio.playing:
            pos = self.audio.position()
            if pos is not None:
                self.sysclock.set(pos)
                return pos
        if self.start_pts is None:
            return self.seek_target
        return self.sysclock.position()

    def reported_position(self) -> float | None:
        """The position callers see: the master clock, but never past a
        file's duration (a clock that ran a tick past the last frame before
        the end was noticed, or a stream a little longer than its header)."""
        pos = self.position()
        media = self.media
        if pos is None or media is None or media.is_live or not media.duration:
            return pos
        return min(pos, media.duration)

    def video_lateness(self, pts: float) -> float | None:
        """For the video decoder's frame dropping: how far the master clock is
        past ``pts``; None while frames are not timed against it."""
        if (
            self.state != PlayerState.PLAYING
            or self.preroll
            or self.step_requests
            or self.stopping.is_set()
        ):
            return None
        skip = self.skip_before
        if skip is not None and pts < skip:
            return None  # a jump to the live edge drops these (counted as catch-up)
        pos = self.position()
        return None if pos is None else pos - pts

    def _on_audio_eos(self, serial: int) -> None:
        if serial == self.serial:
            self.audio_eos_serial = serial
            self.wake()

    # ------------------------------------------------------------------ presenter thread
    def _present_main(self) -> None:
        try:
            self._present_loop()
        except Exception as exc:
            log.exception("presenter crashed")
            self.fail_from_thread(exc)

    def _present_loop(self) -> None:
        sync = self.config.sync
        while not self.stopping.is_set():
            item = self.frames.peek(0.05)
            if item is None:
                continue
            if item.serial != self.serial:
                self.frames.pop_if(item)
                continue
            if item.value is EOS:
                if not self.video_done:
                    self.video_done = True
                    self.wake()
                self._wait(0.05)
                continue
            frame = item.value
            assert isinstance(frame, VideoFrame)
            if self.preroll:
                self.frames.pop_if(item)
                self._show(frame, None)
                with self._lock:
                    self.preroll = False
                    if self.start_pts is None or self.seek_target is not None:
                        self.start_pts = frame.pts
                        self.sysclock.set(frame.pts)
                        if self.audio is not None:
                            self.audio.set_position(frame.pts)
                            self.audio.buffer.skip_until(frame.pts)
                    if self.seek_target is not None:
                        self.seek_target = None
                        self.emit(SeekCompleted(position=frame.pts))
                self.wake()
                continue
            if self.skip_before is not None and frame.pts < self.skip_before:
                self.frames.pop_if(item)
                self.metrics.on_frames_dropped("catchup")
                continue
            if self.state != PlayerState.PLAYING:
                if self.step_requests > 0:
                    self.frames.pop_if(item)
                    self._show(frame, None)
                    with self._lock:
                        self.step_requests -= 1
                    self._pin_clock(frame.pts)
                    continue
                self._wait(0.05)
                continue
            if sync.untimed:
                self.frames.pop_if(item)
                self._show(frame, None)
                continue
            master = self.position()
            if master is None:
                self._wait(0.005)
                continue
            nxt = self.frames.peek_second()
            next_pts = nxt.pts if nxt is not None and nxt.serial == item.serial else None
            decision = decide_frame(
                frame.pts,
                master,
                speed=self.speed,
                late_threshold=sync.late_drop_threshold,
                resync_threshold=sync.resync_threshold,
                next_pts=next_pts,
                since_last_shown=self.clock.now() - self.last_shown_at,
            )
            if decision.action == SyncAction.WAIT:
                self._wait(min(decision.wait, 0.05))
                continue
            self.frames.pop_if(item)
            if decision.action == SyncAction.DROP:
                self.metrics.on_frames_dropped("late")
                continue
            if decision.action == SyncAction.RESYNC:
                if self.audio is not None and not self.audio_done and self.audio.playing:
                    # Audio defines time: a frame far from it is damaged, not a jump.
                    self.metrics.on_frames_dropped("late")
                    continue
                self._pin_clock(frame.pts, keep_running=True)
                self._show(frame, None)
                continue
            now_master = self.position()
            self._show(frame, (frame.pts - now_master) if now_master is not None else None)

    def _show(self, frame: VideoFrame, av_offset: float | None) -> None:
        # Counted before the sink sees it: whoever stops on the sink's count
        # (``--frames``) then reads a report that has at least as many.
        self.metrics.on_presented(av_offset, (frame.width, frame.height))
        sink = self.sink
        if sink is not None:
            try:
                sink.present(frame)
            except Exception as exc:
                log.warning("video sink failed: %s", exc)
        self.last_shown_pts = frame.pts
        self.last_shown_at = self.clock.now()

    def _pin_clock(self, pts: float, keep_running: bool = False) -> None:
        self.sysclock.set(pts)
        if self.audio is not None:
            self.audio.buffer.skip_until(pts)
            if not keep_running:
                self.audio.set_position(pts)

    # ------------------------------------------------------------------ control thread
    def _control_main(self) -> None:
        try:
            self._control_loop()
        except Exception as exc:
            log.exception("control loop crashed")
            self.fail_from_thread(exc)

    def buffered(self) -> float:
        """Media seconds demuxed ahead of the play position (the smaller of the
        streams that play)."""
        pos = self.position()
        ref = pos if pos is not None else (self.start_pts or 0.0)
        ends = []
        if self.info is not None and self.info.video is not None:
            ends.append(self.demuxed_end.get("video"))
        if self.audio is not None:
            ends.append(self.demuxed_end.get("audio"))
        known = [e for e in ends if e is not None]
        if not known or len(known) < len(ends):
            return 0.0
        return max(0.0, min(known) - ref)

    def _control_loop(self) -> None:
        assert self.info is not None
        live = self.info.media.is_live
        recovers = live and self._recovers_latency()
        lc = LoadControl(self.config.buffer, self.config.latency, live, recovers)
        low_water = LowWater()
        has_video = self.info.video is not None
        has_audio = self.audio is not None
        last_stats = self.clock.now()
        last_percent = -1.0
        last_rate = 0.0
        while not self.stopping.is_set():
            self._wait(_TICK)
            if self.stopping.is_set():
                break
            now_tick = self.clock.now()
            audio_finished = (
                has_audio
                and self.audio_eos_serial == self.serial
                and self.audio is not None
                and self.audio.buffer.seconds == 0
            )
            if audio_finished and not self.audio_done:
                self.audio_done = True
            state = self.state
            buffered = self.buffered()
            eos = self.demux_eos
            # The input's end is no reason to start before the first picture:
            # a short file is read whole before its first frame is decoded,
            # and a clock run then runs ahead of what is shown (and heard).
            ready_at_eos = eos and (not has_video or not self.preroll or self.video_done)
            if state != PlayerState.PLAYING:
                low_water.clear()
            if state == PlayerState.BUFFERING:
                have_frame = (not has_video) or self.last_shown_pts is not None
                if has_video and self.preroll:
                    have_frame = False
                percent = lc.percent(buffered, rebuffer=self.rebuffering)
                if lc.should_start(
                    buffered, rebuffer=self.rebuffering, eos=ready_at_eos, have_frame=have_frame
                ):
                    self._end_buffering(buffered)
                elif abs(percent - last_percent) >= 10:
                    last_percent = percent
                    self.emit(
                        BufferingChanged(
                            buffering=True,
                            buffered=buffered,
                            percent=percent,
                            rebuffer=self.rebuffering,
                        )
                    )
            elif state == PlayerState.PLAYING:
                done = (not has_video or self.video_done) and (not has_audio or self.audio_done)
                if (eos and done) or self._past_end():
                    self._finish()
                    continue
                if not eos and self._starving(has_video, has_audio):
                    self._begin_rebuffer(buffered)
                elif live and self.config.latency.low_latency:
                    self._catch_up(buffered)
                elif recovers:
                    self._recover_latency(low_water, now_tick, buffered)
                elif live and now_tick - last_rate >= 0.5:
                    last_rate = now_tick
                    self._steer_live_rate(low_water, now_tick, buffered)
            now = self.clock.now()
            src = self.source
            pos = self.position()
            if src is not None and pos is not None:
                if isinstance(src, PositionAware):
                    src.set_playback_position(pos)
                text_at = self.text_source
                if text_at is None and isinstance(src, Tracks):
                    text_at = src.subtitle_text
                if text_at is not None:
                    text = text_at(pos - self.subtitle_delay)
                    if text != self._subtitle:
                        self._subtitle = text
                        self.emit(SubtitleChanged(text=text))
            if now - last_stats >= _STATS_PERIOD:
                last_stats = now
                self.emit(StatsUpdated(stats=self.stats()))

    def _starving(self, has_video: bool, has_audio: bool) -> bool:
        if (
            has_audio
            and self.audio is not None
            and not self.audio_done
            and self.audio.starved
            and len(self.audio_packets) == 0
        ):
            return True
        if (
            has_video
            and not self.video_done
            and len(self.frames) == 0
            and len(self.video_packets) == 0
        ):
            pos = self.position()
            last = self.last_shown_pts
            if pos is not None and last is not None and pos > last + 0.5:
                return True
        return False

    def _end_buffering(self, buffered: float) -> None:
        self.metrics.on_stall_end()
        self.emit(
            BufferingChanged(
                buffering=False, buffered=buffered, percent=100.0, rebuffer=self.rebuffering
            )
        )
        self.rebuffering = False
        if self.start_pts is None:
            # Audio only: no preroll frame anchors the timeline.
            self.start_pts = self.seek_target or 0.0
            self.sysclock.set(self.start_pts)
            self.seek_target = None
            if self.audio is not None:
                # held there until its first sample is out, not run on the
                # system clock meanwhile (and then pulled back)
                self.audio.set_position(self.start_pts)
        if self.want_play:
            self._run_clocks(True)
            self.set_state(PlayerState.PLAYING)
        else:
            self.set_state(PlayerState.PAUSED)

    def _begin_rebuffer(self, buffered: float) -> None:
        if self._stall_baseline is None:
            self._stall_baseline = self._latency_before
        self.rebuffering = True
        self._run_clocks(False)
        self.metrics.on_stall_start()
        self.set_state(PlayerState.BUFFERING)
        self.emit(BufferingChanged(buffering=True, buffered=buffered, percent=0.0, rebuffer=True))

    def _run_clocks(self, running: bool) -> None:
        if running:
            self.sysclock.start()
        else:
            self.sysclock.stop()
        if self.audio is not None:
            self.audio.set_playing(running)
        self.wake()

    def _past_end(self) -> bool:
        """mpv's --end: the play position reached ``OpenOptions.end_position``."""
        end_at = self.options.end_position
        if end_at is None:
            return False
        pos = self.position()
        return pos is not None and pos >= end_at

    def _finish(self) -> None:
        self._run_clocks(False)
        if self.pending_error is not None:
            self.error(self.pending_error, fatal=True)
            return
        self.metrics.on_event("end")
        self.set_state(PlayerState.ENDED)
        self.emit(EndOfStream())
        cut = self._past_end()  # stopped by --end, not cut short
        if (
            not cut
            and self.info is not None
            and self.info.media.duration
            and self.last_shown_pts is not None
        ):
            expected = self.info.media.duration
            reached = max(self.demuxed_end.values(), default=0.0)
            if reached < expected * 0.9 - 0.5 and self.seek_target is None:
                self.error(
                    error_for(
                        ErrorCode.ENDED_EARLY, reached=f"{reached:.1f}", expected=f"{expected:.1f}"
                    ),
                    fatal=False,
                )

    def _catch_up(self, buffered: float) -> None:
        action = catch_up(buffered, self.speed, self.config.latency)
        if action == CatchUpAction.SPEED_UP:
            self._apply_speed(self.config.latency.catch_up_speed)
            self.metrics.on_event("catch_up", action="speed_up", buffered=round(buffered, 3))
        elif action == CatchUpAction.NORMAL_SPEED:
            self._apply_speed(self.user_speed)
        elif action == CatchUpAction.JUMP:
            end = min(self.demuxed_end.values(), default=None)
            if end is not None:
                target = end - self.config.latency.target_latency
                self.skip_before = target
                self._pin_clock(target, keep_running=True)
                if self.audio is not None:
                    self.audio.set_position(target)
                self.metrics.on_event("catch_up", action="jump", to=round(target, 3))

    def _recovers_latency(self) -> bool:
        info = self.info
        return (
            self.config.latency.stall_recovery
            and info is not None
            and info.media.protocol in _PACED_LIVE
            and not info.extra.get("live_target_latency")
        )

    def _recover_latency(self, low_water: LowWater, now: float, buffered: float) -> None:
        """Default-mode RTSP/RTMP: back to the start buffer after a stall (or
        any backlog), within 5 s; see ``load_control.recover_latency``."""
        if self.user_speed != 1.0:
            return  # the user's own speed: theirs to choose
        least = low_water.add(now, buffered)
        if low_water.settled(now):
            self._win_back(least - self.config.buffer.live_start_seconds, buffered, low_water)

    def _win_back(self, excess: float, buffered: float, low_water: LowWater) -> None:
        """Plays ``excess`` seconds of latency away fast, or jumps over it
        within what is buffered (keeping the start buffer)."""
        action = recover_latency(excess, self.speed, fast=_RECOVER_SPEED)
        if action == CatchUpAction.SPEED_UP:
            self._apply_speed(_RECOVER_SPEED)
            self.metrics.on_event("catch_up", action="speed_up", excess=round(excess, 3))
        elif action == CatchUpAction.NORMAL_SPEED:
            self._apply_speed(self.user_speed)
            self.metrics.on_event("catch_up", action="normal_speed", excess=round(excess, 3))
        elif action == CatchUpAction.JUMP:
            pos = self.position()
            skip = min(excess, buffered - self.config.buffer.live_start_seconds)
            if pos is None or skip <= 0:
                return  # nothing buffered to jump into: played fast instead
            # forward by what was never short over the last second: the
            # buffer left is the usual one, and cannot run dry for the jump
            target = pos + skip
            self.skip_before = target
            self._pin_clock(target, keep_running=True)
            if self.audio is not None:
                self.audio.set_position(target)
            if self.speed != self.user_speed:
                self._apply_speed(self.user_speed)
            low_water.clear()
            self.metrics.on_event(
                "catch_up", action="jump", to=round(target, 3), skipped=round(skip, 3)
            )

    def _steer_live_rate(self, low_water: LowWater, now: float, buffered: float) -> None:
        """Sources that publish a live target latency (LL-HLS PART-HOLD-BACK,
        HOLD-BACK) get it held by a gentle rate change, unless the user chose a
        speed of their own; a stall's loss (the least latency over the last
        second more than 0.15 s over where it was before) is won back as for
        RTSP."""
        info = self.info
        src = self.source
        if info is None or src is None or self.user_speed != 1.0:
            return
        target = info.extra.get("live_target_latency")
        if not isinstance(target, int | float) or not isinstance(src, Live):
            return
        latency = src.live_latency()
        if latency is None:
            return
        # What a stall cost is measured against where the latency sat before
        # it, not against HOLD-BACK: a program date may carry delay from
        # upstream that no playing fast removes, and the playlist's end is
        # only known a segment at a time.
        least = low_water.add(now, float(latency))
        settled = low_water.settled(now)
        baseline = self._stall_baseline
        if settled and baseline is None:
            self._latency_before = least
        if self.config.latency.stall_recovery and settled and baseline is not None:
            excess = least - baseline
            if excess > _WIN_BACK_FROM or self.speed >= _RECOVER_SPEED:
                self._win_back(excess, buffered, low_water)
                return
            self._stall_baseline = None  # paid back: steered gently again
        rate = live_rate(float(latency), float(target))
        if abs(rate - self.speed) >= 0.005:
            self._apply_speed(rate)
            self.metrics.on_event("live_rate", rate=round(rate, 3), latency=round(latency, 3))

    def _apply_speed(self, speed: float) -> None:
        self.sysclock.set_speed(speed)
        self.speed = speed

    # ------------------------------------------------------------------ commands
    def play(self) -> None:
        self.want_play = True
        if self.state == PlayerState.PAUSED:
            pos = self.position()
            if pos is not None and self.audio is not None:
                self.audio.buffer.skip_until(pos)
            self._run_clocks(True)
            self.set_state(PlayerState.PLAYING)
        elif self.state == PlayerState.ENDED and self.media is not None and self.media.seekable:
            self.seek(0.0, exact=False)

    def pause(self) -> None:
        self.want_play = False
        if self.state == PlayerState.PLAYING:
            self._run_clocks(False)
            self.set_state(PlayerState.PAUSED)

    def seek(self, position: float, exact: bool) -> None:
        if self.media is not None and not self.media.seekable:
            return
        duration = self.media.duration if self.media is not None else None
        position = max(0.0, position)
        if duration:
            position = min(position, max(0.0, duration - 0.05))
        with self._lock:
            self.serial += 1
            self.pending_seek = (position, exact)
            self.seek_target = position
            self.drop_before = position if exact else None
            self.preroll = True
            self.skip_before = None
            self.demux_eos = False
            self.pending_error = None
            self.video_done = False
            self.audio_done = False
            self.demuxed_end = {}
            self.metrics.seeks += 1
        for q in (self.video_packets, self.audio_packets, self.frames):
            q.clear()
        if self.audio is not None:
            self.audio.buffer.clear()
            self.audio.set_position(position)
        self.sysclock.set(position)
        self.metrics.on_event("seek", to=round(position, 3), exact=exact)
        if self.state in (PlayerState.PLAYING, PlayerState.ENDED, PlayerState.PAUSED):
            self.rebuffering = False
            self._run_clocks(False)
            self.metrics.on_stall_start()
            self.set_state(PlayerState.BUFFERING)
        self.wake()

    def frame_step(self) -> None:
        self.pause()
        with self._lock:
            self.step_requests += 1
        self.wake()

    def set_speed(self, speed: float) -> None:
        self.user_speed = speed
        self._apply_speed(speed)

    def set_volume(self, volume: float, muted: bool) -> None:
        self.volume = volume
        self.muted = muted
        if self.audio is not None:
            self.audio.volume = volume
            self.audio.muted = muted

    def select_variant(self, index: int | None) -> None:
        if self.source is not None:
            self.source.select_variant(index)

    def seek_to_live(self) -> None:
        end = min(self.demuxed_end.values(), default=None)
        if end is None:
            return
        target = end - self.config.latency.target_latency
        self.skip_before = target
        self._pin_clock(target, keep_running=True)
        if self.audio is not None:
            self.audio.set_position(target)

    # ------------------------------------------------------------------ queries
    def stats(self) -> dict[str, Any]:
        snap = self.metrics.snapshot()
        pos = self.reported_position()
        snap["state"] = self.state.value
        snap["position_s"] = None if pos is None else round(pos, 3)
        snap["buffer_s"] = round(self.buffered(), 3)
        snap["speed"] = self.speed
        sink: object = self.sink  # widened: mypy cannot meet two protocols
        if self._unpainted_from is not None and isinstance(sink, UnpaintedCount):
            snap["frames"]["not_painted"] = sink.not_painted - self._unpainted_from
        snap["av_offset_last_ms"] = (
            round(self.metrics.av_offsets[-1] * 1000, 2) if self.metrics.av_offsets else None
        )
        if self.media is not None:
            snap["media"] = {
                "title": self.media.title,
                "duration_s": self.media.duration,
                "is_live": self.media.is_live,
                "video": None
                if self.media.video is None
                else self.metrics.shown_video(vars(self.media.video)),
                "audio": None if self.media.audio is None else vars(self.media.audio),
            }
        if (adaptive := self.adaptive()) is not None:
            status = adaptive.abr_status()
            snap["abr"] = status.as_dict()
            ladder = adaptive.variants()
            playing = status.playing_index
            if playing is not None and 0 <= playing < len(ladder):
                rung = ladder[playing]
                # the rung whose media is at the play position (what is seen)
                snap["variant"] = {
                    "index": playing,
                    "width": rung.width,
                    "height": rung.height,
                    "bandwidth": rung.bandwidth,
                }
        src = self.source
        if src is not None and isinstance(src, DecodesVideo):
            decoder = src.video_decoder()
            if decoder is not None:
                snap["video_decoder"] = decoder
        if self.media is not None and self.media.is_live:
            live = self.live()
            latency = live.live_latency() if live is not None else None
            snap["live_latency_s"] = round(latency if latency is not None else self.buffered(), 3)
        snap["latency"] = session_latency(self)
        return snap

    def abr_timeline(self) -> list[dict[str, object]]:
        adaptive = self.adaptive()
        if adaptive is None:
            return []
        # The source counts from its own start, a moment after the session's:
        # on the session's clock its samples line up with the events' times.
        offset = adaptive.started_at - self.metrics.opened_at
        out = []
        for entry in adaptive.timeline():
            row = entry.as_dict()
            row["t"] = round(entry.t + offset, 3)
            out.append(row)
        return out

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
