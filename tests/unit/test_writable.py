from __future__ import annotations

from pathlib import Path

from player.writable import unwritable


def test_a_folder_that_can_be_made_and_written_is_fine_and_left_clean(tmp_path: Path) -> None:
    folder = tmp_path / "a" / "b"
    assert unwritable([folder, folder]) == []
    assert folder.is_dir() and list(folder.iterdir()) == []


def test_a_file_in_the_way_is_named_once_with_its_reason(tmp_path: Path) -> None:
    blocker = tmp_path / "home"
    blocker.write_text("not a folder")
    bad = blocker / ".config" / "Heureum"
    assert unwritable([bad, tmp_path / "ok", bad]) == [(bad, "Not a directory")]
