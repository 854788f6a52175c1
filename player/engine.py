"""One playback session: the demux thread, the decode threads, the presenter,
the audio output and the control loop that owns the state machine.

The parts live beside this module: ``session_state`` (the fields the
threads share, events, waits), ``session_clocks`` (the play position and the
audio output), ``demux_thread``, ``presenter``, ``control_loop`` and
``session_stats``. This module starts and stops them and takes the commands.
Threads talk through bounded queues and a few flags; every item is tagged
with the session's ``serial`` so a seek never has to stop a thread. Commands
are messages (``commands``): the caller's thread posts them, the control
loop's thread applies them (``apply_messages``).
"""

from __future__ import annotations

import logging
import threading
from functools import cached_property

from .capabilities import TimelineEntry
from .commands import (
    AudioEnded,
    Command,
    EdgeJump,
    EdgeReached,
    EdgeWanted,
    Failed,
    FrameStep,
    FrameStepped,
    InputEnded,
    Message,
    NonFatal,
    Notice,
    Pause,
    Play,
    PrerollShown,
    Resynced,
    Seek,
    SeekToLive,
    SelectVariant,
    SpeedChanged,
    VideoEnded,
    VolumeChanged,
)
from .control_loop import ControlLoop
from .decode import AudioDecoder, VideoDecoder
from .demux_thread import DemuxThread
from .edge_jump import QUIET_REFILL_S
from .errors import PlayerError
from .events import BufferingChanged, PlayerState, SeekCompleted
from .frame_drop import FrameDropPolicy
from .presenter import Presenter
from .session_clocks import SessionClocks
from .session_stats import abr_timeline, session_stats
from .source_api import Source
from .sources.urls import classify
from .stats import SessionStats

__all__ = ["Session"]

log = logging.getLogger(__name__)

#: the longest the audio output waits for the first picture (a video that
#: does not decode must not keep the sound from starting)
AUDIO_WAITS_AT_MOST = 1.0


class Session(SessionClocks):
    """Plays one URL. Created and driven by ``Player``; all public methods are
    thread-safe and return promptly."""

    #: when the audio output began to wait for the first picture (``_start_rest``)
    _audio_waits_since = 0.0

    # The threads' parts, made when first asked for (by ``start`` or a test).
    @cached_property
    def demux(self) -> DemuxThread:
        return DemuxThread(self)

    @cached_property
    def presenter(self) -> Presenter:
        return Presenter(self)

    @cached_property
    def control(self) -> ControlLoop:
        return ControlLoop(self, self.apply_messages)

    def start(self) -> None:
        # on the caller's thread: no loop can run before the open (the rule
        # is ``SessionState.set_state``'s)
        self.set_state(PlayerState.OPENING)
        demux = threading.Thread(target=self._demux_main, name="heureum-demux", daemon=True)
        self.threads.append(demux)
        demux.start()

    def stop(self, join_timeout: float = 0.8) -> None:
        """Ends every thread. Returns within about ``join_timeout`` even when a
        thread is blocked on a dead server: that thread ends on its read timeout
        and closes its own container (only the reading thread may close it)."""
        self.stopping.set()
        self.inbox.release_waiters()
        head_start, self.head_start = self.head_start, None
        if head_start is not None:
            head_start.close()
        for q in (self.video_packets, self.audio_packets, self.frames):
            q.close()
        if self.source is not None:
            self.source.interrupt()
        self.wake()
        deadline = self.clock.now() + join_timeout
        for t in self.threads:
            if t is threading.current_thread():
                continue
            t.join(max(0.0, deadline - self.clock.now()))
        late = self.late_audio
        if late is not None and late[0] is not None and self.audio_pool is not None:
            self.audio_pool.release(late[0])  # opened late, never taken: silent again
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
            source = self.demux.open_source(self.target)
            if source is None:
                return
            self._start_pipeline()
            start = self.options.start_position
            if start:
                self.seek(start, exact=False)
            # what was asked while the source opened is in effect before the
            # first packet is read (a seek then is not read past first)
            self.settle_commands()
            source = self.demux.loop(source)
        except PlayerError as exc:
            if not self.stopping.is_set():
                self.fail_from_thread(exc)
        except Exception as exc:
            log.exception("demux thread crashed")
            if not self.stopping.is_set():
                self.fail_from_thread(exc)
        finally:
            if source is not None:
                source.close()

    def _start_pipeline(self) -> None:
        assert self.info is not None
        info = self.info
        later = self._audio_after_first_picture()
        if not later:
            self.open_audio()
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
            self.threads.append(vdec)
            self.decoders.append(vdec)
            vdec.start()
            presenter = threading.Thread(
                target=self.presenter.run, name="heureum-present", daemon=True
            )
            self.threads.append(presenter)
            presenter.start()
        # the demux thread's, the last state set before the loop runs: the
        # preroll frame may be shown before it starts (``set_state``)
        self.set_state(PlayerState.BUFFERING)
        self.emit(BufferingChanged(buffering=True, buffered=0.0, percent=0.0, rebuffer=False))
        self.metrics.on_stall_start()
        if later:
            self._audio_waits_since = self.clock.now()
            self.demux.pending_start = self._start_rest
        else:
            self._start_audio_and_loop()

    def _audio_after_first_picture(self) -> bool:
        """Whether the audio output is had after the first picture, not before
        it: the device is still opening (PortAudio's start, a PulseAudio
        stream: a tenth of a second or more, issue 13) and the preroll frame
        need not wait for it; nor need the clock (once the picture is out the
        loop starts, and the device joins the running clock when had: see
        ``_start_rest``). Not with a seek queued or a start position: the
        loop must apply it before anything is read."""
        info = self.info
        assert info is not None
        return (
            info.video is not None
            and info.audio is not None
            and self.config.audio.enabled
            and self.options.audio_track != "no"
            and self.audio_pool is not None
            and not self.audio_pool.ready()
            and not self.options.start_position
            and self.inbox.pending_seek() is None
        )

    def _start_rest(self, now: bool) -> None:
        """The demux thread, between packets while the audio output waits for
        the first picture: the output had and the rest started once the
        preroll frame is out, the device is ready, ``AUDIO_WAITS_AT_MOST``
        passed, or ``now`` (the audio kept for it has no more room). With
        the picture out and the device still opening, the loop starts at once
        and the output comes on a thread of its own (``open_audio_late``):
        PortAudio's start through PulseAudio took 0.15-0.4 s here, all of it
        a still first picture."""
        waited = self.clock.now() - self._audio_waits_since
        ready = self.audio_pool is None or self.audio_pool.ready()
        shown = self.last_shown_pts is not None
        # a seek given after ``_audio_after_first_picture`` looked (the caller
        # raced the open) waits for a loop that only this starts: started now,
        # and applied before another packet is read (the presenter shows no
        # first picture while it is queued), or the picture from 0 s came first
        seek = self.inbox.pending_seek() is not None
        if not (now or shown or ready or seek or waited >= AUDIO_WAITS_AT_MOST):
            return
        self.demux.pending_start = None
        if shown and not (now or ready or seek):
            # the picture is out and the device still opening: the clock
            # runs from the picture, and the device joins it once opened
            self.open_audio_late()
            self._start_audio_and_loop()
            return
        self.open_audio()
        if self.audio is None:
            # no output after all: what was kept for it is dropped, as the
            # demux thread drops audio from here on
            self.audio_packets.clear()
            with self.lock:
                self.demuxed_end.pop("audio", None)
        self._start_audio_and_loop()
        if seek:
            self.settle_commands()

    def start_audio_decoder(self) -> None:
        assert self.audio is not None
        adec = AudioDecoder(self, self.audio_packets, self.audio.buffer, self.on_audio_eos)
        self.threads.append(adec)
        self.decoders.append(adec)
        adec.start()

    def _start_audio_and_loop(self) -> None:
        if self.audio is not None:
            self.start_audio_decoder()
        control = threading.Thread(target=self.control.run, name="heureum-control", daemon=True)
        self.threads.append(control)
        # The loop owns the fields from here: a command posted now waits for
        # it. Not before the events above: a subscriber that seeks on them
        # runs on this thread, and would wait for a loop not yet started.
        self.inbox.owned_by(control)
        control.start()

    # ------------------------------------------------------------------ commands
    # A command is posted to the inbox and applied by the control loop thread,
    # the one owner of the session's fields. The caller waits (on the clock)
    # until the loop has applied it, so what it reads next (the position, the
    # state) already says so; on the loop's own thread it is applied at once.
    # Before the loop starts (the source still opening) commands wait in the
    # inbox, the caller does not, and the loop applies them first thing;
    # ``reported_position`` shows a queued seek meanwhile.

    def play(self) -> None:
        self._command(Play())

    def pause(self) -> None:
        self._command(Pause())

    def seek(self, position: float, exact: bool) -> None:
        self._command(Seek(position, exact))

    def frame_step(self) -> None:
        self._command(FrameStep())

    def speed_changed(self) -> None:
        self._command(SpeedChanged())

    def volume_changed(self) -> None:
        self._command(VolumeChanged())

    def select_variant(self, index: int | None) -> None:
        # The rung is the source's own state (it takes it from any thread), not
        # the session's: once the source is open it gets the choice at once, so
        # a lock given while the stream starts holds from its first segments
        # instead of waiting for the loop's start.
        if (source := self.source) is not None:
            source.select_variant(index)
            return
        self._command(SelectVariant(index))

    def seek_to_live(self) -> None:
        self._command(SeekToLive())

    def _command(self, command: Command) -> None:
        number = self.post(command)
        if self.inbox.on_loop_thread():
            self.apply_messages()
        else:
            self.inbox.wait_applied(number, self.stopping)

    def settle_commands(self) -> None:
        """Waits until the loop applied every message posted so far."""
        self.inbox.wait_applied(self.inbox.posted, self.stopping)

    def apply_messages(self) -> None:
        """The control loop's part: applies what is in the inbox, in order.
        Only the loop's thread calls it (or a test standing in for the loop)."""
        while (taken := self.inbox.pop()) is not None:
            number, message = taken
            try:
                self._apply(message)
            finally:
                self.inbox.done(number)
            if isinstance(message, EdgeJump | FrameStepped | Resynced | Seek):
                # the presenter times its next frame once its clock move is
                # in effect (and shows a first picture once no seek is
                # queued): told only now it is marked done
                self.wake()

    def _apply(self, message: Message) -> None:
        match message:
            case Play():
                self._play()
            case Pause():
                self._pause()
            case Seek(position, exact):
                self._seek(position, exact)
            case FrameStep():
                self._pause()
                self.step_requests += 1
                self.wake()
            case SpeedChanged():
                self.apply_speed(self.levels.speed)
            case VolumeChanged():
                if (out := self.audio) is not None:
                    out.volume, out.muted = self.levels.volume, self.levels.muted
            case SelectVariant(index):
                if self.source is not None:
                    self.source.select_variant(index)
            case SeekToLive():
                self._seek_to_live()
            case PrerollShown(serial, pts):
                if serial == self.serial:
                    self._prerolled(pts)
            case VideoEnded(serial):
                if serial == self.serial:
                    self.video_done = True
            case AudioEnded(serial):
                if serial == self.serial:
                    self.audio_eos_serial = serial
            case InputEnded(serial, error):
                if serial == self.serial:
                    self.demux_eos = True
                    if error is not None:
                        self.pending_error = error
            case EdgeJump(serial, target):
                if serial == self.serial:
                    self._edge_jump(target)
            case EdgeReached(request):
                if request == self.edge_jumps:
                    self.edge_jump_pending = False
            case FrameStepped(serial, pts):
                # the request is taken whatever the serial: one frame was shown for it
                self.stepped(pts, pin=serial == self.serial)
            case Resynced(serial, pts):
                if serial == self.serial:
                    self.pin_clock(pts, keep_running=True)
            case EdgeWanted(wanted):
                self.edge_wanted(wanted)
            case Notice(event):
                self.tell(event)
            case NonFatal(error):
                self.error(error, fatal=False)
            case Failed(error):
                self.error(error, fatal=True)

    def _play(self) -> None:
        self.want_play = True
        if self.state == PlayerState.PAUSED:
            pos = self.position()
            if pos is not None and self.audio is not None:
                self.audio.buffer.skip_until(pos)
            self.run_clocks(True)
            self.set_state(PlayerState.PLAYING)
        elif self.state == PlayerState.ENDED and self.media is not None and self.media.seekable:
            self._seek(0.0, exact=False)

    def _pause(self) -> None:
        self.want_play = False
        if self.state == PlayerState.PLAYING:
            self.run_clocks(False)
            self.set_state(PlayerState.PAUSED)

    def _seek(self, position: float, exact: bool) -> None:
        if self.media is not None and not self.media.seekable:
            return
        duration = self.media.duration if self.media is not None else None
        position = max(0.0, position)
        if duration:
            position = min(position, max(0.0, duration - 0.05))
        with self.lock:
            self.serial += 1
            self.clock_moved(None)
            self.pending_seek = (position, exact)
            self.seek_target = position
            self.drop_before = position if exact else None
            self.preroll = True
            self.skip_before = None
            self.newest_video_pts = None
            self.edge_jump_pending = False
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
            # a seek's wait is no stall (mpv and QoE models count it apart):
            # the report had a stall for every seek after the first frame
            self.rebuffering = False
            self.run_clocks(False)
            self.set_state(PlayerState.BUFFERING)
        self.wake()

    def _prerolled(self, pts: float) -> None:
        """The first frame after a start or a seek is on screen: the clocks
        start from it (a seek's completes there)."""
        with self.lock:
            self.preroll = False
            if self.start_pts is None or self.seek_target is not None:
                self.start_pts = pts
                self.clock_moved(pts)
                self.sysclock.set(pts)
                if self.audio is not None:
                    self.audio.set_position(pts)
                    self.audio.buffer.skip_until(pts)
            completed = self.seek_target is not None
            self.seek_target = None
        if completed:
            self.emit(SeekCompleted(position=pts))
        self.wake()

    def _edge_jump(self, target: float) -> None:
        """The presenter passes over frames behind the live edge: what is
        before ``target`` is dropped, the output's refill is the jump's (no
        stall), and after a reconnect the clocks, past the old stream, move
        to the new one's edge."""
        if self.skip_before is not None and self.skip_before >= target:
            return
        self.skip_before = target
        self.quiet_refill_until = self.clock.now() + QUIET_REFILL_S
        if self.start_pts is not None:
            self.pin_clock(target, keep_running=True)
            if self.audio is not None:
                self.audio.set_position(target)

    def _seek_to_live(self) -> None:
        end = min(self.demuxed_end.values(), default=None)
        if end is None:
            return
        target = end - self.latency_rule().target_latency
        self.skip_before = target
        self.pin_clock(target, keep_running=True)
        if self.audio is not None:
            self.audio.set_position(target)

    # ------------------------------------------------------------------ queries
    def stats(self) -> SessionStats:
        return session_stats(self)

    def abr_timeline(self) -> list[TimelineEntry]:
        return abr_timeline(self)
