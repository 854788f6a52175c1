"""``hls.track_requests``: the user's audio and subtitle choices, checked
when asked for and applied by the loader between steps. The renditions are
real (``Renditions`` over parsed playlists); what ``FollowerIO`` fetches and
demuxes is scripted: each audio "segment" yields packets every 0.5 s named
for its track, each subtitle segment one cue naming its track."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction

import pytest

from player.abr.estimator import BandwidthEstimator
from player.clock import ManualClock
from player.config import DEFAULT_CONFIG
from player.events import Event, WarningRaised
from player.fetch import TransferKind
from player.hls.config import HlsConfig
from player.hls.followers import FollowerIO, Renditions
from player.hls.live_edge import OutageWatch
from player.hls.loader_state import LoaderState
from player.hls.packet_queue import PacketQueue
from player.hls.playlist import MediaPlaylist, MultivariantPlaylist, Segment
from player.hls.playlist_parser import parse_media_playlist, parse_playlist
from player.hls.rendition import RenditionCursor
from player.hls.segment_demux import dts_key
from player.hls.track_requests import TrackRequests
from player.retry import RetryPolicy
from player.source_api import DemuxPacket, StreamSpec
from player.warning_text import WarningCode
from tests.support.hls_loader_rig import BASE, media_playlist

MASTER = """#EXTM3U
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,URI="en/a.m3u8"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="French",LANGUAGE="fr",DEFAULT=NO,AUTOSELECT=YES,URI="fr/a.m3u8"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,URI="en/s.m3u8"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="Deutsch",LANGUAGE="de",DEFAULT=NO,AUTOSELECT=NO,URI="de/s.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=500000,AUDIO="aud",SUBTITLES="subs"
v0.m3u8
"""
SEGMENTS = 4  # of 2 s each
VIDEO = StreamSpec("video", "h264", Fraction(1, 90000), lambda: None)
AUDIO = StreamSpec("audio", "aac", Fraction(1, 90000), lambda: None)


def _playlists() -> dict[str, str]:
    out = {}
    for lang in ("en", "fr"):
        out[f"{BASE}{lang}/a.m3u8"] = media_playlist(
            [f"a{k}.aac" for k in range(SEGMENTS)], duration=2.0
        )
    for lang in ("en", "de"):
        out[f"{BASE}{lang}/s.m3u8"] = media_playlist(
            [f"s{k}.vtt" for k in range(SEGMENTS)], duration=2.0
        )
    return out


def _packet(t: float, track: str, kind: str = "audio") -> DemuxPacket:
    return DemuxPacket(
        stream=AUDIO if kind == "audio" else VIDEO,
        packet=track,
        pts=t,
        dts=t,
        duration=0.5,
        size=10,
        keyframe=True,
    )


class Rig:
    """``TrackRequests`` over a ``LoaderState`` whose rung is the one variant."""

    def __init__(self) -> None:
        self.clock = ManualClock()
        self.events: list[Event] = []
        self.loads: list[str] = []
        self.fetches: list[str] = []
        self.state = s = LoaderState(
            BASE + "master.m3u8",
            config=DEFAULT_CONFIG,
            hls=HlsConfig(),
            clock=self.clock,
            meter=BandwidthEstimator(),
            emit=self.events.append,
            wall=lambda: datetime(2026, 1, 1, tzinfo=UTC),
        )
        top = parse_playlist(MASTER, BASE + "master.m3u8")
        assert isinstance(top, MultivariantPlaylist)
        s.ladder, s.rung = list(top.variants), 0
        texts = _playlists()

        def load(url: str, _blocking: dict[str, str] | None) -> MediaPlaylist:
            self.loads.append(url)
            return parse_media_playlist(texts[url], url)

        def fetch(seg: Segment, _k: TransferKind, _c: int, _r: RetryPolicy, _e: bool) -> bytes:
            self.fetches.append(seg.uri)
            lang = seg.uri.rsplit("/", 2)[-2]
            if seg.uri.endswith(".vtt"):
                # no X-TIMESTAMP-MAP: cue times count from the playlist's start
                at = int(seg.start)
                cue = f"00:{at:02d}.000 --> 00:{at + 1:02d}.500"
                return f"WEBVTT\n\n{cue}\n{lang} {seg.sequence}\n".encode()
            return lang.encode()

        def audio_packets(data: bytes, seg: Segment, cut: float | None) -> list[DemuxPacket]:
            times = [seg.start + k * 0.5 for k in range(4)]
            return [_packet(t, data.decode()) for t in times if cut is None or t >= cut]

        def anchor(_cursor: RenditionCursor) -> None:
            pytest.fail("VOD renditions are not anchored to a live edge")

        self.io = FollowerIO(
            clock=self.clock,
            stuck_factor=3.0,
            max_segment_bytes=1 << 20,
            load=load,
            fetch=fetch,
            audio_packets=audio_packets,
            anchor=anchor,
            cue_time=lambda seconds, _domain: seconds,
            sleep=self.clock.sleep,
            check_stop=s.check_stop,
            open_stream=lambda *_: pytest.fail("no preload hints here"),
            warn=s.warn,
            stats=s.ll_stats,
        )
        self.renditions = Renditions(self.io)
        self.renditions.offer(top, s.ladder)
        self.packets = PacketQueue(s, OutageWatch(0.0))
        self.tracks = TrackRequests(s, self.renditions, self.io, self.packets)

    def warnings(self, code: WarningCode) -> list[WarningRaised]:
        return [e for e in self.events if isinstance(e, WarningRaised) and e.code == code]

    def fetched_to(self, until: float) -> None:
        """The loader's work up to ``until``: video every 0.5 s and the
        followed audio, queued in decode order."""
        s, r = self.state, self.renditions
        assert r.audio is not None
        got = [_packet(k * 0.5, "v", "video") for k in range(int(until / 0.5))]
        got += r.audio.follow_audio(self.io, until)
        s.queue.extend(sorted(got, key=dts_key))
        s.queued_bytes = sum(p.size for p in s.queue)
        s.next_time = s.fetched_until = until
        r.follow_subtitles(until)


def test_a_request_is_checked_against_the_tracks_once_they_are_known() -> None:
    rig = Rig()
    audio = rig.renditions.audio_tracks
    with pytest.raises(ValueError, match="no audio track -1"):
        rig.tracks.request("audio", -1, audio)
    # before the open the list may not be final: the loader checks it
    rig.tracks.request("audio", 5, audio)
    assert rig.state.requests == {"audio": 5}
    rig.state.opened.set()
    with pytest.raises(ValueError, match="no audio track 2"):
        rig.tracks.request("audio", 2, audio)
    rig.tracks.request("audio", 1, audio)
    assert rig.state.requests == {"audio": 1}


def test_subtitles_off_take_effect_at_once() -> None:
    rig = Rig()
    rig.tracks.start()
    shown = [rig.renditions.subtitle_index]
    rig.tracks.request("subtitles", None, rig.renditions.subtitle_tracks)
    # whatever the loader is doing, no cue shows from now on
    shown.append(rig.renditions.subtitle_index)
    assert shown == [0, None]
    assert rig.state.requests == {"subtitles": None}


def test_the_open_follows_the_defaults_or_what_was_asked_before_it() -> None:
    plain = Rig()
    plain.tracks.start()
    assert (plain.renditions.audio_index, plain.renditions.subtitle_index) == (0, 0)
    assert plain.loads == [BASE + "en/a.m3u8", BASE + "en/s.m3u8"]

    asked = Rig()
    asked.tracks.request("audio", 1, asked.renditions.audio_tracks)
    asked.tracks.request("subtitles", 1, asked.renditions.subtitle_tracks)
    asked.tracks.start()
    assert (asked.renditions.audio_index, asked.renditions.subtitle_index) == (1, 1)
    assert asked.loads == [BASE + "fr/a.m3u8", BASE + "de/s.m3u8"]
    assert asked.state.requests == {}  # used up by the open, not applied again


def test_a_track_asked_for_before_the_open_that_does_not_exist_is_told() -> None:
    rig = Rig()
    rig.tracks.request("audio", 7, rig.renditions.audio_tracks)
    rig.tracks.start()
    (warning,) = rig.warnings(WarningCode.NO_SUCH_AUDIO_TRACK)
    # numbered from 1 as the menus count; the default plays instead
    params = dict(warning.params)
    assert (params["number"], params["count"]) == ("8", "2")
    assert rig.renditions.audio_index == 0


def test_the_groups_are_the_rungs() -> None:
    rig = Rig()
    assert (rig.tracks.group("AUDIO"), rig.tracks.group("SUBTITLES")) == ("aud", "subs")
    rig.state.rung = None
    assert rig.tracks.group("AUDIO") is None


def test_an_audio_switch_replaces_the_queued_audio_from_the_next_boundary() -> None:
    rig = Rig()
    rig.tracks.start()
    rig.fetched_to(8.0)
    s = rig.state
    s.read_front = 2.2  # read() has handed out up to here
    before = {id(p) for p in s.queue if p.stream.kind == "video"}
    rig.tracks.request("audio", 1, rig.renditions.audio_tracks)
    rig.tracks.apply()
    queue = list(s.queue)
    audio = [(p.pts, p.packet) for p in queue if p.stream.kind == "audio"]
    # English up to the first segment start after what was read, French from it on
    assert audio == [(k * 0.5, "en") for k in range(8)] + [(4.0 + k * 0.5, "fr") for k in range(8)]
    assert {id(p) for p in queue if p.stream.kind == "video"} == before
    assert [dts_key(p) for p in queue] == sorted(dts_key(p) for p in queue)
    assert s.queued_bytes == sum(p.size for p in queue)
    assert s.hold_at is None  # read() is free again
    # only the segments past the boundary were fetched in French
    assert [u for u in rig.fetches if "/fr/" in u] == [BASE + "fr/a2.aac", BASE + "fr/a3.aac"]
    assert rig.renditions.audio_index == 1


def test_an_audio_switch_with_nothing_queued_past_the_boundary_leaves_the_queue() -> None:
    rig = Rig()
    rig.tracks.start()
    rig.fetched_to(8.0)
    s = rig.state
    s.read_front = 7.0  # the next boundary (8 s) is where fetching goes on anyway
    queued = list(s.queue)
    rig.tracks.request("audio", 1, rig.renditions.audio_tracks)
    rig.tracks.apply()
    assert list(s.queue) == queued
    assert rig.renditions.audio_index == 1 and not [u for u in rig.fetches if "/fr/" in u]


def test_a_subtitle_switch_drops_the_old_cues_and_fetches_the_new_from_the_position() -> None:
    rig = Rig()
    rig.tracks.start()
    rig.fetched_to(8.0)
    assert rig.renditions.cues.text_at(0.5) == "en 0"
    rig.state.position = 4.5
    rig.tracks.request("subtitles", 1, rig.renditions.subtitle_tracks)
    rig.tracks.apply()
    cues = rig.renditions.cues
    # from the segment at the position up to what is fetched, in German only
    assert cues.text_at(4.5) == "de 2" and cues.text_at(6.5) == "de 3"
    assert cues.text_at(0.5) is None
    assert [u for u in rig.fetches if "/de/" in u] == [BASE + "de/s2.vtt", BASE + "de/s3.vtt"]
