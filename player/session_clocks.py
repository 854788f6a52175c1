"""The session's clocks: the play position (the audio output's clock while
sound is out, else the system clock), pinning both on a frame or a seek,
starting and stopping them, and opening the audio output that drives them."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from .commands import AudioEnded
from .config import LatencyConfig
from .edge_jump import PACED_LIVE
from .errors import ErrorCode, error_for
from .events import PlayerState
from .session_state import SessionState
from .warning_text import WarningCode

if TYPE_CHECKING:
    from .audio_out import SoundDeviceOutput

__all__ = ["SessionClocks"]

#: after the device joined the running clock: how much faster or slower than
#: real time the clock may move toward the device's (3 %: 1 ms a frame at
#: 30 fps, each frame that much late), for how long at most (60 ms won at
#: most), and the error jumped at once instead
_EASE_RATE = 0.03
_EASE_FOR = 2.0
_EASE_LIMIT = 0.1


class SessionClocks(SessionState):
    """Where playback is, and the audio output that says so."""

    #: D: an audio output is being opened for the loop already running
    #: (``open_audio_late``): the audio read meanwhile is kept for it
    audio_opening = False
    #: that open's output and why there is none, for the loop to take
    #: (``take_late_audio``); under ``lock``
    late_audio: tuple[SoundDeviceOutput | None, str | None] | None = None
    #: ``_eased``: the output's joins seen, until when the clock eases
    #: toward the joined device's, and when it last moved
    _joins_seen = 0
    _ease_until: float | None = None
    _eased_at = 0.0
    #: ``reported_position``: the least it may say (the newest it said, or
    #: where the clocks were last set on purpose) and how many times they
    #: were (``clock_moved``); under ``lock``
    _floor: float | None = None
    _clock_moves = 0

    def open_audio(self) -> None:
        """The audio output for the source's audio, when one is wanted and
        can be had (a warning says why not, and the session plays on mute)."""
        assert self.info is not None
        if self.info.audio is not None:
            self._use_output(*self._acquire_output())

    def _wants_audio(self) -> bool:
        return self.config.audio.enabled and self.options.audio_track != "no"

    def _acquire_output(self) -> tuple[SoundDeviceOutput | None, str | None]:
        seconds = self.config.buffer.max_decoded_audio_seconds
        if not self._wants_audio():
            return None, None
        if self.audio_pool is not None:
            return self.audio_pool.acquire(seconds)
        # here, not at the top: a start without audio never imports the output
        from .audio_out import open_audio_output

        return open_audio_output(self.config.audio, self.clock, seconds)

    def _use_output(self, out: SoundDeviceOutput | None, reason: str | None) -> None:
        if out is None:
            if self._wants_audio():
                self.warn(WarningCode.NO_AUDIO_OUTPUT, reason=reason or "no output")
            return
        self.audio = out
        out.on_underrun = self.on_audio_underrun
        out.volume, out.muted = self.levels.volume, self.levels.muted
        self.metrics.extra["audio"] = {
            "device": out.device_name,
            "sample_rate": out.rate,
            "latency_s": round(out.latency, 4),
            "latency_source": out.latency_source,
        }

    def open_audio_late(self) -> None:
        """The audio output opened on a thread of its own while the loop
        already runs the clock from the first picture (the device was still
        opening when the picture came: PortAudio's start through PulseAudio
        takes 0.15-0.4 s here, which held the first picture still); the loop
        takes it (``take_late_audio``) and the device joins the running
        clock."""
        self.audio_opening = True

        def opened() -> None:
            try:
                result = self._acquire_output()
            except Exception as exc:  # the session plays on mute, and says why
                result = None, f"no usable output device ({exc})"
            with self.lock:
                self.late_audio = result
            self.wake()

        thread = threading.Thread(target=opened, name="heureum-audio-late", daemon=True)
        self.threads.append(thread)
        thread.start()

    def take_late_audio(self) -> None:
        """The loop: the output ``open_audio_late`` opened is the session's
        from here, its decoder started, and playing joins the running clock
        (paused or buffering, the next start does)."""
        with self.lock:
            late, self.late_audio = self.late_audio, None
        if late is None:
            return
        self._use_output(*late)
        self.audio_opening = False
        out = self.audio
        if out is None:
            # none after all: what was kept for it is dropped, as the demux
            # thread drops audio from here on
            self.audio_packets.clear()
            with self.lock:
                self.demuxed_end.pop("audio", None)
            return
        if self.stopping.is_set():
            return
        pos = self.position()
        if pos is not None:
            out.buffer.skip_until(pos)
        self.start_audio_decoder()
        if self.state == PlayerState.PLAYING:
            out.join(self.sysclock.position, self.speed)
            out.set_playing(True)

    def start_audio_decoder(self) -> None:
        """The audio decoder's thread, feeding ``self.audio`` (the engine's)."""
        raise NotImplementedError

    def on_audio_underrun(self) -> None:
        """The audio callback's thread: the device ran dry; counted as a gap
        heard only while media plays through a device that has run."""
        self.metrics.on_audio_underrun(heard=self.playing_sound())

    def playing_sound(self) -> bool:
        """Whether media is being heard now: playing (not paused, buffering
        or ended), its audio not yet all out, through a device that has
        taken samples at its pace since playing began."""
        out = self.audio
        return (
            out is not None
            and self.state == PlayerState.PLAYING
            and not self.audio_done
            and out.played_through()
        )

    def audio_is_master(self) -> bool:
        """Whether the sound heard is the clock (not the system clock: no
        sound, all of it out, paused, or a device yet to join the clock)."""
        out = self.audio
        return out is not None and not self.audio_done and out.playing and not out.joining

    def position(self) -> float | None:
        if self.audio is not None and self.audio_is_master():
            pos = self.audio.position()
            if pos is not None:
                pos = self._eased(self.audio, pos)
                self.sysclock.set(pos)
                return pos
        if self.start_pts is None:
            return self.seek_target
        return self.sysclock.position()

    def _eased(self, out: SoundDeviceOutput, heard: float) -> float:
        """The audio clock ``heard``, reached gradually after the device
        joined the running system clock (``SoundDeviceOutput.join``).

        Its anchor follows callbacks that come in bunches (five blocks at
        once every 53 ms through PulseAudio), smoothed: from the join it
        settles 10-25 ms ahead of the written-minus-latency of the first,
        in steps of 10, 7, 4 and 2 ms, each a frame shown that much late
        (the start used to hide it behind the device's latency, with the
        picture still). The clock moves toward it at most ``_EASE_RATE``
        faster or slower than real time, for ``_EASE_FOR`` at most; an
        error over ``_EASE_LIMIT`` is jumped at once."""
        if out.joins == self._joins_seen and self._ease_until is None:
            return heard  # (no lock: the common case, read on every frame)
        now = self.clock.now()
        with self.lock:
            if out.joins != self._joins_seen:
                self._joins_seen = out.joins
                self._ease_until = now + _EASE_FOR
                self._eased_at = now
            until = self._ease_until
            if until is None:
                return heard
            if now >= until:
                self._ease_until = None
                return heard
            allowed = _EASE_RATE * max(0.0, now - self._eased_at)
            self._eased_at = now
            running = self.sysclock.position()
            error = heard - running
            if abs(error) > _EASE_LIMIT:
                self._ease_until = None
                return heard
            if abs(error) <= allowed:
                return heard
            return running + (allowed if error > 0 else -allowed)

    def latency_rule(self) -> LatencyConfig:
        """The live catch-up's figures for this source: tight where packets
        come at their pace (RTSP, RTMP), looser for HLS's segments."""
        info = self.info
        paced = info is not None and info.media.protocol in PACED_LIVE
        return self.config.latency.for_source(paced)

    def reported_position(self) -> float | None:
        """The position callers see: the master clock, but never past a
        file's duration (a clock that ran a tick past the last frame before
        the end was noticed, or a stream a little longer than its header).
        A seek posted and not yet applied (the source still opening) is
        where the caller asked to be; never below where playback (re)began."""
        queued = self.inbox.pending_seek()
        if queued is not None:
            return self._within_duration(queued)
        with self.lock:
            moves = self._clock_moves
        pos = self.position()
        start = self.start_pts
        if pos is not None and start is not None and pos < start:
            # The device's queue of silence before the first sample is still
            # playing: the sample heard "now" is from before the media, and
            # a position below where playback began would run backwards.
            pos = start
        if pos is None:
            return None
        with self.lock:
            if moves == self._clock_moves:
                # Only a seek (or a jump in the timestamps) goes back. After
                # a stall's jump to the live edge the device's first sample
                # is heard its latency later: read as "now" the clock fell
                # back that far behind the jump's target, already reported.
                floor = self._floor
                if floor is not None and pos < floor:
                    pos = floor
                self._floor = pos
            # else the clocks were set while this was read: ``pos`` may be
            # from before, and is no floor for what comes after
        return self._within_duration(pos)

    def _within_duration(self, pos: float) -> float:
        media = self.media
        if media is None or media.is_live or not media.duration:
            return pos
        return min(pos, media.duration)

    def clock_moved(self, pts: float | None) -> None:
        """The clocks were set on purpose (a start, a seek, a jump to the
        live edge, a frame step, a jump in the timestamps): the reported
        position goes on from ``pts`` (None: from what the clock says next),
        and may be below what it said before."""
        with self.lock:
            self._clock_moves += 1
            self._floor = pts

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

    def buffered(self) -> float:
        """Media seconds demuxed ahead of the play position (the smaller of the
        streams that play), not counting what the audio device holds: what
        buffering and the catch-up steer by (0 until every stream's end is
        known)."""
        pos = self.position()
        ref = pos if pos is not None else (self.start_pts or 0.0)
        if self.audio is not None and not self.audio_done:
            # what a starting PulseAudio stream queued is written, out of
            # our hands: buffering and the catch-up count from beyond it (no
            # jump or rate can win that back)
            ref += self.audio.lead * self.speed
        end = self._demuxed_end()
        return 0.0 if end is None else max(0.0, end - ref)

    def behind_edge(self) -> float | None:
        """Seconds from the play position (the sound heard, the picture on
        screen) to the newest media demuxed, the smaller of the streams that
        play: a live stream's latency where its source knows no edge of its
        own (RTSP, RTMP). Unlike ``buffered`` it counts what the audio device
        holds beyond its latency (its learnt lead): that is behind the edge
        too, though nothing steers it away. None while an end is unknown:
        read as buffered, a lead of 2 s made it 0.0 while the frame on screen
        was 2.04 s behind the newest packet."""
        pos = self.position()
        end = self._demuxed_end()
        if pos is None or end is None:
            return None
        return max(0.0, end - pos)

    def _demuxed_end(self) -> float | None:
        """Where the demuxed media ends: the smaller end of the streams that
        play (None while one of them has none yet)."""
        ends = []
        if self.info is not None and self.info.video is not None:
            ends.append(self.demuxed_end.get("video"))
        if self.audio is not None:
            ends.append(self.demuxed_end.get("audio"))
        known = [e for e in ends if e is not None]
        if not known or len(known) < len(ends):
            return None
        return min(known)

    def pin_clock(self, pts: float, keep_running: bool = False) -> None:
        self.clock_moved(pts)
        self.sysclock.set(pts)
        if self.audio is not None:
            self.audio.buffer.skip_until(pts)
            if not keep_running:
                self.audio.set_position(pts)

    def stepped(self, pts: float, pin: bool) -> None:
        """The loop's part of a frame step (``FrameStepped``): one request
        taken, and the clocks stand on the frame shown (``pin``: no seek
        came since it was)."""
        self.step_requests = max(0, self.step_requests - 1)
        if pin:
            self.pin_clock(pts)

    def run_clocks(self, running: bool) -> None:
        if running:
            self.sysclock.start()
        else:
            self.sysclock.stop()
        if self.audio is not None:
            if running and self.audio_joins():
                self.audio.join(self.sysclock.position, self.speed)
            self.audio.set_playing(running)
        self.wake()

    def audio_joins(self) -> bool:
        """Whether playing starts on the system clock and the audio device
        joins it once it runs (``SoundDeviceOutput.join``), instead of the
        start waiting for the device: with a picture to move (audio alone
        waits, or its first second would be skipped unheard) and a device
        that does not run yet (a new PulseAudio stream)."""
        out = self.audio
        return (
            out is not None
            and not self.audio_done
            and self.info is not None
            and self.info.video is not None
            and not out.running()
        )

    def apply_speed(self, speed: float) -> None:
        self.sysclock.set_speed(speed)
        self.speed = speed

    def on_decode_error(self, kind: str, exc: BaseException) -> None:
        self.metrics.decode_errors += 1
        now = self.clock.now()
        # One message per burst of corrupt data, not one per packet.
        if now - self._decode_error_reported > 2.0:
            self._decode_error_reported = now
            pos = self.position()
            code = ErrorCode.CORRUPT_AUDIO if kind == "audio" else ErrorCode.CORRUPT_VIDEO
            where = f"{pos:.1f}" if pos is not None else "?"
            self.report_error(error_for(code, position=where))

    def on_audio_eos(self, serial: int) -> None:
        """The audio decoder's thread: its last sample of ``serial`` is out
        of the decoder (the loop marks it, if no seek came since)."""
        self.post(AudioEnded(serial))
