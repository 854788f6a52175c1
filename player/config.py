"""Configuration as data: frozen dataclasses with defaults we can justify.

The CLI, the settings dialog and the tests all build these same objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from .hwdec import HwDec

__all__ = [
    "DEFAULT_CONFIG",
    "AudioConfig",
    "BufferConfig",
    "DecodeConfig",
    "LatencyConfig",
    "NetworkConfig",
    "OpenOptions",
    "PlayerConfig",
    "SyncConfig",
]

RtspTransport = Literal["auto", "udp", "tcp", "http"]
CatchUp = Literal["drop", "speed"]
TrackChoice = int | Literal["no", "auto"]
AbrPolicyName = Literal["hybrid", "mpc"]


@dataclass(frozen=True)
class NetworkConfig:
    # mpv's --network-timeout is 60 s; a desktop user notices a dead server far
    # sooner, and RTSP/RTMP servers answer within a second on a working network.
    open_timeout: float = 10.0
    read_timeout: float = 5.0
    rtsp_transport: RtspTransport = "auto"
    user_agent: str = "Heureum/0.1"
    # Live sources come back after a server restart: 0.5 s doubling to 8 s
    # (players.md goal: playing again <= 2 s after the camera answers).
    reconnect: bool = True
    reconnect_initial_delay: float = 0.5
    reconnect_max_delay: float = 8.0
    reconnect_max_attempts: int = 30
    # HLS live: how long an origin may stay unreachable (refused, 5xx, timeouts)
    # before it is a fatal error; meanwhile playback shows buffering and the
    # playlist is retried. About one live window: typical windows are 30 s to
    # a few minutes (RFC 8216 asks for at least three target durations), so an
    # origin back within 30 s usually still lists where we were or near it;
    # later, rejoining is no different from opening the stream again. An HLS
    # VOD origin that goes away (its playlist fails too) is given as long. 0: none.
    live_outage_timeout: float = 30.0
    tls_verify: bool = True
    ca_file: str | None = None  # None: certifi's bundle
    #: the ABR policy by name (``player.abr.policies``): "mpc", the
    #: model-predictive rule (default), or "hybrid" (throughput and BOLA)
    abr_policy: AbrPolicyName = "mpc"


@dataclass(frozen=True)
class BufferConfig:
    # Start after 1 s of media for files/VOD (mpv's cache-pause-wait is 1 s),
    # resume after a stall at 2 s so one slow read does not stall us again.
    start_seconds: float = 1.0
    rebuffer_seconds: float = 2.0
    live_start_seconds: float = 0.5
    max_seconds: float = 30.0
    # Byte bound as well as time, so a hostile bitrate cannot eat memory.
    max_bytes: int = 96 * 1024 * 1024
    # Decoded frames are big (a 1080p yuv420p frame is 3 MB): keep them short.
    max_decoded_video_seconds: float = 0.5
    max_decoded_audio_seconds: float = 1.0


@dataclass(frozen=True)
class DecodeConfig:
    threads: int = 0  # 0 = FFmpeg decides
    # Frame threading is faster but adds (threads - 1) frames of delay: VOD only.
    frame_threading: bool = True
    max_pixels: int = 8192 * 4320
    # Opt-in (mpv's default is no too): a GPU decoder that misbehaves shows as
    # green frames or a crash in a driver, where software just costs CPU.
    hwdec: HwDec = "no"


@dataclass(frozen=True)
class SyncConfig:
    # A frame later than this against the master clock is dropped (VLC drops
    # past 20 ms; we allow one 50 fps frame so jitter on 2 cores does not drop).
    late_drop_threshold: float = 0.04
    # Offsets larger than this are a timestamp jump, not a sync problem: resync.
    resync_threshold: float = 10.0
    # Present every frame as soon as it is decoded (benchmarks, like mpv --untimed).
    untimed: bool = False
    # When decoding falls behind the clock: skip non-reference frames, then to
    # the next keyframe, and drop late frames before they are queued (mpv's
    # framedrop=decoder; player/frame_drop.py). Off: the presenter alone drops.
    decoder_framedrop: bool = True


#: the device's queue in the default mode (mpv's --audio-buffer)
DEVICE_LATENCY_S = 0.2
#: in low-latency mode, where every tenth of a second counts against the target
LOW_LATENCY_DEVICE_S = 0.1


@dataclass(frozen=True)
class AudioConfig:
    enabled: bool = True
    device: str | int | None = None
    #: the device's queue; None: chosen by the playing mode (``device_latency``)
    latency: float | Literal["low", "high"] | None = None
    sample_rate: int | None = None  # None: the device's default

    def device_latency(self, low_latency: bool) -> float | Literal["low", "high"]:
        """What the device queues ahead of the sound heard now.

        The clock subtracts it, so sync does not depend on it; what it buys is
        time for a late callback. A callback waits for the GIL and for a CPU:
        with a 0.1 s queue an audio-only file on a loaded 2-core machine ran
        dry 20-120 times in 4 s (the device's underruns), with 0.2 s (mpv's
        --audio-buffer) none. Low-latency mode keeps 0.1 s: its whole buffer
        target is 0.2 s (``LatencyConfig.target_latency``), and what the device
        holds is part of it. PortAudio's 'low' through PulseAudio underruns
        even on an idle machine."""
        if self.latency is not None:
            return self.latency
        return LOW_LATENCY_DEVICE_S if low_latency else DEVICE_LATENCY_S


@dataclass(frozen=True)
class LatencyConfig:
    low_latency: bool = False
    # Our share of a low-latency stream's latency (``buffered``: from the
    # sound heard, or the frame shown, to the newest media demuxed; the
    # device's queue is in it). Issue 11 asks <= 0.3 s glass to glass, and
    # the source and the screen take 30-50 ms of that: with 0.3 here and
    # 0.5 over it before any catch-up, an A+V RTMP start that buffered 0.3 s
    # played 0.31-0.36 s behind the glass for good.
    target_latency: float = 0.2
    catch_up: CatchUp = "speed"
    # Catch up when more than this is buffered beyond the target (back to
    # normal speed within a quarter of it): 0.25 s, and 0.21 s once caught up.
    catch_up_threshold: float = 0.05
    # 10 % fast (atempo keeps the pitch), as a stall's loss is won back: a
    # start that waited 0.7 s for a new PulseAudio stream to run is back
    # within 0.1 s of the target in 5 s (at 5 %, 10 s)
    catch_up_speed: float = 1.1
    # Beyond this much excess buffer, drop to the live edge instead.
    drop_threshold: float = 3.0
    # Default mode, RTSP/RTMP: after a stall, win the lost time back (play
    # 10 % fast, or jump when more than 0.5 s behind) to the start buffer,
    # instead of staying that much later for the rest of the stream.
    stall_recovery: bool = True
    # The figures above are for sources whose packets come at the pace they
    # are made (RTSP, RTMP). HLS comes a segment (or part) at a time: held
    # that tight, one 30 s low-latency run stalled 3 times (0 with these).
    segmented_target_latency: float = 0.3
    segmented_catch_up_threshold: float = 0.5
    segmented_catch_up_speed: float = 1.05

    def for_source(self, paced: bool) -> LatencyConfig:
        """The catch-up's figures for a paced source, or a segmented one."""
        if paced:
            return self
        return replace(
            self,
            target_latency=self.segmented_target_latency,
            catch_up_threshold=self.segmented_catch_up_threshold,
            catch_up_speed=self.segmented_catch_up_speed,
        )


@dataclass(frozen=True)
class PlayerConfig:
    network: NetworkConfig = field(default_factory=NetworkConfig)
    buffer: BufferConfig = field(default_factory=BufferConfig)
    decode: DecodeConfig = field(default_factory=DecodeConfig)
    sync: SyncConfig = field(default_factory=SyncConfig)
    audio: AudioConfig = field(default_factory=AudioConfig)
    latency: LatencyConfig = field(default_factory=LatencyConfig)

    def with_options(self, options: OpenOptions | None) -> PlayerConfig:
        """This config with one URL's options applied."""
        if options is None:
            return self
        cfg = self
        if options.rtsp_transport is not None:
            cfg = replace(cfg, network=replace(cfg.network, rtsp_transport=options.rtsp_transport))
        if options.low_latency is not None:
            cfg = replace(cfg, latency=replace(cfg.latency, low_latency=options.low_latency))
        if options.hwdec is not None:
            cfg = replace(cfg, decode=replace(cfg.decode, hwdec=options.hwdec))
        if options.abr_policy is not None:
            cfg = replace(cfg, network=replace(cfg.network, abr_policy=options.abr_policy))
        return cfg


@dataclass(frozen=True)
class OpenOptions:
    """Per-URL choices (the URL dialog's options, CLI flags)."""

    rtsp_transport: RtspTransport | None = None
    low_latency: bool | None = None
    start_position: float | None = None
    # Open paused on the first frame (tests, frame stepping from the start).
    start_paused: bool = False
    #: subtitle languages to pick first (ISO 639-1, e.g. ("ko", "en")), as
    #: mpv's --slang; the window passes its own language
    subtitle_languages: tuple[str, ...] = ()
    #: hardware decoding for this URL (None: the config's)
    hwdec: HwDec | None = None
    #: adaptive streams: play this rung (0: the lowest bitrate) from the start
    variant: int | None = None
    #: adaptive streams: play the tallest rung at or under this many lines
    max_height: int | None = None
    #: stop (as at the end) when the play position reaches this (seconds)
    end_position: float | None = None
    #: mpv's --aid/--sid: a track by its index in ``MediaInfo.audio_tracks`` /
    #: ``subtitle_tracks`` (from 0), "no" (none), "auto" (the player's choice)
    audio_track: TrackChoice = "auto"
    subtitle_track: TrackChoice = "auto"
    #: subtitle files to add and show (mpv's --sub-file)
    subtitle_files: tuple[str, ...] = ()
    #: adaptive streams: the ABR policy by name (None: the config's)
    abr_policy: AbrPolicyName | None = None


DEFAULT_CONFIG = PlayerConfig()
