"""The resume store: what is kept, what is forgotten, and what reaches the disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ui.resume import MAX_ENTRIES, ResumeStore, resume_point


@pytest.mark.parametrize(
    ("position", "duration", "expected"),
    [
        (42.0, 600.0, 42.0),
        (4.9, 600.0, None),  # too near the start to be worth it
        (596.0, 600.0, None),  # too near the end: next time starts afresh
        (11.0, 12.0, 11.0),  # a short clip: the tail is 5 % of it
        (11.5, 12.0, None),
        (42.0, None, None),  # live or unknown length
        (None, 600.0, None),
    ],
)
def test_resume_point(
    position: float | None, duration: float | None, expected: float | None
) -> None:
    assert resume_point(position, duration) == expected


def test_positions_survive_a_new_store_and_hide_credentials(tmp_path: Path) -> None:
    path = tmp_path / "resume.json"
    url = "https://user:s3cret@example.com/vod/movie.m3u8"
    store = ResumeStore(path)
    store.remember(url, 123.4, 600.0)
    again = ResumeStore(path)
    assert again.get(url) == 123.4
    assert again.get("https://example.com/other.mp4") is None
    text = path.read_text(encoding="utf-8")
    assert "s3cret" not in text and "example.com" not in text
    again.remember(url, 598.0, 600.0)  # watched to the end: forgotten
    assert ResumeStore(path).get(url) is None


def test_a_damaged_file_starts_afresh_and_is_replaced_whole(tmp_path: Path) -> None:
    path = tmp_path / "resume.json"
    path.write_text('{"abc": {"position": 12', encoding="utf-8")  # half a file
    store = ResumeStore(path)
    assert store.get("a") is None
    store.remember("a", 30.0, 100.0)
    assert json.loads(path.read_text(encoding="utf-8"))  # whole JSON again
    assert [p.name for p in tmp_path.iterdir()] == ["resume.json"]  # no temp file left


def test_the_store_keeps_the_newest_entries(tmp_path: Path) -> None:
    store = ResumeStore(tmp_path / "resume.json")
    for i in range(MAX_ENTRIES + 5):
        store.remember(f"file{i}", 10.0 + i, 10_000.0)
    again = ResumeStore(tmp_path / "resume.json")
    assert again.get(f"file{MAX_ENTRIES + 4}") is not None
    kept = sum(again.get(f"file{i}") is not None for i in range(MAX_ENTRIES + 5))
    assert kept == MAX_ENTRIES
