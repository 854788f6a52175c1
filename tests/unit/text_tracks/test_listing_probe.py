"""The second handle that lists a file's text streams skips libavformat's
packet probe where the header declares the streams (issue 13): the tracks and
their cues are the same as with the full probe."""

from __future__ import annotations

from pathlib import Path

import pytest

from player.text_tracks import TextTracks
from player.text_tracks.tracks import listing_options
from tests.support.subtitle_media import make_subtitled


@pytest.mark.parametrize("name", ["a.mkv", "b.MP4", "c.webm", "d.mov", "e.m4v"])
def test_header_declared_containers_get_the_short_probe(name: str) -> None:
    options = listing_options(Path(name))
    assert options == {"probesize": "32", "analyzeduration": "0"}


@pytest.mark.parametrize("name", ["a.ts", "b.m2ts", "c.avi", "d", "e.mkv.part"])
def test_other_containers_are_probed_in_full(name: str) -> None:
    assert listing_options(Path(name)) == {}


def test_options_are_a_fresh_dict_each_time() -> None:
    # PyAV consumes what it used from the dict it is given: one open must not
    # change the next one's options
    first = listing_options(Path("a.mkv"))
    first.clear()
    assert listing_options(Path("a.mkv")) == {"probesize": "32", "analyzeduration": "0"}


@pytest.mark.parametrize("container", ["mkv", "mp4"])
def test_the_short_probe_lists_the_track_and_reads_every_cue(container: str) -> None:
    media = make_subtitled(container, language="kor")
    tracks = TextTracks(("ko",))
    tracks.open_local(media)
    reader = tracks._reader
    assert reader is not None, "the text stream was not found"
    reader.join(timeout=10)
    assert not reader.is_alive()
    infos = tracks.infos()
    assert [t.language for t in infos] == ["ko"]
    assert tracks.text_at(1.0) == "Hello world"
    assert tracks.text_at(2.5) == "Second line\nthat wraps"
    assert tracks.text_at(3.8) is None
    tracks.close()
