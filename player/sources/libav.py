"""Every non-HLS protocol through libavformat (PyAV): files, progressive
HTTP(S), RTSP, RTMP. Explicit options, whitelists and timeouts on every open."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import av.error

from ..config import PlayerConfig
from ..errors import (
    DecodeError,
    FormatError,
    NetworkError,
    PlayerError,
    SecurityError,
    UnsupportedError,
)
from ..events import AudioInfo, MediaInfo, VideoInfo
from ..latency import prft_wallclock
from ..redact import redact
from ..source import DemuxPacket, SourceInfo, StreamSpec
from .urls import Target, protocol_whitelist

__all__ = ["LibavSource", "map_av_error"]

log = logging.getLogger(__name__)


def _ca_file(config: PlayerConfig) -> str:
    if config.network.ca_file:
        return config.network.ca_file
    import certifi

    return str(certifi.where())


#: FFmpeg's own HTTP resume: at most this many attempts per failed read,
#: with delays 0 s and 1 s (the next one, 3 s, is past the maximum)
HTTP_RECONNECT_RETRIES = 2
HTTP_RECONNECT_DELAY_MAX = 2


def read_deadline(target: Target, config: PlayerConfig) -> float:
    """The longest one read may block: the socket timeout, times the HTTP
    resume attempts plus their delays where FFmpeg resumes by itself."""
    read = config.network.read_timeout
    if target.family == "http" and not target.inherently_live:
        return read * (HTTP_RECONNECT_RETRIES + 1) + 1.0 + 0.5
    return read


def build_options(target: Target, config: PlayerConfig) -> dict[str, str]:
    """libavformat options for one open: whitelist, TLS, timeouts, latency."""
    net = config.network
    opts: dict[str, str] = {
        "protocol_whitelist": protocol_whitelist(target, net.rtsp_transport),
        # Caps the frame size any decoder will accept (a hostile SPS cannot
        # make us allocate gigabytes).
        "max_pixels": str(config.decode.max_pixels),
    }
    read_us = str(int(net.read_timeout * 1_000_000))
    if target.family == "http":
        opts["user_agent"] = net.user_agent
        opts["rw_timeout"] = read_us
        if not target.inherently_live:
            # A read that times out or fails before the end of a sized body
            # asks again from the byte it stopped at (FFmpeg waits 0 s, then
            # 1 s); the player keeps playing its buffer meanwhile. Unsized
            # (live) bodies are the engine's to reconnect.
            opts["reconnect"] = "1"
            opts["reconnect_on_network_error"] = "1"
            opts["reconnect_delay_max"] = str(HTTP_RECONNECT_DELAY_MAX)
            opts["reconnect_max_retries"] = str(HTTP_RECONNECT_RETRIES)
        if target.scheme == "https":
            opts["tls_verify"] = "1" if net.tls_verify else "0"
            opts["ca_file"] = _ca_file(config)
    elif target.family == "rtsp":
        opts["timeout"] = read_us  # socket I/O timeout in µs (not listen mode)
        opts["user_agent"] = net.user_agent
        if net.rtsp_transport != "auto":
            opts["rtsp_transport"] = net.rtsp_transport
        if target.scheme == "rtsps":
            opts["tls_verify"] = "1" if net.tls_verify else "0"
            opts["ca_file"] = _ca_file(config)
    elif target.family == "rtmp":
        # RTMP's "timeout" is a listen timeout; rw_timeout bounds reads.
        opts["rw_timeout"] = read_us
        if target.scheme == "rtmps":
            opts["tls_verify"] = "1" if net.tls_verify else "0"
            opts["ca_file"] = _ca_file(config)
    if config.latency.low_latency and target.inherently_live:
        opts["fflags"] = "nobuffer"
        opts["analyzeduration"] = "500000"
        opts["probesize"] = "200000"
    elif target.family == "rtsp":
        # RTSP announces its streams in the SDP: a long probe only delays the
        # first frame (mpv takes ~1.1 s here).
        opts["analyzeduration"] = "1000000"
    return opts


def diagnose_tls(url: str, ca_file: str, timeout: float) -> str | None:
    """Why a TLS handshake with ``url``'s host fails verification, or None."""
    import socket
    import ssl
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname
    if not host:
        return None
    default = {"https": 443, "rtsps": 322, "rtmps": 443}.get(parts.scheme, 443)
    ctx = ssl.create_default_context(cafile=ca_file)
    try:
        with (
            socket.create_connection(
                (host, parts.port or default), timeout=min(timeout, 3.0)
            ) as raw,
            ctx.wrap_socket(raw, server_hostname=host),
        ):
            return None
    except ssl.SSLCertVerificationError as exc:
        return str(exc.verify_message or exc.reason or "verification failed")
    except (OSError, ssl.SSLError):
        return None


def map_av_error(exc: BaseException, display: str) -> PlayerError:
    """One clear, redacted message per failure kind."""
    if isinstance(exc, PlayerError):
        return exc
    detail = redact(str(exc))
    if isinstance(exc, av.error.HTTPNotFoundError):
        return NetworkError(f"The server has no such stream (HTTP 404): {display}")
    if isinstance(exc, av.error.HTTPForbiddenError):
        return NetworkError(f"The server refused access (HTTP 403): {display}")
    if isinstance(exc, av.error.HTTPUnauthorizedError):
        return NetworkError(f"The server wants a login (HTTP 401): {display}")
    if isinstance(exc, av.error.HTTPServerError):
        return NetworkError(f"The server failed (HTTP 5xx), try again later: {display}")
    if isinstance(exc, av.error.HTTPClientError):
        return NetworkError(f"The server rejected the request (HTTP 4xx): {display}")
    if isinstance(exc, av.error.ConnectionRefusedError):
        return NetworkError(f"Connection refused: nothing is listening at {display}")
    if isinstance(exc, av.error.ExitError | av.error.TimeoutError):
        return NetworkError(f"The server did not answer in time: {display}")
    if isinstance(exc, av.error.ProtocolNotFoundError):
        return SecurityError(
            f"Refused to follow {display} to a protocol outside its own family ({detail})"
        )
    if isinstance(exc, av.error.FileNotFoundError):
        return FormatError(f"File not found: {display}")
    if isinstance(exc, av.error.PermissionError):
        return FormatError(f"Permission denied: {display}")
    if isinstance(exc, av.error.InvalidDataError):
        return FormatError(
            f"Not a playable media stream (the data is not in a known format): {display}"
        )
    if isinstance(exc, av.error.ArgumentError) and "://" in display:
        return SecurityError(
            f"Refused to follow where the server sent us (a redirect to another protocol, "
            f"such as file:, is never followed): {display}"
        )
    if isinstance(exc, av.error.DecoderNotFoundError):
        return UnsupportedError(f"No decoder for this codec: {display}")
    if isinstance(exc, av.error.OSError | OSError):
        text = detail.lower()
        if "certificate" in text or "tls" in text or "ssl" in text:
            return SecurityError(f"The server's TLS certificate was not accepted: {display}")
        if "connection reset" in text or "broken pipe" in text or "end of file" in text:
            return NetworkError(f"The connection was lost: {display}")
        return NetworkError(f"Cannot read {display}: {detail}")
    return DecodeError(f"Cannot play {display}: {detail}")


class LibavSource:
    """A libavformat input. ``open``/``read``/``seek``/``close`` on the demux
    thread only; ``interrupt`` from anywhere."""

    def __init__(self, target: Target, config: PlayerConfig) -> None:
        self._target = target
        self._config = config
        self._container: Any = None
        self._iter: Iterator[Any] | None = None
        self._video: Any = None
        self._audio: Any = None
        self._specs: dict[int, StreamSpec] = {}
        self._base: float = 0.0
        self._interrupted = threading.Event()
        self._live = target.inherently_live
        self._pending_discontinuity = False
        self._duration: float | None = None
        self._rtsp = target.family == "rtsp"

    @property
    def is_live(self) -> bool:
        return self._live

    def select_variant(self, index: int | None) -> None:
        return None

    def open(self) -> SourceInfo:
        net = self._config.network
        opts = build_options(self._target, self._config)
        try:
            container = av.open(
                self._target.url,
                mode="r",
                options=opts,
                # PyAV's own deadline interrupts FFmpeg's resume loop: give
                # it room for the resume attempts (rw_timeout bounds each).
                timeout=(net.open_timeout, read_deadline(self._target, self._config)),
            )
        except Exception as exc:  # every PyAV failure becomes one clear error
            error = map_av_error(exc, self._target.display)
            if self._target.scheme in ("https", "rtsps", "rtmps") and isinstance(
                exc, av.error.OSError
            ):
                # FFmpeg reports a refused certificate as a bare I/O error: ask
                # Python's TLS stack why, so the message can say so.
                reason = diagnose_tls(self._target.url, _ca_file(self._config), net.open_timeout)
                if reason is not None:
                    error = SecurityError(
                        f"The server's TLS certificate is not trusted ({reason}): "
                        f"{self._target.display}"
                    )
            raise error from None
        self._container = container
        try:
            return self._probe(container)
        except Exception:
            self.close()
            raise

    def _probe(self, container: Any) -> SourceInfo:
        fmt_name: str = container.format.name if container.format else "unknown"
        if "hls" in fmt_name.split(","):
            # Our own HLS engine plays HLS; libavformat's would fetch any URI the
            # playlist names.
            raise UnsupportedError("hls-redirect")
        video = next(iter(container.streams.video), None)
        audio = next(iter(container.streams.audio), None)
        if video is None and audio is None:
            raise FormatError(f"No audio or video in {self._target.display}")
        dec = self._config.decode
        low_latency = self._config.latency.low_latency or self._target.inherently_live
        vinfo: VideoInfo | None = None
        ainfo: AudioInfo | None = None
        specs: dict[int, StreamSpec] = {}
        if video is not None:
            cc = video.codec_context
            if cc.width * cc.height > dec.max_pixels:
                raise UnsupportedError(
                    f"The video is {cc.width}x{cc.height}, larger than the {dec.max_pixels} "
                    "pixel limit."
                )
            rate = video.average_rate or video.guessed_rate
            fps = float(rate) if rate else None

            def make_video(cc: Any = cc) -> Any:
                cc.thread_count = dec.threads
                # Frame threading adds (threads - 1) frames of delay: VOD only.
                cc.thread_type = "SLICE" if low_latency or not dec.frame_threading else "AUTO"
                return cc

            vspec = StreamSpec(
                kind="video",
                codec_name=cc.name,
                time_base=video.time_base or Fraction(1, 90000),
                make_decoder=make_video,
                width=cc.width,
                height=cc.height,
                fps=fps,
                pix_fmt=cc.format.name if cc.format else None,
                bit_rate=cc.bit_rate or None,
            )
            specs[video.index] = vspec
            vinfo = VideoInfo(cc.name, cc.width, cc.height, fps, vspec.pix_fmt, vspec.bit_rate)
        if audio is not None:
            acc = audio.codec_context

            def make_audio(acc: Any = acc) -> Any:
                return acc

            aspec = StreamSpec(
                kind="audio",
                codec_name=acc.name,
                time_base=audio.time_base or Fraction(1, acc.sample_rate or 48000),
                make_decoder=make_audio,
                sample_rate=acc.sample_rate or 0,
                channels=acc.channels or 0,
                bit_rate=acc.bit_rate or None,
            )
            specs[audio.index] = aspec
            ainfo = AudioInfo(acc.name, acc.sample_rate or 0, acc.channels or 0, aspec.bit_rate)
        self._video, self._audio, self._specs = video, audio, specs
        duration = container.duration / 1_000_000 if container.duration else None
        if duration is None or self._target.inherently_live:
            # A stream of unknown length over HTTP is live (an MPEG-TS feed).
            self._live = True
            duration = None
        self._duration = duration
        start = container.start_time / 1_000_000 if container.start_time is not None else None
        self._base = start if start is not None and not self._live else float("nan")
        streams = [s for s in (video, audio) if s is not None]
        self._iter = iter(container.demux(streams))
        title = str(container.metadata.get("title", "")) if container.metadata else ""
        if not title:
            title = (
                Path(self._target.url).name
                if self._target.family == "file"
                else self._target.display.rsplit("/", 1)[-1]
            )
        info = MediaInfo(
            url=self._target.display,
            protocol=self._target.scheme,
            container=fmt_name,
            duration=duration,
            is_live=self._live,
            seekable=not self._live,
            video=vinfo,
            audio=ainfo,
            title=title,
        )
        return SourceInfo(
            media=info,
            video=specs.get(video.index) if video is not None else None,
            audio=specs.get(audio.index) if audio is not None else None,
            start_time=0.0,
        )

    def read(self) -> DemuxPacket | None:
        if self._iter is None:
            raise PlayerError("The source is not open.")
        while True:
            if self._interrupted.is_set():
                raise NetworkError("Interrupted.")
            try:
                packet = next(self._iter)
            except StopIteration:
                return None
            except av.error.EOFError:
                return None
            except Exception as exc:
                raise map_av_error(exc, self._target.display) from None
            if packet.size == 0 and packet.pts is None:
                continue  # PyAV's flush packet at the end of the stream
            spec = self._specs.get(packet.stream.index)
            if spec is None:
                continue
            tb = packet.time_base or spec.time_base
            raw = packet.pts if packet.pts is not None else packet.dts
            if raw is None:
                pts = None
            else:
                t = float(raw * tb)
                if self._base != self._base:  # NaN: live, base on the first timestamp
                    self._base = t
                pts = t - self._base
            dts = float(packet.dts * tb) - self._base if packet.dts is not None else None
            duration = float(packet.duration * tb) if packet.duration else 0.0
            discontinuity = self._pending_discontinuity
            self._pending_discontinuity = False
            wallclock = None
            if self._rtsp and packet.has_sidedata("prft"):
                # Stamped by libavformat from RTCP sender reports (capture time).
                wallclock = prft_wallclock(bytes(packet.get_sidedata("prft")))
            return DemuxPacket(
                stream=spec,
                packet=packet,
                pts=pts,
                dts=dts,
                duration=duration,
                size=packet.size,
                keyframe=bool(packet.is_keyframe),
                discontinuity=discontinuity,
                wallclock=wallclock,
            )

    def seek(self, position: float, exact: bool) -> None:
        if self._container is None or self._live:
            return
        base = self._base if self._base == self._base else 0.0
        target_us = int((position + base) * 1_000_000)
        try:
            # Backward to the keyframe at or before the target; exact seeks
            # decode forward from there and drop frames before the target.
            self._container.seek(max(0, target_us), backward=True, any_frame=False)
        except Exception as exc:
            raise map_av_error(exc, self._target.display) from None
        # A demux generator that reached the end stays exhausted: start a new one.
        streams = [s for s in (self._video, self._audio) if s is not None]
        self._iter = iter(self._container.demux(streams))
        self._pending_discontinuity = True

    def interrupt(self) -> None:
        self._interrupted.set()

    def close(self) -> None:
        container, self._container = self._container, None
        self._iter = None
        if container is not None:
            try:
                container.close()
            except Exception as exc:  # closing must never raise into the engine
                log.debug("close failed: %s", redact(str(exc)))
