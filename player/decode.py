"""Decode threads: one per elementary stream. They pull packets, decode with
FFmpeg (GIL released while decoding) and push frames or resampled audio."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from fractions import Fraction
from typing import Any, Protocol

import av
import av.error

from .audio_out import AudioBuffer
from .metrics import SessionMetrics
from .queues import EOS, MediaQueue, QueueItem
from .source import DemuxPacket, StreamSpec
from .video_sink import VideoFrame

__all__ = ["AudioDecoder", "DecodeContext", "VideoDecoder"]

log = logging.getLogger(__name__)

_POLL = 0.05


def _packet_offset(pkt: DemuxPacket) -> float | None:
    """Our timeline minus the packet's own: frames out of the decoder carry the
    packet's time base, and B-frames come out in another order than packets."""
    raw = pkt.packet.pts if pkt.packet.pts is not None else pkt.packet.dts
    if raw is None or pkt.pts is None:
        return None
    tb = pkt.packet.time_base or pkt.stream.time_base
    return pkt.pts - float(raw * tb)


class DecodeContext(Protocol):
    """What a decoder reads of its session and reports to it, from its own
    thread. The engine's ``Session`` is one; a test passes its own. Decoders
    never see more of the session than this."""

    #: set when the session closes: the decoder's loop ends
    stopping: threading.Event
    #: the current serial: items of another one are stale (a seek happened)
    serial: int
    #: an exact seek's target: frames before it are decoded, not delivered
    drop_before: float | None
    #: playback speed, for audio's tempo filter
    speed: float
    #: decoded-frame counts and the first-audio time
    metrics: SessionMetrics

    def fail_from_thread(self, exc: BaseException) -> None: ...

    def on_decode_error(self, kind: str, exc: BaseException) -> None: ...


class _DecoderThread(threading.Thread):
    kind = "stream"

    def __init__(self, session: DecodeContext, packets: MediaQueue[DemuxPacket]) -> None:
        super().__init__(name=f"heureum-{self.kind}-decode", daemon=True)
        self.session = session
        self.packets = packets
        self.codec: Any = None
        self.spec: StreamSpec | None = None
        self.serial = -1
        self.offset = 0.0
        self.time_base: Fraction | None = None
        # Held while this thread uses its codec context: a container seek
        # flushes the contexts of its streams, and must not do so mid-decode.
        self.codec_lock = threading.Lock()

    def run(self) -> None:
        try:
            self._loop()
        except Exception as exc:  # a bug here must end in an error event, not silence
            log.exception("%s decoder crashed", self.kind)
            self.session.fail_from_thread(exc)
        finally:
            # Park the codec's frame threads now, without the GIL: freed later
            # (with the GIL held) mid-decode, a worker that logs would wait for
            # the GIL forever (FFmpeg's log reaches Python, see libav_log).
            self._flush()

    def _loop(self) -> None:
        s = self.session
        while not s.stopping.is_set():
            item = self.packets.get(_POLL)
            if item is None:
                continue
            if item.serial != s.serial:
                continue
            if item.serial != self.serial:
                self.serial = item.serial
                self._flush()
            if item.value is EOS:
                self._drain(item.serial)
                self._emit_eos(item.serial)
                continue
            pkt = item.value
            assert isinstance(pkt, DemuxPacket)
            if pkt.stream is not self.spec:
                self._drain(item.serial)
                self.spec = pkt.stream
                self.codec = pkt.stream.make_decoder()
            off = _packet_offset(pkt)
            if off is not None:
                if abs(off - self.offset) > 1e-3 and self.codec is not None:
                    # A timeline break (HLS discontinuity, timestamp rollover): let
                    # the frames of the old timeline out with the old offset first.
                    self._drain(item.serial)
                self.offset = off
            self.time_base = pkt.packet.time_base or pkt.stream.time_base
            try:
                with self.codec_lock:
                    frames = self.codec.decode(pkt.packet)
            except (av.error.InvalidDataError, av.error.UndefinedError, ValueError) as exc:
                s.on_decode_error(self.kind, exc)
                continue
            except av.error.FFmpegError as exc:
                s.on_decode_error(self.kind, exc)
                continue
            self._handle_frames(frames, item.serial)

    def _flush(self) -> None:
        if self.codec is not None:
            try:
                with self.codec_lock:
                    self.codec.flush_buffers()
            except Exception as exc:
                log.debug("flush: %s", exc)

    def _drain(self, serial: int) -> None:
        if self.codec is None:
            return
        try:
            with self.codec_lock:
                frames = self.codec.decode(None)
        except Exception:
            frames = []
        self._handle_frames(frames, serial)
        self._flush()

    def _frame_time(self, frame: Any) -> float | None:
        raw = frame.pts
        if raw is None:
            return None
        tb = frame.time_base or self.time_base
        if tb is None:
            return None
        return float(raw * tb) + self.offset

    def _handle_frames(self, frames: list[Any], serial: int) -> None:
        raise NotImplementedError

    def _emit_eos(self, serial: int) -> None:
        raise NotImplementedError


class VideoDecoder(_DecoderThread):
    kind = "video"

    def __init__(
        self,
        session: DecodeContext,
        packets: MediaQueue[DemuxPacket],
        frames: MediaQueue[VideoFrame],
    ) -> None:
        super().__init__(session, packets)
        self.frames = frames
        self.last_pts: float | None = None
        self.index = 0

    def _handle_frames(self, frames: list[Any], serial: int) -> None:
        s = self.session
        for f in frames:
            if f.is_corrupt:
                # FFmpeg conceals damage instead of failing: still say so.
                s.on_decode_error(self.kind, ValueError("corrupt frame"))
            pts = self._frame_time(f)
            if pts is None:
                fps = self.spec.fps if self.spec and self.spec.fps else 25.0
                pts = (self.last_pts + 1 / fps) if self.last_pts is not None else 0.0
            s.metrics.frames_decoded += 1
            duration = 1 / self.spec.fps if self.spec and self.spec.fps else 0.04
            if s.drop_before is not None and pts + duration / 2 < s.drop_before:
                continue  # exact seek: decoded only to reach the target
            self.last_pts = pts
            self.index += 1
            ratio = getattr(self.codec, "sample_aspect_ratio", None)
            sar = float(ratio) if ratio else 1.0
            vf = VideoFrame(pts, f.width, f.height, f.format.name, f, sar, self.index)
            item = QueueItem[VideoFrame](vf, serial, pts, duration, f.width * f.height * 3 // 2)
            while not s.stopping.is_set() and serial == s.serial:
                if self.frames.put(item, _POLL):
                    break

    def _emit_eos(self, serial: int) -> None:
        self.frames.put_nowait(QueueItem[VideoFrame](EOS, serial, None, 0.0, 0))


class AudioDecoder(_DecoderThread):
    """Decodes, resamples to the device format and (for speed != 1) runs
    FFmpeg's atempo, which changes tempo and keeps the pitch."""

    kind = "audio"

    def __init__(
        self,
        session: DecodeContext,
        packets: MediaQueue[DemuxPacket],
        out: AudioBuffer,
        on_eos: Callable[[int], None],
    ) -> None:
        super().__init__(session, packets)
        self.out = out
        self.on_eos = on_eos
        layout = "stereo" if out.channels == 2 else "mono"
        self.layout = layout
        self.resampler = av.AudioResampler(format="flt", layout=layout, rate=out.rate)
        self.tempo: _Tempo | None = None
        self.next_pts: float | None = None

    def _flush(self) -> None:
        super()._flush()
        self.resampler = av.AudioResampler(format="flt", layout=self.layout, rate=self.out.rate)
        self.tempo = None
        self.next_pts = None

    def _handle_frames(self, frames: list[Any], serial: int) -> None:
        for f in frames:
            if f.is_corrupt:
                self.session.on_decode_error(self.kind, ValueError("corrupt frame"))
            pts = self._frame_time(f)
            for r in self.resampler.resample(f):
                self._push(r, pts, serial)
                pts = None

    def _push(self, frame: Any, pts: float | None, serial: int) -> None:
        s = self.session
        speed = s.speed
        if self.tempo is None or self.tempo.speed != speed:
            self.tempo = _Tempo(speed, self.out.rate, self.layout) if speed != 1.0 else None
            self.next_pts = None  # re-anchor on this frame's own time
        if pts is not None and (self.next_pts is None or abs(pts - self.next_pts) > 0.03):
            self.next_pts = pts
        if self.next_pts is None:
            return
        outs = self.tempo.process(frame) if self.tempo is not None else [frame]
        for o in outs:
            # A dtype by name: numpy comes in with to_ndarray() only when audio
            # is decoded, so a video-only start never pays for importing it.
            data = o.to_ndarray().reshape(-1, self.out.channels).astype("float32", copy=False)
            start = self.next_pts
            self.next_pts = start + len(data) * speed / self.out.rate
            if s.drop_before is not None and self.next_pts <= s.drop_before:
                continue
            if s.metrics.first_audio_at is None:
                s.metrics.first_audio_at = s.metrics.t()
            while not s.stopping.is_set() and serial == s.serial:
                if self.out.put(start, data, speed, _POLL):
                    break

    def _emit_eos(self, serial: int) -> None:
        self.on_eos(serial)


class _Tempo:
    """atempo through PyAV's filter graph (atempo takes 0.5..100 per instance:
    chain two for 0.25x)."""

    def __init__(self, speed: float, rate: int, layout: str) -> None:
        self.speed = speed
        self.graph = av.filter.Graph()
        src = self.graph.add_abuffer(
            format="flt", sample_rate=rate, layout=layout, time_base=Fraction(1, rate)
        )
        node = src
        remaining = speed
        factors: list[float] = []
        while remaining < 0.5:
            factors.append(0.5)
            remaining /= 0.5
        factors.append(remaining)
        for factor in factors:
            f = self.graph.add("atempo", f"{factor:.6f}")
            node.link_to(f)
            node = f
        sink = self.graph.add("abuffersink")
        node.link_to(sink)
        self.graph.configure()

    def process(self, frame: Any) -> list[Any]:
        self.graph.push(frame)
        out: list[Any] = []
        while True:
            try:
                out.append(self.graph.pull())
            except (av.error.BlockingIOError, BlockingIOError, av.error.EOFError):
                return out
