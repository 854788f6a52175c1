"""At the start of an fMP4 stream the init section is asked for alongside
the first media segment (and an AES-128 key alongside the segment it opens),
and an alternate audio rendition's playlist alongside the first variant's,
not one round trip after it: a loopback origin delays every answer as a far
one would, and the requests' start times show the overlap."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from lab.impair import ImpairedFiles, Impairment
from lab.profile import ErrorRule, Profile
from player.hls.hls_source import HlsSource
from player.source_api import DemuxPacket
from tests.support.hls_media import fmp4_vod, ladder_vod, renditions_vod, ts_aes_vod
from tests.support.hls_packets import assert_timeline, decoded, read_all

#: each answer's wait: far above loopback's own time, so serial requests
#: start at least this far apart
DELAY = 0.3


@contextmanager
def _origin(root: Path, *errors: ErrorRule) -> Iterator[ImpairedFiles]:
    impairment = Impairment(Profile("far", delay_s=DELAY, errors=errors))
    try:
        with ImpairedFiles(root, impairment) as srv:
            yield srv
    finally:
        impairment.close()


def _play(srv: ImpairedFiles, name: str = "index.m3u8") -> int:
    src = HlsSource(srv.url(name))
    try:
        src.open()
        return decoded(read_all(src))
    finally:
        src.close()


def _started(srv: ImpairedFiles, name: str) -> list[float]:
    """When the requests for ``name`` (its last part, or from its folder
    with a slash) arrived."""
    key = name.count("/") + 1
    return [t for t, path in srv.request_times if "/".join(path.split("/")[-key:]) == name]


@pytest.mark.parametrize(("fixture", "needed"), [(fmp4_vod, "init.mp4"), (ts_aes_vod, "enc.key")])
def test_the_first_segment_and_what_it_needs_are_asked_for_together(
    fixture: object, needed: str
) -> None:
    assert callable(fixture)
    with _origin(fixture()) as srv:
        frames = _play(srv)
    assert frames >= 6 * 25 - 2  # the init section (or key) was used: all of it decodes
    (first,) = _started(srv, "s000.m4s" if needed == "init.mp4" else "s000.ts")
    (other,) = _started(srv, needed)  # once: the early answer was kept
    # one after the other, the second would start a whole answer's wait later
    assert abs(other - first) < DELAY / 2


def test_an_early_init_request_that_fails_is_asked_again_by_the_retry_policy() -> None:
    with _origin(fmp4_vod(), ErrorRule(503, match=r"init\.mp4$", count=1)) as srv:
        frames = _play(srv)
    assert frames >= 6 * 25 - 2
    early, again = _started(srv, "init.mp4")
    (first,) = _started(srv, "s000.m4s")
    assert abs(early - first) < DELAY / 2
    assert again > first  # asked again once the segment was in, as before the head start


@pytest.mark.parametrize(
    ("fixture", "renditions"),
    [(ladder_vod, ("v2/index.m3u8",)), (renditions_vod, ("v2/index.m3u8", "en/index.m3u8"))],
)
def test_the_rendition_playlists_are_asked_for_with_the_first_variant(
    fixture: object, renditions: tuple[str, ...]
) -> None:
    """The default audio rendition's playlist, and the default subtitle
    rendition's when one is on by default."""
    assert callable(fixture)
    with _origin(fixture()) as srv:
        frames = _play(srv, "master.m3u8")
    assert frames >= 25  # the first rung's video (the ABR may move on)
    video = [t for name in ("v0/index.m3u8", "v1/index.m3u8") for t in _started(srv, name)]
    (master,) = _started(srv, "master.m3u8")
    first = min(video)
    assert first > master + DELAY / 2  # after the multivariant playlist's answer
    for name in renditions:
        (started,) = _started(srv, name)  # once: the early answer was kept
        assert abs(started - first) < DELAY / 2, name


def _play_packets(srv: ImpairedFiles) -> list[DemuxPacket]:
    src = HlsSource(srv.url("master.m3u8"))
    try:
        src.open()
        return read_all(src)
    finally:
        src.close()


def _first_video_segment(srv: ImpairedFiles) -> float:
    return min(t for name in ("v0/s000.ts", "v1/s000.ts") for t in _started(srv, name))


def test_the_first_audio_segment_is_asked_for_with_the_first_video_segment() -> None:
    """Demuxed alternate audio: its first segment is not left until the first
    video segment is in (one more answer's wait before the first frame)."""
    with _origin(ladder_vod()) as srv:
        packets = _play_packets(srv)
    # the early answer was used: the audio decodes from its start
    assert decoded(packets, "audio") >= 7 * 48000 // 1024
    assert_timeline(packets, 8.0, ("audio",), max_step=0.1)
    (audio,) = _started(srv, "v2/s000.ts")  # once: the early answer was kept
    assert abs(audio - _first_video_segment(srv)) < DELAY / 2


def test_an_early_audio_segment_request_that_fails_is_asked_again_by_the_retry_policy() -> None:
    with _origin(ladder_vod(), ErrorRule(503, match=r"v2/s000\.ts$", count=1)) as srv:
        packets = _play_packets(srv)
    assert_timeline(packets, 8.0, ("audio",), max_step=0.1)
    early, again = _started(srv, "v2/s000.ts")
    video = _first_video_segment(srv)
    assert abs(early - video) < DELAY / 2
    assert again > video + DELAY / 2  # asked again once the video segment was in, as before


def test_a_subtitle_track_on_by_default_costs_no_round_trip_before_the_first_segment() -> None:
    with _origin(renditions_vod()) as srv:
        frames = _play(srv, "master.m3u8")
    assert frames >= 25
    variant = min(t for name in ("v0/index.m3u8", "v1/index.m3u8") for t in _started(srv, name))
    segment = min(t for name in ("v0/s000.ts", "v1/s000.ts") for t in _started(srv, name))
    (subtitles,) = _started(srv, "en/index.m3u8")
    (cues, *_) = _started(srv, "en/s0.vtt")  # the track was followed from its playlist
    assert abs(subtitles - variant) < DELAY / 2
    # the variant playlist's answer, then the segment: no answer waited for between
    assert segment < variant + DELAY * 1.5
    assert cues > segment
