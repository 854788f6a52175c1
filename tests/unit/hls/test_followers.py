"""``hls.followers`` through the loader on the clock: the alternate audio and
subtitle renditions of a real ladder, followed alongside the main segments
and switched, with no sockets."""

from __future__ import annotations

from player.clock import ManualClock
from player.hls.hls_source import HlsSource
from tests.support.clocked_run import play_to_end
from tests.support.fake_fetcher import FakeFetcher
from tests.support.hls_media import SUBTITLE_CUES, renditions_vod

ORIGIN = "http://origin.test/"


def _run(audio: int | None = None, subtitles: int | None = None) -> tuple[HlsSource, FakeFetcher]:
    clock = ManualClock()
    origin = FakeFetcher(clock)
    origin.serve_directory(ORIGIN, renditions_vod(), ttfb=0.02, bits_per_second=8e6)
    src = HlsSource(ORIGIN + "master.m3u8", clock=clock, fetcher=origin, rand=lambda: 0.5)
    if audio is not None:
        src.select_audio_track(audio)
    if subtitles is not None:
        src.select_subtitle_track(subtitles)
    play_to_end(src, clock)
    return src, origin


def test_the_default_audio_and_subtitles_are_followed_segment_by_segment() -> None:
    src, origin = _run()
    urls = origin.urls()
    audio = [u for u in urls if "/v2/" in u and u.endswith(".ts")]
    subs = [u for u in urls if u.endswith(".vtt")]
    assert len(audio) >= 4 and all("/v3/" not in u for u in urls)
    assert subs == [ORIGIN + f"en/s{k}.vtt" for k in range(4)]
    assert [t.name for t in src.audio_tracks()] == ["English", "French"]
    assert src.selected_tracks() == (0, 0)
    # the cues are on the programme's timeline (X-TIMESTAMP-MAP applied)
    for start, end, text, _ in SUBTITLE_CUES:
        shown = src.subtitle_text((start + end) / 2)
        assert shown is not None and shown.split("\n")[0].startswith(text.split(" ")[0])
    assert src.subtitle_text(6.0) is None


def test_other_tracks_are_followed_when_chosen() -> None:
    src, origin = _run(audio=1, subtitles=1)
    urls = origin.urls()
    assert any("/v3/" in u for u in urls)
    assert [u for u in urls if u.endswith(".vtt")] == [ORIGIN + f"de/s{k}.vtt" for k in range(4)]
    assert src.selected_tracks() == (1, 1)
    shown = src.subtitle_text(1.0)
    assert shown is not None and shown.startswith("Eins")
