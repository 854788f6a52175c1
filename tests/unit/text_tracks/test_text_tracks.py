"""Subtitle files and the text tracks of a file, without playing anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from player.errors import FormatError
from player.text_tracks import TextTracks, find_sidecars, load_subtitle_file, parse_ass, parse_srt
from player.text_tracks.formats import MAX_SUBTITLE_BYTES, decode_text


def test_srt_with_crlf_bom_tags_and_a_broken_block() -> None:
    text = (
        "\ufeff1\r\n00:00:01,000 --> 00:00:02,500\r\n<b>Bold</b> &amp; plain\r\n\r\n"
        "garbage block\r\n\r\n"
        "3\r\n00:01:02.5 --> 00:01:04,25\r\nTwo\r\nlines\r\n"
    )
    cues = parse_srt(text.removeprefix("\ufeff"))
    assert [(c.start, c.end, c.text) for c in cues] == [
        (1.0, 2.5, "Bold & plain"),
        (62.5, 64.25, "Two\nlines"),
    ]


def test_ass_by_its_format_line_with_overrides_removed() -> None:
    text = (
        "[Script Info]\nTitle: x\n\n[V4+ Styles]\nFormat: Name, Fontname\n\n[Events]\n"
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
        "Dialogue: 0,0:00:03.00,0:00:04.50,Default,,0,0,0,,{\\i1}Later{\\i0}, with a comma\n"
        "Dialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,First\\Nsecond\n"
        "Comment: 0,0:00:01.00,0:00:09.00,Default,,0,0,0,,not shown\n"
    )
    cues = parse_ass(text)
    assert [(c.start, c.end, c.text) for c in cues] == [
        (1.0, 2.0, "First\nsecond"),
        (3.0, 4.5, "Later, with a comma"),
    ]


def test_legacy_korean_encoding_is_read() -> None:
    assert decode_text("안녕".encode("cp949")) == "안녕"
    assert decode_text("\ufeff안녕".encode()) == "안녕"


def test_files_by_content_and_bad_ones_refused(tmp_path: Path) -> None:
    vtt = tmp_path / "a.srt"  # named .srt, but WebVTT inside
    vtt.write_text("WEBVTT\n\n00:01.000 --> 00:02.000\nvtt cue\n", encoding="utf-8")
    assert [c.text for c in load_subtitle_file(vtt)] == ["vtt cue"]
    junk = tmp_path / "b.srt"
    junk.write_bytes(b"\x00\x01 not subtitles at all")
    with pytest.raises(FormatError, match="no subtitles found"):
        load_subtitle_file(junk)
    huge = tmp_path / "c.srt"
    with huge.open("wb") as f:
        f.truncate(MAX_SUBTITLE_BYTES + 1)
    with pytest.raises(FormatError, match="not a subtitle file"):
        load_subtitle_file(huge)


def test_sidecars_by_name_with_languages(tmp_path: Path) -> None:
    media = tmp_path / "Movie.2024.mkv"
    for name in ("Movie.2024.srt", "Movie.2024.ko.srt", "Movie.2024.English.ass", "Other.srt",
                 "Movie.2024.nfo"):  # fmt: skip
        (tmp_path / name).write_text("1\n00:00:01,000 --> 00:00:02,000\nx\n", encoding="utf-8")
    found = find_sidecars(media)
    assert [(s.name, s.language) for s in found] == [
        ("Movie.2024.srt", None),
        ("Movie.2024.English.ass", "en"),
        ("Movie.2024.ko.srt", "ko"),
    ]


def test_tracks_choose_the_preferred_language_then_a_file(tmp_path: Path) -> None:
    media = tmp_path / "clip.mkv"
    media.write_bytes(b"not a real video: no embedded streams are read")
    (tmp_path / "clip.en.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nHello\n")
    (tmp_path / "clip.ko.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\n안녕\n")
    korean = TextTracks(("ko",))
    korean.open_local(media)
    assert korean.text_at(1.5) == "안녕" and korean.text_at(2.5) is None
    plain = TextTracks()
    plain.open_local(media)
    assert plain.text_at(1.5) == "Hello"
    infos = plain.infos()
    assert [(t.name, t.language, t.default) for t in infos] == [
        ("clip.en.srt", "en", True),
        ("clip.ko.srt", "ko", False),
    ]
    plain.select(None)
    assert plain.text_at(1.5) is None
