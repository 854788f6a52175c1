"""A local file's subtitles listed on a thread of their own: what the caller
gets at once, what ``MediaOpened`` carries, and when the tracks are announced
again. A named pipe beside the file holds the listing for as long as a test
wants (reading it waits for its writer), so no timing is guessed."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from player.config import OpenOptions
from player.text_tracks import TextTracks
from player.text_tracks.listing import Problem, SubtitleListing, subtitle_files_only
from player.warning_text import WarningCode

SRT = "1\n00:00:01,000 --> 00:00:02,000\nHello\n"


class Done:
    def __init__(self) -> None:
        self.called = threading.Event()
        self.problems: list[Problem] = []
        self.late: bool | None = None

    def __call__(self, problems: list[Problem], late: bool) -> None:
        self.problems, self.late = problems, late
        self.called.set()


@pytest.fixture
def media(tmp_path: Path) -> Path:
    path = tmp_path / "clip.mkv"
    path.write_bytes(b"not a real video: no embedded streams are read")
    return path


@pytest.fixture
def held(media: Path) -> Iterator[Path]:
    """A sidecar that is a named pipe: its listing waits until it is written."""
    pipe = media.with_name("clip.en.srt")
    os.mkfifo(pipe)
    yield pipe
    release(pipe, "")  # a test that failed early must not leave the reader waiting


def release(pipe: Path, text: str) -> None:
    try:
        fd = os.open(pipe, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:
        return  # no reader (any more)
    with os.fdopen(fd, "w", encoding="utf-8") as writer:
        writer.write(text)


def test_a_listing_done_before_media_opened_is_carried_by_it(media: Path) -> None:
    media.with_name("clip.ko.srt").write_text(SRT, encoding="utf-8")
    listing = SubtitleListing(TextTracks(("ko",)), media, None)
    done = Done()
    listing.start(done)
    assert done.called.wait(10)
    infos = listing.infos_for_opened(10.0)
    assert [(t.name, t.language, t.default) for t in infos] == [("clip.ko.srt", "ko", True)]
    assert done.late is False and done.problems == []


def test_a_held_listing_neither_holds_the_caller_nor_media_opened(media: Path, held: Path) -> None:
    listing = SubtitleListing(TextTracks(), media, OpenOptions(subtitle_track=3))
    done = Done()
    listing.start(done)  # returns although the pipe holds the listing
    assert listing.infos_for_opened(0.05) == ()
    assert not listing.listed and not done.called.is_set()
    release(held, SRT)
    assert done.called.wait(10)
    # MediaOpened went out first: the caller is told to announce the tracks again
    assert done.late is True
    assert [(t.name, t.default) for t in listing.tracks.infos()] == [("clip.en.srt", False)]
    # --sid 4 is looked for among what was listed (one track), after the listing
    assert done.problems == [(WarningCode.NO_SUCH_SUBTITLE_TRACK, {"number": 4, "count": 1})]


def test_subtitle_files_of_a_stream_are_read_at_once(tmp_path: Path) -> None:
    good = tmp_path / "a.srt"
    good.write_text(SRT, encoding="utf-8")
    missing = tmp_path / "missing.srt"
    text, problems = subtitle_files_only(
        OpenOptions(subtitle_files=(str(missing), str(good)), subtitle_track=0)
    )
    assert text is not None and text.text_at(1.5) == "Hello"
    assert [code for code, _ in problems] == [WarningCode.SUBTITLE_FILE]
    none, why = subtitle_files_only(OpenOptions(subtitle_files=(str(missing),), subtitle_track=0))
    # nothing read: the stream's own subtitles answer --sid, so no word on it here
    assert none is None and [code for code, _ in why] == [WarningCode.SUBTITLE_FILE]
