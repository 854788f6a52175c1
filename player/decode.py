"""Decode threads: one per elementary stream. They pull packets, decode with
FFmpeg (GIL released while decoding) and push frames or resampled audio."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Protocol

import av
import av.error

from .clock import Clock
from .frame_drop import FrameDropPolicy
from .metrics import SessionMetrics
from .nal import length_size, non_reference
from .queues import EOS, MediaQueue, QueueItem
from .source_api import DemuxPacket, StreamSpec
from .track_selection import TrackSelection
from .video_sink import VideoFrame

if TYPE_CHECKING:
    # the buffer is handed in: a start without audio never imports the output
    from .audio_out import AudioBuffer

__all__ = ["AudioDecoder", "DecodeContext", "VideoDecoder"]

log = logging.getLogger(__name__)

_POLL = 0.05
#: how much of the old track is still heard after a switch (media seconds
#: queued past the device's position): the time to decode the new one
SWITCH_LEAD = 0.1
#: packets decoded before the switch point, so the new decoder's output is
#: clean there (AAC overlaps each frame with the one before)
SWITCH_PREROLL = 0.05
#: recent audio packets kept of every track: more than the decoded buffer
#: holds at 4x speed (1 s of output)
HISTORY_SECONDS = 5.0


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

    @property
    def clock(self) -> Clock:
        """The time the frame-drop policy reads (a ManualClock in tests)."""
        ...

    def video_lateness(self, pts: float) -> float | None:
        """How far the master clock has passed ``pts`` (negative: ahead), or
        None while frames are not timed (paused, buffering, prerolling)."""
        ...

    def fail_from_thread(self, exc: BaseException) -> None:
        """A fatal error of this thread, handed to the control loop."""
        ...

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
        #: whether ``offset`` came from a packet of this codec (not the default)
        self._offset_known = False
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
            self._idle()
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
            if self._wanted(pkt, item.serial):
                self._decode(pkt, item.serial)

    def _wanted(self, pkt: DemuxPacket, serial: int) -> bool:
        """Whether to decode ``pkt`` (the audio decoder skips unheard tracks)."""
        return True

    def _decode(self, pkt: DemuxPacket, serial: int) -> None:
        s = self.session
        if pkt.stream is not self.spec:
            self._drain(serial)
            self.spec = pkt.stream
            self.codec = pkt.stream.make_decoder()
            self._offset_known = False
        off = _packet_offset(pkt)
        if off is not None:
            # Only a change from an offset seen before is a break: an RTSP
            # stream's first keyframe comes before the first timestamp (no
            # sender report yet), and a drain there flushed the keyframe, so
            # nothing decoded until the next one (a whole GOP).
            if self._offset_known and abs(off - self.offset) > 1e-3 and self.codec is not None:
                # A timeline break (HLS discontinuity, timestamp rollover): let
                # the frames of the old timeline out with the old offset first.
                self._drain(serial)
            self.offset = off
            self._offset_known = True
        self.time_base = pkt.packet.time_base or pkt.stream.time_base
        try:
            with self.codec_lock:
                frames = self.codec.decode(pkt.packet)
        except (av.error.InvalidDataError, av.error.UndefinedError, ValueError) as exc:
            s.on_decode_error(self.kind, exc)
            return
        except av.error.FFmpegError as exc:
            s.on_decode_error(self.kind, exc)
            return
        self._handle_frames(frames, serial)

    def _idle(self) -> None:
        """Between packets, and while none come."""

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
        drops: FrameDropPolicy | None = None,
    ) -> None:
        super().__init__(session, packets)
        self.frames = frames
        self.last_pts: float | None = None
        self.index = 0
        #: decoder-side frame dropping under overload (None: every frame is decoded)
        self.drops = drops
        self._drained_for_skip = False
        self._drops_serial = -1
        #: the codec whose NAL length prefix ``_prefix`` is (None: Annex B)
        self._prefix_codec: Any = None
        self._prefix: int | None = None

    def _decode(self, pkt: DemuxPacket, serial: int) -> None:
        drops = self.drops
        if drops is None or pkt.pts is None:
            super()._decode(pkt, serial)
            return
        s = self.session
        if serial != self._drops_serial:
            # a seek: what was late before says nothing about now
            self._drops_serial = serial
            drops.reset()
        if not drops.decode_packet(s.video_lateness(pkt.pts), pkt.keyframe, s.clock.now()):
            if not self._drained_for_skip:
                # what the codec holds comes out (late, counted) and it
                # starts clean at the keyframe
                self._drained_for_skip = True
                self._drain(serial)
            s.metrics.on_frames_dropped("decoder", 1)
            return
        self._drained_for_skip = False
        if drops.skip_nonref and self._non_reference(pkt):
            drops.count_nonref_skipped(1)
            s.metrics.on_frames_dropped("decoder", 1)
            return
        super()._decode(pkt, serial)

    def _non_reference(self, pkt: DemuxPacket) -> bool:
        """A picture no other refers to (decoded by the current codec only:
        a new stream's first packet always goes to the decoder)."""
        codec = self.codec
        if codec is None or pkt.stream is not self.spec:
            return False
        name = pkt.stream.codec_name
        if name not in ("h264", "hevc"):
            return False
        if codec is not self._prefix_codec:
            extradata = getattr(codec, "extradata", None)
            self._prefix_codec, self._prefix = codec, length_size(name, extradata)
        return non_reference(name, bytes(pkt.packet), self._prefix)

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
            drops = self.drops
            if drops is not None and not drops.keep_frame(s.video_lateness(pts), s.clock.now()):
                # late already: converting and queueing it would only put
                # video further behind audio
                s.metrics.on_frames_dropped("late", 1)
                continue
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
        #: a file's audio tracks: the choice, and which change of it was applied
        self.selection: TrackSelection | None = None
        self.generation = 0
        self.history: deque[DemuxPacket] = deque()
        #: after a switch: the new track's samples before this are not played
        self.cut_before: float | None = None

    def _flush(self) -> None:
        super()._flush()
        self._fresh_state()
        self.history.clear()
        self.cut_before = None

    def _fresh_state(self) -> None:
        self.resampler = av.AudioResampler(format="flt", layout=self.layout, rate=self.out.rate)
        self.tempo = None
        self.next_pts = None

    # -- a file's several audio tracks ------------------------------------------
    def _wanted(self, pkt: DemuxPacket, serial: int) -> bool:
        sel = pkt.stream.selection
        if sel is None:
            return True
        if sel is not self.selection:
            self.selection = sel
            self.generation = sel.current()[1]
        elif sel.current()[1] != self.generation:
            self._switch(serial)
        # Every track's recent packets, heard or not: a switch decodes the new
        # one again from the play position, however it was chosen before.
        self.history.append(pkt)
        newest = pkt.pts
        while newest is not None and self.history:
            oldest = self.history[0].pts
            if oldest is not None and newest - oldest <= HISTORY_SECONDS:
                break
            self.history.popleft()
        return pkt.stream.track == sel.current()[0]

    def _idle(self) -> None:
        if self._switch_pending() and self.serial == self.session.serial:
            self._switch(self.serial)

    def _switch_pending(self) -> bool:
        sel = self.selection
        return sel is not None and sel.current()[1] != self.generation

    def _switch(self, serial: int) -> None:
        """Hear track ``selection.index`` from just after what the device is
        about to play: the old track's queued audio is cut there, and the new
        one's packets from there on are decoded again from the history."""
        sel = self.selection
        assert sel is not None
        index, self.generation = sel.current()
        head, end = self.out.head_pts, self.out.end_pts
        at = self.next_pts if head is None or end is None else min(end, head + SWITCH_LEAD)
        if at is not None:
            self.out.cut_from(at)
        if self.codec is not None:
            try:
                with self.codec_lock:
                    self.codec.flush_buffers()
            except Exception as exc:
                log.debug("flush: %s", exc)
        self.spec = None
        self.codec = None
        self._fresh_state()
        self.cut_before = at
        replay = [
            p
            for p in self.history
            if p.stream.track == index
            and (at is None or p.pts is None or p.pts + p.duration >= at - SWITCH_PREROLL)
        ]
        for p in replay:
            if self._switch_pending() or self.session.stopping.is_set():
                return
            self._decode(p, serial)

    def _handle_frames(self, frames: list[Any], serial: int) -> None:
        for f in frames:
            if f.is_corrupt:
                self.session.on_decode_error(self.kind, ValueError("corrupt frame"))
            pts = self._frame_time(f)
            for r in self.resampler.resample(f):
                if not self._push(r, pts, serial):
                    return
                pts = None

    def _push(self, frame: Any, pts: float | None, serial: int) -> bool:
        """False: stop handing out this packet's audio (another track was chosen)."""
        s = self.session
        speed = s.speed
        if self.tempo is None or self.tempo.speed != speed:
            self.tempo = _Tempo(speed, self.out.rate, self.layout) if speed != 1.0 else None
            self.next_pts = None  # re-anchor on this frame's own time
        if pts is not None and (self.next_pts is None or abs(pts - self.next_pts) > 0.03):
            self.next_pts = pts
        if self.next_pts is None:
            return True
        outs = self.tempo.process(frame) if self.tempo is not None else [frame]
        for o in outs:
            # A dtype by name: numpy comes in with to_ndarray() only when audio
            # is decoded, so a video-only start never pays for importing it.
            data = o.to_ndarray().reshape(-1, self.out.channels).astype("float32", copy=False)
            start = self.next_pts
            step = speed / self.out.rate
            self.next_pts = start + len(data) * step
            if s.drop_before is not None and self.next_pts <= s.drop_before:
                continue
            cut = self.cut_before
            if cut is not None:
                # A track switch: the new track's samples start where the old one's stop.
                if self.next_pts <= cut:
                    continue
                skip = max(0, round((cut - start) / step))
                data, start = data[skip:], start + skip * step
                self.cut_before = None
            if s.metrics.first_audio_at is None:
                s.metrics.first_audio_at = s.metrics.t()
            while not s.stopping.is_set() and serial == s.serial:
                if self.out.put(start, data, speed, _POLL):
                    break
                if self._switch_pending():
                    return False
        return True

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
