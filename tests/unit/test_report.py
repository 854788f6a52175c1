"""``report``: reports are written whole or not at all."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from player.report import write_json_atomic, write_text_atomic


def test_json_is_written_readable_with_its_folder(tmp_path: Path) -> None:
    target = write_json_atomic(tmp_path / "new" / "r.json", {"name": "흐름", "n": [1, 2]})
    assert json.loads(target.read_text(encoding="utf-8")) == {"name": "흐름", "n": [1, 2]}
    assert "흐름" in target.read_text(encoding="utf-8")  # not escaped
    assert [p.name for p in target.parent.iterdir()] == ["r.json"]


def test_a_failed_write_leaves_the_old_report_and_no_scratch_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = write_text_atomic(tmp_path / "r.txt", "old\n")

    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_text_atomic(target, "new\n")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.txt"]


def test_what_json_cannot_hold_fails_before_touching_the_file(tmp_path: Path) -> None:
    target = write_text_atomic(tmp_path / "r.json", "{}\n")
    with pytest.raises(TypeError):
        write_json_atomic(target, {"bad": object()})
    assert target.read_text() == "{}\n"
