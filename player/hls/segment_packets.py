"""From segment bytes to packets on the output timeline, as the loader
wires ``SegmentDemuxer``: a segment that fails to demux is skipped (too many
in a row is fatal), alternate audio is cut where the main one leaves off,
and the first media found makes the stream's ``SourceInfo``."""

from __future__ import annotations

from ..errors import FormatError
from ..events import AudioInfo, MediaInfo, VideoInfo
from ..redact import redact_url
from ..source_api import DemuxPacket, SourceInfo
from ..warning_text import WarningCode
from .followers import Renditions
from .ladder import Ladder
from .loader_state import LoaderState
from .playlist import MediaPlaylist, Segment
from .segment_demux import SegmentDemuxer

__all__ = ["SegmentPackets"]


class SegmentPackets:
    """Demuxes the rung's segments with ``demuxer`` and tells the stream's
    parameters once."""

    def __init__(
        self,
        state: LoaderState,
        demuxer: SegmentDemuxer,
        ladder: Ladder,
        renditions: Renditions,
    ) -> None:
        self._s = state
        self._demuxer = demuxer
        self._ladder = ladder
        self._renditions = renditions
        #: segments in a row that failed to demux
        self.bad_segments = 0

    def main(self, data: bytes, seg: Segment) -> list[DemuxPacket] | None:
        try:
            packets = self._demuxer.main_segment(
                data,
                seg,
                self._s.next_time,
                rung=self._s.rung,
                bit_rate=self._bit_rate(),
                drop_audio=self._renditions.audio is not None,
            )
        except FormatError as exc:
            self.bad_segments += 1
            with self._s.cond:
                self._s.mark("error", str(exc))
            self._s.warn(WarningCode.BAD_SEGMENT, reason=exc)
            if self.bad_segments >= self._s.hls.max_bad_segments:
                raise
            self._demuxer.pending_discontinuity = True
            return None
        self.bad_segments = 0
        return packets

    def audio(self, data: bytes, seg: Segment, cut: float | None) -> list[DemuxPacket]:
        try:
            return self._demuxer.rendition_audio(
                data, seg, cut, rung=self._s.rung, bit_rate=self._bit_rate()
            )
        except FormatError as exc:
            self._s.warn(WarningCode.BAD_SEGMENT, reason=exc)
            return []

    def _bit_rate(self) -> int | None:
        """The BANDWIDTH of the rung being fetched (its video's bit rate)."""
        return self._s.ladder[self._s.rung].bandwidth if self._s.rung is not None else None

    def cue_time(self, media_seconds: float, domain: int) -> float | None:
        mpegts = self._demuxer.container == "mpegts"
        return self._demuxer.rebaser.map_in_domain(media_seconds, domain, mpegts)

    def build_info(self, pl: MediaPlaylist) -> None:
        v, a = self._demuxer.first_video, self._demuxer.first_audio
        media = MediaInfo(
            url=redact_url(self._s.url),
            protocol="hls",
            container=self._demuxer.container,
            duration=None if self._s.live else pl.duration,
            is_live=self._s.live,
            seekable=not self._s.live,
            video=VideoInfo(v.codec_name, v.width, v.height, v.fps, v.pix_fmt, v.bit_rate)
            if v
            else None,
            audio=AudioInfo(a.codec_name, a.sample_rate, a.channels) if a else None,
            variants=self._ladder.variants() if len(self._s.ladder) > 1 else (),
            audio_tracks=tuple(t.info for t in self._renditions.audio_tracks),
            subtitle_tracks=tuple(t.info for t in self._renditions.subtitle_tracks),
        )
        with self._s.cond:
            self._s.info = SourceInfo(
                media=media,
                video=v,
                audio=a,
                start_time=0.0,
                variants=media.variants,
                extra={
                    "live_target_latency": self._s.live_latency_target if self._s.live else None,
                    "low_latency": self._s.ll,
                },
            )
            self._s.opened.set()
            self._s.cond.notify_all()
