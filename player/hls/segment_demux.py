"""Segment bytes → ``DemuxPacket``s on the source's one timeline.

Owns what demuxing remembers from one segment to the next: the stream specs
(one decoder per distinct stream, not one per segment), the container seen,
the re-basing of timestamps across discontinuities and 33-bit wraps, and
whether the next packets follow a break. Apart from the loader because none
of it touches the network or the loader's locks: bytes in, packets out (PyAV
with the format forced and no protocols).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import av

from ..decode_threads import DecodeThreads
from ..errors import FormatError
from ..hwdec import VideoContexts
from ..source_api import DemuxPacket, StreamSpec
from .playlist import Segment
from .timestamps import Rebaser

__all__ = ["RawPacket", "SegmentDemuxer", "dts_key"]


def _audio_complete(audio: Any) -> bool:
    cc = audio.codec_context if audio is not None else None
    return cc is None or bool(cc.sample_rate and cc.layout.nb_channels)


def _complete(video: Any, audio: Any) -> bool:
    """Whether the probe found what tells the streams apart: a picture size
    and an audio format."""
    return (video is None or bool(video.codec_context.width)) and _audio_complete(audio)


#: (spec, pts s, dts s, duration s, av.Packet) in the segment's own clock
RawPacket = tuple[StreamSpec, float | None, float | None, float, Any]

#: libavformat's probe of a segment whose streams the previous segment of the
#: same rung showed: no frame-rate estimate (the spec has it already) and
#: only keyframes decoded, where the full probe decodes several frames (half
#: of a 720p TS segment's demux time). The parameters that tell one stream
#: from another (codec, size, extradata, sample rate) come from the headers,
#: the parameter sets and the first keyframe, so a change is still seen.
_SHORT_PROBE = {"fpsprobesize": "0", "skip_frame": "nokey"}


def dts_key(p: DemuxPacket) -> float:
    t = p.dts if p.dts is not None else p.pts
    return t if t is not None else -1e18


class SegmentDemuxer:
    def __init__(
        self,
        video_contexts: VideoContexts | None = None,
        threads: Callable[[], DecodeThreads] = DecodeThreads,
    ) -> None:
        #: makes video decoders on the GPU with --hwdec=auto (None: software)
        self.video_contexts = video_contexts
        #: the software video decoders' threads (the libav path's rule), asked
        #: as each decoder is made: whether the stream is live is known by then
        self.threads = threads
        self.rebaser = Rebaser()
        #: the next main packets follow a break (a seek, a rejoin, a bad segment)
        self.pending_discontinuity = False
        #: container of the last main segment that demuxed (MediaInfo, WebVTT timing)
        self.container = "mpegts"
        #: container being demuxed: video specs key on extradata in fMP4 only
        self.container_hint = "mpegts"
        self.first_video: StreamSpec | None = None
        self.first_audio: StreamSpec | None = None
        self._specs: dict[tuple[Any, ...], StreamSpec] = {}
        self._last_video: dict[int | None, StreamSpec] = {}
        #: (origin, rung, container) → the discontinuity sequence where a probe
        #: in full last found every stream's parameters (one entry each,
        #: however many discontinuities a live stream goes through)
        self._probed: dict[tuple[Any, ...], Any] = {}
        #: segments opened with the short probe (tests, benchmarks)
        self.short_probes = 0

    def main_segment(
        self,
        data: bytes,
        seg: Segment,
        start: float,
        *,
        rung: int | None,
        bit_rate: int | None,
        drop_audio: bool,
    ) -> list[DemuxPacket]:
        """The packets of a main segment starting at timeline ``start``;
        ``drop_audio``: its audio comes from a rendition. Raises FormatError."""
        boxes = (b"ftyp", b"styp", b"moof")
        fmt = "mp4" if seg.init is not None or data[4:8] in boxes else "mpegts"
        self.container_hint = fmt
        seen = ("main", rung, fmt, seg.discontinuity_sequence)
        raw = self.demux(
            data,
            fmt,
            "main",
            rung=rung,
            bit_rate=bit_rate,
            drop_audio=drop_audio,
            seen=seen,
            full=seg.discontinuity,
        )
        self.container = fmt
        if not raw:
            return []
        firsts = [p[2] if p[2] is not None else p[1] for p in raw]
        first = min((t for t in firsts if t is not None), default=None)
        brk = self.rebaser.begin_segment(seg.discontinuity_sequence, start, first, fmt == "mpegts")
        packets = self.to_packets(raw, fmt, brk or self.pending_discontinuity or seg.discontinuity)
        self.pending_discontinuity = False
        return packets

    def rendition_audio(
        self,
        data: bytes,
        seg: Segment,
        cut: float | None,
        *,
        rung: int | None,
        bit_rate: int | None,
    ) -> list[DemuxPacket]:
        """The audio packets of an alternate rendition's segment (or part),
        none before ``cut``. Raises FormatError."""
        fmt = "mp4" if seg.init is not None else "mpegts"
        self.container_hint = fmt
        if data[:3] == b"ID3" or data[:2] in (b"\xff\xf1", b"\xff\xf9"):
            fmt = "aac"
        seen = ("rendition", rung, fmt, seg.discontinuity_sequence)
        raw = self.demux(
            data,
            fmt,
            "rendition",
            rung=rung,
            bit_rate=bit_rate,
            drop_audio=False,
            seen=seen,
            full=seg.discontinuity,
        )
        packets = self.to_packets([r for r in raw if r[0].kind == "audio"], fmt, False)
        if cut is not None:
            packets = [p for p in packets if (p.pts if p.pts is not None else cut) >= cut]
        return packets

    def to_packets(self, raw: list[RawPacket], fmt: str, discontinuity: bool) -> list[DemuxPacket]:
        out = []
        for spec, pts, dts, duration, packet in raw:
            mpts = self.rebaser.map(pts, fmt == "mpegts") if pts is not None else None
            mdts = self.rebaser.map(dts, fmt == "mpegts") if dts is not None else None
            out.append(
                DemuxPacket(
                    stream=spec,
                    packet=packet,
                    pts=mpts,
                    dts=mdts,
                    duration=duration,
                    size=packet.size,
                    keyframe=bool(packet.is_keyframe),
                    discontinuity=False,
                )
            )
        if out and discontinuity:
            for kind in ("video", "audio"):
                for p in out:
                    if p.stream.kind == kind:
                        p.discontinuity = True
                        break
        return out

    def demux(
        self,
        data: bytes,
        fmt: str,
        origin: str,
        *,
        rung: int | None,
        bit_rate: int | None,
        drop_audio: bool,
        seen: tuple[Any, ...] | None = None,
        full: bool = False,
    ) -> list[RawPacket]:
        """Demux one segment's bytes: (spec, pts s, dts s, duration s, av.Packet).
        ``seen``: what makes segments alike (origin, rung, container,
        discontinuity sequence); once one such segment was probed in full,
        the next ones get the short probe (None: always in full); ``full``:
        this one in full all the same (after a discontinuity tag)."""
        out: list[RawPacket] = []
        alike, sequence = (seen[:-1], seen[-1]) if seen is not None else ((), None)
        short = seen is not None and not full and self._probed.get(alike) == sequence
        try:
            container = self._open(data, fmt, short)
            video, audio = self._streams(container, drop_audio)
            # A picture size comes from the parameter sets whether frames are
            # decoded or not (an LL-HLS part inside a GOP has none either way:
            # its rung's last video spec is used); an audio format missing
            # might be found by decoding
            if short and not _audio_complete(audio):
                container.close()
                short = False
                container = self._open(data, fmt, short)
                video, audio = self._streams(container, drop_audio)
            if short:
                self.short_probes += 1
            elif seen is not None and _complete(video, audio):
                self._probed[alike] = sequence
            with container:
                streams = []
                specs: dict[int, StreamSpec] = {}
                for s in (video, audio):
                    if s is not None:
                        specs[s.index] = self._spec_for(s, origin, rung, bit_rate)
                        streams.append(s)
                if not streams:
                    return out
                for packet in container.demux(*streams):
                    if packet.size == 0 or (packet.pts is None and packet.dts is None):
                        continue
                    tb = packet.time_base or packet.stream.time_base
                    pts = float(packet.pts * tb) if packet.pts is not None else None
                    dts = float(packet.dts * tb) if packet.dts is not None else None
                    duration = float(packet.duration * tb) if packet.duration else 0.0
                    out.append((specs[packet.stream.index], pts, dts, duration, packet))
        except av.FFmpegError as exc:
            raise FormatError(f"could not demux an HLS segment ({fmt}): {exc}") from None
        return out

    @staticmethod
    def _open(data: bytes, fmt: str, short: bool) -> Any:
        options = {"protocol_whitelist": "", **(_SHORT_PROBE if short else {})}
        return av.open(io.BytesIO(data), format=fmt, options=options)

    @staticmethod
    def _streams(container: Any, drop_audio: bool) -> tuple[Any, Any]:
        """The segment's video and audio streams (no audio when it comes from
        a rendition)."""
        video = next((s for s in container.streams if s.type == "video"), None)
        audio = next((s for s in container.streams if s.type == "audio"), None)
        return video, None if drop_audio else audio

    def _spec_for(
        self, stream: Any, origin: str, rung: int | None, bit_rate: int | None
    ) -> StreamSpec:
        cc = stream.codec_context
        extradata = bytes(cc.extradata) if cc.extradata else None
        name = cc.name
        if stream.type == "video":
            rate = stream.average_rate or stream.guessed_rate
            # TS carries parameter sets in-band: its extradata changes with every
            # segment's first SPS/PPS and must not make a new decoder each time
            key: tuple[Any, ...] = (
                "video",
                name,
                extradata if self.container_hint == "mp4" else None,
                cc.width,
                cc.height,
                rung,
            )
        else:
            key = ("audio", name, extradata, cc.sample_rate, cc.layout.nb_channels, origin)
        if stream.type == "video" and not cc.width and rung in self._last_video:
            # an LL-HLS part that starts inside a GOP carries no parameter sets
            return self._last_video[rung]
        spec = self._specs.get(key)
        if spec is not None:
            if stream.type == "video":
                self._last_video[rung] = spec
            return spec

        video = stream.type == "video"
        hw = self.video_contexts if video else None

        def make_decoder(name: str = name, extradata: bytes | None = extradata) -> Any:
            ctx = av.CodecContext.create(name, "r")
            if extradata:
                ctx.extradata = extradata
            if video:
                self.threads().apply(ctx)
            return hw.make(ctx, name, extradata) if hw is not None else ctx

        if stream.type == "video":
            spec = StreamSpec(
                kind="video",
                codec_name=name,
                time_base=Fraction(stream.time_base or Fraction(1, 90_000)),
                make_decoder=make_decoder,
                width=cc.width,
                height=cc.height,
                fps=float(rate) if rate else None,
                pix_fmt=cc.pix_fmt,
                bit_rate=bit_rate,
            )
            self.first_video = self.first_video or spec
            self._last_video[rung] = spec
        else:
            spec = StreamSpec(
                kind="audio",
                codec_name=name,
                time_base=Fraction(stream.time_base or Fraction(1, 90_000)),
                make_decoder=make_decoder,
                sample_rate=cc.sample_rate,
                channels=cc.layout.nb_channels,
            )
            self.first_audio = self.first_audio or spec
        self._specs[key] = spec
        return spec
