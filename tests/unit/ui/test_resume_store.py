"""The resume store: what is kept, what is forgotten, and what reaches the disk."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
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


def test_keys_are_the_urls_sha256_without_loading_openssl(tmp_path: Path) -> None:
    """The key is read at the first open, before the engine's: ``hashlib``
    would load OpenSSL's libcrypto first (2.5-6 ms of the first picture)."""
    code = (
        "import json, sys; from pathlib import Path; from ui.resume import ResumeStore\n"
        f"store = ResumeStore(Path({str(tmp_path / 'resume.json')!r}))\n"
        "store.remember('https://example.com/a.mp4', 42.0, 600.0)\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = json.loads(done.stdout.splitlines()[-1])
    assert [m for m in modules if m in ("hashlib", "_hashlib")] == []
    kept = json.loads((tmp_path / "resume.json").read_text(encoding="utf-8"))
    assert list(kept) == [hashlib.sha256(b"https://example.com/a.mp4").hexdigest()]
