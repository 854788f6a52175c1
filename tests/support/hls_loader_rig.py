"""The HLS loader's parts wired as ``HlsSource`` wires them (``Downloads``,
``Ladder``, ``RungChoice``, ``PenaltyBox``, ``OriginCheck``, ``Outages``,
``SegmentLoader``) over a ``FakeFetcher`` on a ``ManualClock``, without the
loader thread, the demuxer or the followers: a test calls one part and
``run`` drives the clock while it waits (retry backoff, slow bodies).

``next_segment`` stands in for the fetch cursor: the segment at
``state.next_time`` (VOD) or ``state.next_seq`` (live) on the rung in use.
Jitter is fixed (``rand`` returns 0.5: every delay is its policy's base).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import NoReturn, TypeVar

import pytest

from player.abr.driver import AbrDriver
from player.abr.hybrid import HybridPolicy
from player.clock import ManualClock
from player.config import DEFAULT_CONFIG
from player.events import Event, WarningRaised
from player.hls.config import HlsConfig
from player.hls.downloads import Downloads
from player.hls.fetch_cursor import FetchCursor
from player.hls.followers import FollowerIO, Renditions
from player.hls.hint_streams import HintStreams
from player.hls.ladder import Ladder
from player.hls.live_edge import Chunk, OutageWatch
from player.hls.loader_state import LoaderState
from player.hls.origin_check import OriginCheck
from player.hls.outages import Outages
from player.hls.penalty_box import PenaltyBox
from player.hls.playlist import MediaPlaylist, Variant
from player.hls.rung_choice import RungChoice
from player.hls.segment_demux import SegmentDemuxer
from player.hls.segment_loader import SegmentLoader
from player.hls.timestamps import DateMap
from player.retry import RetryPolicy
from tests.support.clocked_run import drive
from tests.support.fake_fetcher import FakeFetcher

__all__ = ["BASE", "LoaderRig", "media_playlist"]

BASE = "http://o.test/"
T = TypeVar("T")


def media_playlist(
    names: Sequence[str], *, duration: float = 4.0, first_seq: int = 0, endlist: bool = True
) -> str:
    """A media playlist listing ``names`` (relative URIs), ``duration`` each."""
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        f"#EXT-X-TARGETDURATION:{duration:.0f}",
        f"#EXT-X-MEDIA-SEQUENCE:{first_seq}",
    ]
    for name in names:
        lines += [f"#EXTINF:{duration:.3f},", name]
    if endlist:
        lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


def _unused(*_args: object) -> NoReturn:
    pytest.fail("followers are not part of these tests")


class LoaderRig:
    """The parts over ``fetcher``; ``variants`` are (URI, bandwidth, backups)."""

    def __init__(
        self,
        variants: Sequence[tuple[str, int, tuple[str, ...]]],
        *,
        live: bool = False,
        hls: HlsConfig | None = None,
        outage_bound: float = 30.0,
        url: str = BASE + "master.m3u8",
        abr_check_interval: float = 0.1,
    ) -> None:
        self.clock = ManualClock()
        self.fetcher = FakeFetcher(self.clock)
        self.events: list[Event] = []
        self.abr = AbrDriver(HybridPolicy(), check_interval=abr_check_interval)
        self.state = LoaderState(
            url,
            config=DEFAULT_CONFIG,
            hls=hls or HlsConfig(),
            clock=self.clock,
            meter=self.abr.meter,
            emit=self.events.append,
            wall=lambda: pytest.fail("no wall clock on this path"),
        )
        s = self.state
        s.live = live
        s.ladder = [
            Variant(index=i, uri=BASE + uri, bandwidth=bw, backups=tuple(BASE + b for b in backups))
            for i, (uri, bw, backups) in enumerate(variants)
        ]
        s.rung = 0
        self.watch = OutageWatch(outage_bound)
        self.penalty = PenaltyBox(30.0)
        streams = HintStreams(
            self.fetcher,
            s.cancel,
            max_bytes=1 << 20,
            check_stop=s.check_stop,
            warn=s.warn,
            received=s.received,
            stats=s.ll_stats,
        )
        self.downloads = Downloads(
            self.fetcher,
            s.cancel,
            self.abr.meter,
            streams,
            max_segments=100,
            rand=lambda: 0.5,
            sleep=s.sleep,
            check_stop=s.check_stop,
            received=s.received,
            failed=lambda exc, kind, delay: self.outages.note_failure(exc, kind, delay),
            worked=lambda: self.outages.fetch_worked(),
            warn=s.warn,
            decrypt=lambda data, key, iv: data,
            busy=s.busy,
        )
        self.origin = OriginCheck(
            self.watch,
            self.clock,
            lambda u: self.downloads.media_playlist(u, retry=RetryPolicy(max_attempts=1)),
        )
        self.ladder = Ladder(s, self.downloads, self.penalty)
        self.choice = RungChoice(s, self.abr, self.ladder, lambda: None)
        self.io = io = FollowerIO(
            clock=self.clock,
            stuck_factor=s.hls.stuck_factor,
            max_segment_bytes=s.hls.max_segment_bytes,
            load=_unused,
            fetch=_unused,
            audio_packets=_unused,
            anchor=_unused,
            cue_time=_unused,
            sleep=s.sleep,
            check_stop=s.check_stop,
            open_stream=_unused,
            warn=s.warn,
            stats=s.ll_stats,
        )
        self.streams = streams
        self.renditions = Renditions(io)
        self.outages = Outages(
            s,
            self.watch,
            self.origin,
            ladder=self.ladder,
            penalty=self.penalty,
            renditions=self.renditions,
            hint_streams=streams,
            rand=lambda: 0.5,
        )
        self.loader = SegmentLoader(
            s,
            self.downloads,
            self.abr,
            ladder=self.ladder,
            choice=self.choice,
            penalty=self.penalty,
            outages=self.outages,
            next_segment=self.next_segment,
        )

    def cursor(self) -> FetchCursor:
        """The real fetch cursor over these parts (its own demuxer and dates)."""
        return FetchCursor(
            self.state,
            ladder=self.ladder,
            downloads=self.downloads,
            demuxer=SegmentDemuxer(),
            dates=DateMap(),
            renditions=self.renditions,
            io=self.io,
            hint_streams=self.streams,
            watch=self.watch,
        )

    def next_segment(self) -> tuple[MediaPlaylist, Chunk] | None:
        s = self.state
        assert s.rung is not None
        pl = self.ladder.track(s.rung, reload=s.refresh).playlist
        s.refresh = False
        for seg in pl.segments:
            if (s.live and seg.sequence == s.next_seq) or (
                not s.live and seg.end > s.next_time + 1e-3
            ):
                return pl, Chunk(seg)
        return None

    def first(self) -> tuple[MediaPlaylist, Chunk]:
        """The chunk at the cursor (its playlist loaded without failures)."""
        nxt = self.run(self.next_segment)
        assert nxt is not None
        return nxt

    def run(self, call: Callable[[], T], *, max_seconds: float = 600.0) -> T:
        """``call()`` on a thread of its own, the clock moved from deadline
        to deadline while it waits; its result, or what it raised."""
        out: list[T] = []
        err: list[BaseException] = []

        def body() -> None:
            try:
                out.append(call())
            except BaseException as exc:
                err.append(exc)

        worker = threading.Thread(target=body, name="loader-part", daemon=True)
        worker.start()
        drive(
            self.clock,
            lambda: 1 if worker.is_alive() else 0,
            lambda: not worker.is_alive(),
            max_seconds=max_seconds,
        )
        worker.join(10.0)
        assert not worker.is_alive(), "the part did not return"
        if err:
            raise err[0]
        return out[0]

    def warnings(self, code: str) -> list[WarningRaised]:
        return [e for e in self.events if isinstance(e, WarningRaised) and e.code == code]
