"""One PortAudio stream shared by several sessions (the compare view): each
session gets a voice that behaves as its own output (its buffer, its clock,
its volume and mute), and the one callback mixes them. A muted voice is still
read at the device's pace, so its session stays decoded and timed.

The device running dry (an ALSA underrun on the callback's thread) is a gap
in every voice at once: each voice is told, and each session counts it as it
would on a device of its own, heard while it plays (muted or not: its clock
and its samples took the same gap) and idle otherwise."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from . import alsa_log
from .audio_out import AudioBuffer, AudioDevicePool, SoundDeviceOutput
from .clock import Clock
from .config import AudioConfig
from .stderr_lock import STDERR_LOCK

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Samples = npt.NDArray[np.float32]

__all__ = ["SharedAudioDevice", "VoicePool"]

log = logging.getLogger(__name__)


class _Voice(SoundDeviceOutput):
    """A session's output on the shared stream: the output's own callback
    logic (buffer, clock re-anchoring, underruns), rendered into a scratch
    block that the device adds to the mix."""

    def __init__(self, device: SharedAudioDevice, buffer_seconds: float) -> None:
        # No stream of its own: the fields SoundDeviceOutput's methods use.
        self._device = device
        self._clock = device.clock
        self.device_name = device.device_name
        self.latency = device.latency
        self.latency_source = device.latency_source
        self._init_state(device.rate, device.channels, buffer_seconds)
        self._stream = None

    def render(self, block: Samples, frames: int, status: Any = None) -> None:
        self._callback(block, frames, None, status)

    def close(self) -> None:
        self._playing = False
        self.buffer.close()
        self._device.remove(self)
        alsa_log.unwatch(self._device_underrun)


class SharedAudioDevice:
    """The stream, opened with the first voice and closed with ``close()``."""

    def __init__(self, config: AudioConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock
        self._voices: list[_Voice] = []
        self._lock = threading.Lock()
        self._stream: Any = None
        self._scratch: Any = None
        self.device_name = ""
        self.rate = 0
        self.channels = 0
        self.latency = 0.0
        self.latency_source = ""

    def _open(self) -> None:
        if self._stream is not None:
            return
        # As SoundDeviceOutput: ALSA's messages into our log, and its underruns
        # to the voices, from PortAudio's first call on.
        alsa_log.install()
        with STDERR_LOCK:  # its import silences fd 2 for every thread
            import sounddevice as sd

        config = self.config
        info: Any = sd.query_devices(config.device, kind="output")
        self.device_name = str(info["name"])
        self.rate = int(config.sample_rate or info["default_samplerate"] or 48000)
        self.channels = max(1, min(2, int(info["max_output_channels"])))
        stream = sd.OutputStream(
            samplerate=self.rate,
            channels=self.channels,
            dtype="float32",
            device=config.device,
            # one stream for several players: the default mode's queue
            latency=config.device_latency(low_latency=False),
            blocksize=512,
            callback=self._mix,
        )
        reported = float(stream.latency)
        # as SoundDeviceOutput: PortAudio's figure can be 0 or nonsense via PulseAudio
        if 0.0 < reported < 2.0:
            self.latency, self.latency_source = reported, "portaudio"
        else:
            self.latency, self.latency_source = 2 * 512 / self.rate + 0.02, "estimated"
        stream.start()
        self._stream = stream

    def voice(self, buffer_seconds: float) -> SoundDeviceOutput:
        with self._lock:
            self._open()
            voice = _Voice(self, buffer_seconds)
            self._voices.append(voice)
        return voice

    def remove(self, voice: SoundDeviceOutput) -> None:
        with self._lock:
            if voice in self._voices:
                self._voices.remove(voice)

    # The PortAudio callback thread.
    def _mix(self, outdata: Any, frames: int, time_info: Any, status: Any) -> None:
        outdata.fill(0)
        with self._lock:
            voices = list(self._voices)
        if not voices:
            return
        scratch = self._scratch
        if scratch is None or scratch.shape != outdata.shape:
            import numpy as np

            scratch = self._scratch = np.zeros_like(outdata)
        for voice in voices:
            scratch.fill(0)
            voice.render(scratch, frames, status)
            outdata += scratch

    def close(self) -> None:
        with self._lock:
            stream, self._stream = self._stream, None
            voices, self._voices = self._voices, []
        for voice in voices:  # its thread's id may be a later thread's
            alsa_log.unwatch(voice._device_underrun)
        if stream is not None:
            try:
                stream.abort()
                stream.close()
            except Exception as exc:  # a vanished device must not break closing
                log.debug("audio close: %s", exc)


class VoicePool(AudioDevicePool):
    """What a ``Player`` asks for audio: a voice on the shared device, kept
    across its sessions (in place of a stream of its own)."""

    def __init__(self, device: SharedAudioDevice) -> None:  # no stream of its own
        self._device = device
        self._voice: SoundDeviceOutput | None = None

    def acquire(self, buffer_seconds: float) -> tuple[SoundDeviceOutput | None, str | None]:
        if not self._device.config.enabled:
            return None, "audio output is turned off"
        try:
            if self._voice is None:
                self._voice = self._device.voice(buffer_seconds)
        except OSError as exc:
            return None, f"PortAudio is not available ({exc})"
        except Exception as exc:
            return None, f"no usable output device ({exc})"
        voice = self._voice
        voice.attach(
            AudioBuffer(voice.rate, voice.channels, buffer_seconds, clock=self._device.clock)
        )
        return self._voice, None

    def ready(self) -> bool:
        """The compare view's players open their voices as before (on the
        shared stream, which its window opens)."""
        return True

    def use_mode(self, low_latency: bool) -> None:
        """The shared device keeps the one queue it opened with."""

    def release(self, out: SoundDeviceOutput) -> None:
        out.detach()

    def close(self) -> None:
        voice, self._voice = self._voice, None
        if voice is not None:
            voice.close()
