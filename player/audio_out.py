"""Audio output through PortAudio (sounddevice) and the audio master clock.

The callback only copies from a ring of decoded chunks (``audio_buffer``),
applies the volume and re-anchors the clock: the media time of the sample
being heard now is the pts of the first sample written minus the device's
output latency.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from . import alsa_log
from .audio_buffer import AudioBuffer
from .clock import Clock
from .config import AudioConfig
from .stderr_lock import STDERR_LOCK

__all__ = [
    "AudioBuffer",
    "AudioDevicePool",
    "AudioOutputError",
    "SoundDeviceOutput",
    "open_audio_output",
]

log = logging.getLogger(__name__)

#: how long after a stream's first callback its queue depth is learned (a
#: PulseAudio stream's start-up burst, also after its sink woke from suspend)
_LEARN_SECONDS = 5.0
#: queued beyond the reported latency by less than this is the bunching of
#: callbacks (three 512-frame blocks at once through PulseAudio), not a burst
_JITTER = 0.05
#: calling back this long without running dry or pausing: the device runs
#: (a PulseAudio stream's start: three blocks, up to 1.8 s of nothing, or a
#: storm of underruns; what is written meanwhile is not heard then)
_STEADY_FOR = 0.1
#: no callback for this long: the device stopped taking samples (its pace
#: is a bunch of blocks every 35 ms or so)
_PAUSE = 0.2


class AudioOutputError(Exception):
    pass


def _portaudio() -> Any:
    """sounddevice, imported (PortAudio loaded and its devices listed)."""
    # Before PortAudio starts: it talks to ALSA from its first call.
    alsa_log.install()
    with STDERR_LOCK:  # its import silences fd 2 for every thread
        import sounddevice as sd  # only this module touches PortAudio
    return sd


class SoundDeviceOutput:
    """A PortAudio output stream driven by its callback; also the master clock."""

    def __init__(
        self,
        config: AudioConfig,
        clock: Clock,
        buffer_seconds: float,
        low_latency: bool = False,
    ) -> None:
        sd = _portaudio()
        self._sd = sd
        self._clock = clock
        #: the queue asked of PortAudio (what a pool compares to reuse the stream)
        self.requested_latency = config.device_latency(low_latency)
        device_info: Any = sd.query_devices(config.device, kind="output")
        self.device_name = str(device_info["name"])
        rate = int(config.sample_rate or device_info["default_samplerate"] or 48000)
        channels = max(1, min(2, int(device_info["max_output_channels"])))
        self._init_state(rate, channels, buffer_seconds)
        self._stream: Any = sd.OutputStream(
            samplerate=rate,
            channels=channels,
            dtype="float32",
            device=config.device,
            latency=self.requested_latency,
            blocksize=512,
            callback=self._callback,
        )
        reported = float(self._stream.latency)
        # PortAudio's figure can read 0 or nonsense through PulseAudio: check it.
        if 0.0 < reported < 2.0:
            self.latency = reported
            self.latency_source = "portaudio"
        else:
            self.latency = 2 * 512 / rate + 0.02
            self.latency_source = "estimated"
            log.warning(
                "PortAudio reported an output latency of %.3f s; using %.3f s",
                reported,
                self.latency,
            )
        self._stream.start()

    def _init_state(self, rate: int, channels: int, buffer_seconds: float) -> None:
        """What the callback logic works on (also a mixed voice's, which has
        no stream of its own)."""
        self.buffer = AudioBuffer(rate, channels, buffer_seconds, clock=self._clock)
        self.rate = rate
        self.channels = channels
        self._lock = threading.Lock()
        self._playing = False
        self.volume = 1.0
        self.muted = False
        self.underruns = 0
        self.starved = False
        #: times the device ran dry (ALSA's underruns on this stream's thread)
        self.device_underruns = 0
        #: told of each device underrun (the session's metrics)
        self.on_underrun: Callable[[], None] | None = None
        self._callback_thread: int | None = None
        self._anchor_pts: float | None = None
        self._anchor_t = 0.0
        self._anchor_speed = 1.0
        self._written_end: float | None = None
        self._frozen: float | None = None
        #: what the device holds beyond its reported latency (seconds), learned
        #: in its first seconds; the sample heard now is that much further back
        self.lead = 0.0
        self._queued = 0.0
        self._queue_began: float | None = None
        self._queue_t = 0.0
        #: ``device_underruns`` as the last callback saw it
        self._underruns_seen = 0
        #: the device has taken samples at its pace since playing last began
        #: (``played_through``)
        self._ran_playing = False
        #: since when it has called back without running dry or pausing
        self._steady_since: float | None = None
        self._last_callback: float | None = None
        #: playing joins this running clock (the media time now) once the
        #: device runs; till then it plays silence, takes nothing from the
        #: buffer, and has no position of its own (``join``)
        self._join: Callable[[], float] | None = None
        self._join_speed = 1.0
        #: joins completed: its clock took over from a running one (the
        #: session eases the step: ``SessionClocks.position``)
        self.joins = 0

    # The PortAudio callback thread.
    def _callback(self, outdata: Any, frames: int, time_info: Any, status: Any) -> None:
        now = self._clock.now()
        thread = threading.get_ident()
        if thread != self._callback_thread:
            # ALSA reports this stream's underruns on this thread.
            self._callback_thread = thread
            alsa_log.watch(self._device_underrun)
        underflow = status is not None and bool(status.output_underflow)
        if underflow and not alsa_log.installed():
            self._device_underrun()
        # ALSA counts its underruns on this thread, between two callbacks
        ran_dry = underflow or self.device_underruns != self._underruns_seen
        self._underruns_seen = self.device_underruns
        last = self._last_callback
        if ran_dry or last is None or now - last > _PAUSE:
            self._steady_since = now
        self._last_callback = now
        self._learn_lead(now, frames, ran_dry)
        if not self._playing:
            outdata.fill(0)
            return
        since = self._steady_since
        if since is not None and now - since >= _STEADY_FOR:
            self._ran_playing = True
        join = self._join
        if join is not None:
            if not self._ran_playing:
                outdata.fill(0)  # what a starting device takes is not heard then
                return
            # the sample written now is heard after the device's queue: the
            # clock will be there by then
            self.buffer.skip_until(join() + (self.latency + self.lead) * self._join_speed)
        gain = 0.0 if self.muted else self.volume
        written, first_pts, speed, end_pts = self.buffer.read_into(outdata, gain)
        if written < frames:
            outdata[written:] = 0
        if join is not None:
            if written == 0 or first_pts is None:
                return  # the decoder not there yet: silence, and join at the next
            with self._lock:
                self._join = None
                self.joins += 1
        if written == 0 or first_pts is None:
            if not self.starved:
                self.underruns += 1
            self.starved = True
            return
        self.starved = False
        heard = first_pts - (self.latency + self.lead) * speed
        with self._lock:
            predicted = self._position_locked(now)
            if predicted is None or abs(heard - predicted) > 0.05 or speed != self._anchor_speed:
                self._anchor_pts = heard
            else:
                # Callbacks arrive with a block of jitter: follow slowly.
                self._anchor_pts = predicted + (heard - predicted) * 0.1
            self._anchor_t = now
            self._anchor_speed = speed
            self._written_end = end_pts
            self._frozen = None

    def _learn_lead(self, now: float, frames: int, ran_dry: bool = False) -> None:
        """How far the device's queue runs past its reported latency.

        Heard = written minus latency trusts PortAudio's figure, but a
        PulseAudio stream that starts (or whose sink wakes) takes a second
        or two of samples in one burst of callbacks: read naively, the clock
        would leap ahead of the sound by that much, and video and subtitles
        with it. The queue is followed as a leaky bucket (filled by each
        callback, drained in real time) while the stream is young; later
        growth is the device's clock against ours, and is not learned.

        A device that ran dry (``ran_dry``: an underrun since the last
        callback) holds nothing: what was written before it is not queued,
        and no lead learnt before it is left. A PortAudio stream through
        ALSA's pulse plugin can start in a storm of underruns, each refilled
        at once: counted as queued, they made a lead of 1-7 s out of a queue
        of 0.1 s, and the clock that far behind the sound."""
        began = self._queue_began
        if began is None:
            began = self._queue_began = self._queue_t = now
        if now - began > _LEARN_SECONDS:
            return
        if ran_dry:
            self._queued = 0.0
            self.lead = 0.0
        self._queued = max(0.0, self._queued - (now - self._queue_t)) + frames / self.rate
        self._queue_t = now
        beyond = self._queued - self.latency
        if beyond > _JITTER and beyond > self.lead:
            self.lead = beyond

    def _device_underrun(self) -> None:
        self.device_underruns += 1
        listener = self.on_underrun
        if listener is not None:
            listener()

    def _position_locked(self, now: float) -> float | None:
        if self._frozen is not None:
            return self._frozen
        if self._anchor_pts is None:
            return None
        pos = self._anchor_pts + (now - self._anchor_t) * self._anchor_speed
        if self._written_end is not None:
            pos = min(pos, self._written_end)
        return pos

    def position(self) -> float | None:
        """Media time of the sample being heard now (None before the first
        callback, and while joining a running clock)."""
        with self._lock:
            if self._join is not None:
                return None
            return self._position_locked(self._clock.now())

    def join(self, clock_now: Callable[[], float], speed: float) -> None:
        """Play from the running clock ``clock_now`` (media seconds now, at
        ``speed``) once the device runs, instead of holding that clock until
        it does. A PulseAudio stream that starts takes a few blocks and then
        nothing for up to 2 s (a null sink wakes on its own timer): a start
        that waited for it kept the first picture still for that long, where
        mpv's moves at once. Till the device runs it plays silence; then its
        first sample is the one the clock will be at when it is heard (the
        sound skipped meanwhile is lost, the picture is not held)."""
        with self._lock:
            self._join = clock_now
            self._join_speed = speed
            self._frozen = None
            self._anchor_pts = None
            self._written_end = None

    @property
    def joining(self) -> bool:
        """Whether playing waits for the device to join the running clock."""
        return self._join is not None

    def set_position(self, pts: float) -> None:
        """Pin the clock (seek, pause) until the next callback writes samples."""
        with self._lock:
            self._join = None
            self._frozen = pts
            self._anchor_pts = None
            self._written_end = None

    def set_playing(self, playing: bool) -> None:
        with self._lock:
            if not playing:
                self._join = None  # a start or resume joins again
            if not playing and self._playing:
                pos = self._position_locked(self._clock.now())
                self._frozen = pos
            if playing and not self._playing:
                # a start waits for the device to run: then it runs already
                self._ran_playing = self.running()
            self._playing = playing

    def played_through(self) -> bool:
        """Whether an underrun now is a gap in sound being played: playing,
        and the device has taken samples at its pace since playing began.
        Before that, a new stream's start (a storm of underruns, hundreds
        through PulseAudio) or a sink waking from suspend drops samples
        nobody heard yet; while paused it plays silence. Underruns once it
        ran stay gaps, however many come in a row (a starved callback)."""
        return self._playing and self._ran_playing

    @property
    def playing(self) -> bool:
        return self._playing

    def running(self) -> bool:
        """Whether the device takes samples at its pace: it has called back
        for ``_STEADY_FOR`` without running dry or pausing, and lately. A
        start played into it before then is thrown away (a storm of
        underruns) or held (no callbacks yet) while the state says playing."""
        since, last = self._steady_since, self._last_callback
        if since is None or last is None:
            return False
        return last - since >= _STEADY_FOR and self._clock.now() - last <= _PAUSE

    def attach(self, buffer: AudioBuffer) -> None:
        """Serve a new session: its own buffer, a fresh clock, not playing."""
        with self._lock:
            self._playing = False
            self.buffer = buffer
            self._anchor_pts = None
            self._written_end = None
            self._frozen = None
            self.underruns = 0
            self.starved = False
            self.device_underruns = 0
            self._underruns_seen = 0
            self._ran_playing = False
            self._join = None
            self.on_underrun = None

    def detach(self) -> None:
        """The session ended: silence, and an empty buffer nobody else writes to."""
        old = self.buffer
        self.attach(AudioBuffer(self.rate, self.channels, old.max_seconds, clock=self._clock))
        old.close()

    def close(self) -> None:
        self._playing = False
        self.buffer.close()
        alsa_log.unwatch(self._device_underrun)
        try:
            self._stream.abort()
            self._stream.close()
        except Exception as exc:  # a vanished device must not break stop()
            log.debug("audio close: %s", exc)


def open_audio_output(
    config: AudioConfig, clock: Clock, buffer_seconds: float, low_latency: bool = False
) -> tuple[SoundDeviceOutput | None, str | None]:
    """The output, or None and why there is none (the no-audio-output warning's reason)."""
    if not config.enabled:
        return None, "audio output is turned off"
    try:
        return SoundDeviceOutput(config, clock, buffer_seconds, low_latency), None
    except OSError as exc:  # PortAudio missing: sounddevice raises OSError at import
        return None, f"PortAudio is not available ({exc})"
    except Exception as exc:
        return None, f"no usable output device ({exc})"


class AudioDevicePool:
    """One PortAudio stream kept open across sessions: through PulseAudio a new
    stream can take over a second to start calling back, which every open()
    would otherwise pay."""

    def __init__(self, config: AudioConfig, clock: Clock) -> None:
        self._config = config
        self._clock = clock
        self._out: SoundDeviceOutput | None = None
        self._lock = threading.Lock()
        self._closed = False
        #: why ``prepare`` found no output: the next ``acquire``'s answer (not tried twice)
        self._prepared_failure: str | None = None
        #: the playing mode of the next session (it sets the device's queue);
        #: its own lock: a ``prepare`` holds the pool's while it opens
        self._mode = threading.Condition()
        self._low_latency = False
        self._mode_told = False

    def use_mode(self, low_latency: bool) -> None:
        """The next session plays in this mode: ``acquire`` reopens the stream
        when its queue was sized for the other one (a change of mode is rare;
        reopening costs a tenth of a second through PulseAudio, and a new
        stream's first callbacks up to a second more)."""
        with self._mode:
            self._low_latency = low_latency
            self._mode_told = True
            self._mode.notify_all()

    def prepare(self, buffer_seconds: float, mode_wait: float = 0.0) -> None:
        """Open the output now, ahead of the first ``acquire`` (which then
        finds it open, or learns why there is none). PortAudio's start and a
        PulseAudio stream take a tenth of a second or more, in C calls that
        let other threads run: called on a thread of its own, that time
        overlaps the rest of a start-up.

        ``mode_wait``: how long to wait for the first session's ``use_mode``
        before opening in the default mode. The window prepares as it shows
        and opens its stream a moment later: opened at once, a
        ``--low-latency`` start found the default mode's queue and reopened
        it, and waited a second for the new PulseAudio stream while the live
        stream piled up (0.95 s, played 5 % fast for 14 s down to 0.42 s of
        buffer and kept). PortAudio loads meanwhile."""
        if mode_wait > 0.0:
            with contextlib.suppress(OSError, ImportError):  # the open says why
                _portaudio()
            with self._mode:
                self._clock.wait_for(self._mode, lambda: self._mode_told or self._closed, mode_wait)
        with self._lock:
            if self._out is not None or self._closed:
                return
            out, reason = open_audio_output(
                self._config, self._clock, buffer_seconds, self._low_latency
            )
            if out is None:
                self._prepared_failure = reason
            else:
                self._out = out

    def ready(self) -> bool:
        """Whether ``acquire`` would answer at once: the output prepared in the
        mode asked (or why there is none known), and no open under way."""
        if not self._lock.acquire(blocking=False):
            return False  # a ``prepare`` opens it now
        try:
            if self._prepared_failure is not None:
                return True
            out = self._out
            return out is not None and out.requested_latency == self._config.device_latency(
                self._low_latency
            )
        finally:
            self._lock.release()

    def acquire(self, buffer_seconds: float) -> tuple[SoundDeviceOutput | None, str | None]:
        with self._lock:
            wanted = self._config.device_latency(self._low_latency)
            if self._out is not None and self._out.requested_latency != wanted:
                self._out.close()
                self._out = None
            if self._out is None:
                failure, self._prepared_failure = self._prepared_failure, None
                if failure is not None:
                    return None, failure
                out, reason = open_audio_output(
                    self._config, self._clock, buffer_seconds, self._low_latency
                )
                if out is None:
                    return None, reason
                self._out = out
            out = self._out
        out.attach(AudioBuffer(out.rate, out.channels, buffer_seconds, clock=self._clock))
        return out, None

    def release(self, out: SoundDeviceOutput) -> None:
        out.detach()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            out, self._out = self._out, None
        with self._mode:
            self._mode.notify_all()  # a prepare waiting for the mode gives up
        if out is not None:
            out.close()
