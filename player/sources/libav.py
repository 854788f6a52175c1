"""Every non-HLS protocol through libavformat (PyAV): files, progressive
HTTP(S), RTSP, RTMP. Explicit options, whitelists and timeouts on every open."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import av.error

from .. import libav_log
from ..clock import Clock, SystemClock
from ..config import PlayerConfig
from ..decode_threads import DecodeThreads
from ..errors import (
    ErrorCode,
    NetworkError,
    PlayerError,
    UnsupportedError,
    code_for_socket_error,
    error_for,
)
from ..events import (
    AudioInfo,
    Event,
    MediaInfo,
    Reconnected,
    Reconnecting,
    TrackInfo,
    VideoInfo,
    WarningRaised,
)
from ..hwdec import VideoContexts
from ..latency import prft_wallclock
from ..redact import redact
from ..source_api import DemuxPacket, SourceInfo, StreamSpec
from ..track_selection import TrackSelection
from .audio_streams import audio_spec, audio_track_infos, default_audio
from .urls import Target, protocol_whitelist

__all__ = ["LibavSource", "map_av_error"]

log = logging.getLogger(__name__)


def _ca_file(config: PlayerConfig) -> str:
    if config.network.ca_file:
        return config.network.ca_file
    import certifi

    return str(certifi.where())


#: how much stream time an RTMP probe gives a second stream to appear after
#: the first (µs): audio follows its video's keyframe within a frame or two
RTMP_ANALYZE_US = 200_000
#: the probe an RTMP open is retried with when the short one found the audio
#: before the video's first keyframe came (libavformat's default)
RTMP_FULL_ANALYZE_US = 5_000_000


def missed_video(target: Target, opts: dict[str, str], kinds: list[str]) -> bool:
    """Whether a short RTMP probe (``opts``) ended on audio alone, before the
    video's keyframe: a server that sends a new player the audio at once
    (nginx-rtmp's ``wait_video off``) starts the video at the next keyframe,
    up to a GOP later. Streams that appear after the probe are never read,
    so the open is retried with the full probe (an audio-only stream pays
    one more open; it waited the full probe before too)."""
    return (
        target.family == "rtmp"
        and opts.get("analyzeduration") == str(RTMP_ANALYZE_US)
        and "audio" in kinds
        and "video" not in kinds
    )


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
    if target.family in ("rtsp", "rtmp"):
        # The probe can end on the first frame that decodes (RTSP's SDP and
        # RTMP's sequence headers say what the streams are); libavformat
        # would go on reading 20 frames (0.8 s at 25 fps) to guess a frame
        # rate the player does not need (frames are timed by their
        # timestamps): RTSP's first frame 1.05 s -> 0.33 s, RTMP's 2.0 s ->
        # 0.4-1.0 s (the join waits for a keyframe) on the glass-to-glass bench.
        opts["fpsprobesize"] = "0"
    if target.family == "rtmp":
        # FLV over RTMP declares no streams up front: libavformat keeps
        # probing for one that may yet appear until analyzeduration of stream
        # time has passed, so a video-only stream waited 5 s for audio that
        # never comes. An A+V stream ends its probe once both have appeared
        # (nginx-rtmp sends the audio right after the keyframe, or before it;
        # an audio-first probe that ends before the keyframe is reopened:
        # LibavSource.open)
        opts["analyzeduration"] = str(RTMP_ANALYZE_US)
    if config.latency.low_latency and target.inherently_live:
        if target.family not in ("rtsp", "rtmp"):
            # "nobuffer" throws away what the probe read. RTSP and RTMP keep
            # it: the frames a server held back until PLAY (GStreamer's: 0.3 s)
            # or the probe read (RTMP: the keyframe nginx-rtmp starts a player
            # on) carry the keyframe, and the engine decodes them and shows
            # only the newest (player/edge_jump.py); thrown away, the picture
            # would wait a whole GOP for the next keyframe (RTMP's first frame
            # in low latency: 1.6 s against 1.05 s in the default mode)
            opts["fflags"] = "nobuffer"
        if target.family != "rtmp":
            opts["analyzeduration"] = "500000"
        opts["probesize"] = "200000"
    elif target.family == "rtsp":
        opts["analyzeduration"] = "1000000"  # the SDP says what the streams are
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


def _av_words(exc: BaseException) -> str:
    """What FFmpeg said, without the "[Errno N]" prefix or the URL."""
    strerror = getattr(exc, "strerror", None)
    words = str(strerror) if strerror else type(exc).__name__
    logged = getattr(exc, "log", None)
    if isinstance(logged, tuple) and len(logged) == 3 and logged[2]:
        words += f" ({str(logged[2]).strip()})"
    return redact(words)


def map_av_error(exc: BaseException, target: Target) -> PlayerError:
    """One clear, redacted message per failure: what happened, what to try."""
    if isinstance(exc, PlayerError):
        return exc
    where = target.display
    local = target.family == "file"
    protocol = {"rtsp": "RTSP", "rtmp": "RTMP"}.get(target.family, "HTTP")
    if isinstance(exc, av.error.HTTPNotFoundError):
        return error_for(ErrorCode.NOT_FOUND, protocol=protocol, where=where)
    if isinstance(exc, av.error.HTTPForbiddenError):
        return error_for(ErrorCode.FORBIDDEN, protocol=protocol, where=where)
    if isinstance(exc, av.error.HTTPUnauthorizedError):
        return error_for(ErrorCode.UNAUTHORIZED, protocol=protocol, where=where)
    if isinstance(exc, av.error.HTTPServerError):
        return error_for(ErrorCode.SERVER_ERROR, protocol=protocol, where=where)
    if isinstance(exc, av.error.HTTPClientError):
        return error_for(ErrorCode.REQUEST_REJECTED, protocol=protocol, where=where)
    if isinstance(exc, av.error.ConnectionRefusedError):
        return error_for(ErrorCode.CONNECTION_REFUSED, where=where)
    if isinstance(exc, av.error.ExitError | av.error.TimeoutError):
        return error_for(ErrorCode.TIMEOUT, where=where)
    if isinstance(exc, av.error.ProtocolNotFoundError):
        return error_for(ErrorCode.PROTOCOL_REFUSED, where=where, detail=_av_words(exc))
    if isinstance(exc, av.error.FileNotFoundError):
        if local:
            return error_for(ErrorCode.FILE_NOT_FOUND, where=where)
        return error_for(ErrorCode.NOT_FOUND, protocol=protocol, where=where)
    if isinstance(exc, av.error.PermissionError):
        if local:
            return error_for(ErrorCode.FILE_NO_PERMISSION, where=where)
        return error_for(ErrorCode.FORBIDDEN, protocol=protocol, where=where)
    if isinstance(exc, av.error.InvalidDataError):
        return error_for(ErrorCode.NOT_MEDIA, where=where)
    if isinstance(exc, av.error.ArgumentError) and "://" in where:
        return error_for(ErrorCode.REDIRECT_REFUSED, where=where)
    if isinstance(exc, av.error.DecoderNotFoundError):
        return error_for(ErrorCode.NO_DECODER, where=where)
    if isinstance(exc, av.error.EOFError):
        # The data ended before libavformat had what it needed.
        return error_for(
            ErrorCode.FILE_CUT_SHORT if local else ErrorCode.STREAM_CUT_SHORT, where=where
        )
    if isinstance(exc, av.error.OSError | OSError):
        words = _av_words(exc)
        lowered = words.lower()
        if "certificate" in lowered or "tls" in lowered or "ssl" in lowered:
            return error_for(ErrorCode.TLS_REJECTED, where=where)
        if local:
            return error_for(ErrorCode.FILE_READ_FAILED, where=where)
        code = code_for_socket_error(words, exc.errno)
        if code is not None:
            return error_for(code, where=where)
        # EIO and its kin from a network protocol: the transfer broke off.
        return error_for(ErrorCode.CONNECTION_LOST, where=where)
    return error_for(ErrorCode.DECODE, detail=f"{where}: {_av_words(exc)}")


class LibavSource:
    """A libavformat input. ``open``/``read``/``seek``/``close`` on the demux
    thread only; ``interrupt`` from anywhere."""

    def __init__(
        self,
        target: Target,
        config: PlayerConfig,
        clock: Clock | None = None,
        emit: Callable[[Event], None] | None = None,
    ) -> None:
        self._target = target
        self._config = config
        self._clock = clock or SystemClock()
        self._emit = emit or (lambda event: None)
        #: FFmpeg's HTTP resumes since the last packet: (attempts, outage start)
        self._resuming: tuple[int, float] | None = None
        self._last_packet_at: float | None = None
        self._container: Any = None
        self._iter: Iterator[Any] | None = None
        self._video: Any = None
        self._audios: list[Any] = []
        self._selection: TrackSelection | None = None
        self._tracks: tuple[TrackInfo, ...] = ()
        self._specs: dict[int, StreamSpec] = {}
        self._base: float = 0.0
        self._interrupted = threading.Event()
        self._live = target.inherently_live
        self._pending_discontinuity = False
        self._duration: float | None = None
        self._rtsp = target.family == "rtsp"
        self._video_contexts = VideoContexts(
            config.decode.hwdec,
            lambda code, /, **params: self._emit(WarningRaised.of(code, params)),
        )

    @property
    def is_live(self) -> bool:
        return self._live

    def select_variant(self, index: int | None) -> None:
        return None

    def _on_resume(self, notice: libav_log.HttpResume) -> None:
        # On the demux thread, inside a read that FFmpeg is retrying.
        now = self._clock.now()
        attempts, since = self._resuming or (0, self._last_packet_at or now)
        attempts += 1
        self._resuming = (attempts, since)
        log.info(
            "HTTP read failed (%s) at byte %d of %s; resuming in %g s (attempt %d)",
            notice.reason,
            notice.offset,
            self._target.display,
            notice.delay,
            attempts,
        )
        self._emit(
            Reconnecting.of(
                attempts, notice.delay, f"{notice.reason}; resuming from byte {notice.offset}"
            )
        )

    def _resumed(self) -> None:
        now = self._clock.now()
        self._last_packet_at = now
        if self._resuming is None:
            return
        attempts, since = self._resuming
        self._resuming = None
        self._emit(Reconnected(attempt=attempts, outage=now - since))

    def open(self) -> SourceInfo:
        opts = build_options(self._target, self._config)
        # FFmpeg's words go to our log for every source (and into PyAV's
        # exceptions, which name the cause, such as a name that does not resolve).
        libav_log.install()
        if "reconnect" in opts:
            libav_log.watch(self._on_resume)
        container = self._open_container(opts)
        if missed_video(self._target, opts, [s.type for s in container.streams]):
            log.info("%s: audio came before the video's keyframe; probing again",
                     self._target.display)  # fmt: skip
            container.close()
            opts["analyzeduration"] = str(RTMP_FULL_ANALYZE_US)
            container = self._open_container(opts)
        self._container = container
        try:
            return self._probe(container)
        except PlayerError as error:
            self.close()
            raise self._cut_off(error) from None
        except Exception:
            self.close()
            raise

    def _open_container(self, opts: dict[str, str]) -> Any:
        net = self._config.network
        try:
            return av.open(
                self._target.url,
                mode="r",
                options=opts,
                # PyAV's own deadline interrupts FFmpeg's resume loop: give
                # it room for the resume attempts (rw_timeout bounds each).
                timeout=(net.open_timeout, read_deadline(self._target, self._config)),
            )
        except Exception as exc:  # every PyAV failure becomes one clear error
            error = map_av_error(exc, self._target)
            if self._target.scheme in ("https", "rtsps", "rtmps") and isinstance(
                exc, av.error.OSError
            ):
                # FFmpeg reports a refused certificate as a bare I/O error: ask
                # Python's TLS stack why, so the message can say so.
                reason = diagnose_tls(self._target.url, _ca_file(self._config), net.open_timeout)
                if reason is not None:
                    error = error_for(
                        ErrorCode.TLS_UNTRUSTED, reason=reason, where=self._target.display
                    )
            raise self._cut_off(error) from None

    def _cut_off(self, error: PlayerError) -> PlayerError:
        """What libavformat makes of a transfer that broke off mid-header (too
        little data to probe, "no streams") is the broken transfer itself."""
        misread = (ErrorCode.NOT_MEDIA, ErrorCode.NO_STREAMS, ErrorCode.STREAM_CUT_SHORT)
        if self._resuming is not None and error.code in misread:
            return error_for(ErrorCode.CONNECTION_LOST, where=self._target.display)
        return error

    def _probe(self, container: Any) -> SourceInfo:
        fmt_name: str = container.format.name if container.format else "unknown"
        if "hls" in fmt_name.split(","):
            # Our own HLS engine plays HLS; libavformat's would fetch any URI the
            # playlist names.
            raise UnsupportedError("hls-redirect")
        video = next(iter(container.streams.video), None)
        audios = [a for a in container.streams.audio if a.codec_context is not None]
        chosen = default_audio(audios)
        audio = audios[chosen] if audios else None
        if video is None and audio is None:
            raise error_for(ErrorCode.NO_STREAMS, where=self._target.display)
        dec = self._config.decode
        low_latency = self._config.latency.low_latency or self._target.inherently_live
        vinfo: VideoInfo | None = None
        ainfo: AudioInfo | None = None
        specs: dict[int, StreamSpec] = {}
        if video is not None:
            cc = video.codec_context
            if cc.width * cc.height > dec.max_pixels:
                raise error_for(
                    ErrorCode.TOO_LARGE, width=cc.width, height=cc.height, limit=dec.max_pixels
                )
            rate = video.average_rate or video.guessed_rate
            fps = float(rate) if rate else None

            threads = DecodeThreads.of(dec, low_latency=low_latency)

            def make_video(cc: Any = cc) -> Any:
                return self._video_contexts.make(threads.apply(cc), cc.name, cc.extradata)

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
        # Several audio streams: all are demuxed, the decoder plays the chosen one.
        self._selection = TrackSelection(chosen, len(audios)) if len(audios) > 1 else None
        for n, stream in enumerate(audios):
            specs[stream.index] = audio_spec(stream, n, self._selection)
        if audio is not None:
            aspec = specs[audio.index]
            ainfo = AudioInfo(aspec.codec_name, aspec.sample_rate, aspec.channels, aspec.bit_rate)
        self._tracks = audio_track_infos(audios, chosen) if len(audios) > 1 else ()
        self._video, self._audios, self._specs = video, audios, specs
        duration = container.duration / 1_000_000 if container.duration else None
        if duration is None or self._target.inherently_live:
            # A stream of unknown length over HTTP is live (an MPEG-TS feed).
            self._live = True
            duration = None
        self._duration = duration
        start = container.start_time / 1_000_000 if container.start_time is not None else None
        self._base = start if start is not None and not self._live else float("nan")
        self._iter = iter(container.demux(self._streams()))
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
            audio_tracks=self._tracks,
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
                raise map_av_error(exc, self._target) from None
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
            self._resumed()
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
            raise map_av_error(exc, self._target) from None
        # A demux generator that reached the end stays exhausted: start a new one.
        self._iter = iter(self._container.demux(self._streams()))
        self._pending_discontinuity = True

    def _streams(self) -> list[Any]:
        return [s for s in (self._video, *self._audios) if s is not None]

    # -- Tracks: a file's audio streams (its text streams are the player's) ----
    def audio_tracks(self) -> tuple[TrackInfo, ...]:
        return self._tracks

    def subtitle_tracks(self) -> tuple[TrackInfo, ...]:
        return ()

    def select_audio_track(self, index: int | None) -> None:
        """Any thread: hear audio stream ``index`` (None: the file's default),
        from the play position on. Raises ``ValueError`` for no such track."""
        selection = self._selection
        if selection is None:
            if index not in (None, 0):
                raise ValueError(f"no audio track {index}")
            return
        if index is None:
            index = next(t.index for t in self._tracks if t.default)
        selection.select(index)

    def select_subtitle_track(self, index: int | None) -> None:
        return None

    def subtitle_text(self, position: float) -> str | None:
        return None

    def video_decoder(self) -> str | None:
        return self._video_contexts.in_use()

    def interrupt(self) -> None:
        self._interrupted.set()

    def close(self) -> None:
        libav_log.unwatch(self._on_resume)
        container, self._container = self._container, None
        self._iter = None
        if container is not None:
            try:
                container.close()
            except Exception as exc:  # closing must never raise into the engine
                log.debug("close failed: %s", redact(str(exc)))
