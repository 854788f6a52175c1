"""The log file: in the folder asked for, credentials masked, rotating, and a
read-only folder gives one warning instead of an error."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from player import logfile


@pytest.fixture
def clean_root() -> Iterator[logging.Logger]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield root
    for handler in root.handlers:
        if handler not in handlers:
            handler.close()
    root.handlers[:] = handlers
    root.setLevel(level)


def test_log_dir_follows_the_override_then_xdg_state(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HEUREUM_LOG_DIR", str(tmp_path / "x"))
    assert logfile.log_dir() == tmp_path / "x"
    monkeypatch.delenv("HEUREUM_LOG_DIR")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert logfile.log_path() == tmp_path / "state" / "heureum" / "log" / "heureum.log"


def test_credentials_never_reach_the_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, clean_root: logging.Logger
) -> None:
    monkeypatch.setenv("HEUREUM_LOG_DIR", str(tmp_path / "logs"))
    path = logfile.install_file_log()
    assert path == tmp_path / "logs" / "heureum.log"
    logging.getLogger("player.test").info("opening rtsp://alice:s3cret@cam.local/live?token=abc")
    for handler in clean_root.handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "cam.local/live" in text
    assert "s3cret" not in text and "token=abc" not in text
    # A second call does not add a second handler.
    assert logfile.install_file_log() == path
    files = [h for h in clean_root.handlers if isinstance(h, logfile.RotatingLog)]
    assert len(files) == 1


def test_the_file_rotates(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, clean_root: logging.Logger
) -> None:
    monkeypatch.setenv("HEUREUM_LOG_DIR", str(tmp_path))
    monkeypatch.setattr(logfile, "MAX_BYTES", 2000)
    path = logfile.install_file_log()
    assert path is not None
    for i in range(200):
        logging.getLogger("player.test").info("line %d %s", i, "x" * 40)
    assert path.stat().st_size <= 2000
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "heureum.log",
        "heureum.log.1",
        "heureum.log.2",
        "heureum.log.3",
    ]


def test_a_folder_that_cannot_be_made_gives_one_warning(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    clean_root: logging.Logger,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A file where the folder should be: mkdir fails even for root, as it
    # does for anyone on a read-only home.
    (tmp_path / "state").write_text("not a folder")
    monkeypatch.setenv("HEUREUM_LOG_DIR", str(tmp_path / "state" / "logs"))
    assert logfile.install_file_log() is None
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no log file" in err


def test_rotation_keeps_the_newest_lines_in_order(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, clean_root: logging.Logger
) -> None:
    monkeypatch.setenv("HEUREUM_LOG_DIR", str(tmp_path))
    monkeypatch.setattr(logfile, "MAX_BYTES", 1000)
    path = logfile.install_file_log()
    assert path is not None
    for i in range(100):
        logging.getLogger("player.test").info("line %03d %s", i, "y" * 30)
    files = [path, *(path.with_name(f"heureum.log.{n}") for n in (1, 2, 3))]
    numbers = [
        int(line.split("line ")[1][:3])
        for f in reversed(files)
        for line in f.read_text(encoding="utf-8").splitlines()
        if "line " in line
    ]
    # the oldest files were dropped; what is kept runs on, line after line, to the last
    assert numbers == list(range(numbers[0], 100)) and numbers[0] > 0
    assert all(f.stat().st_size <= 1000 for f in files)


def test_a_line_longer_than_the_limit_is_written_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, clean_root: logging.Logger
) -> None:
    monkeypatch.setenv("HEUREUM_LOG_DIR", str(tmp_path))
    monkeypatch.setattr(logfile, "MAX_BYTES", 100)
    path = logfile.install_file_log()
    assert path is not None
    logging.getLogger("player.test").info("long %s", "z" * 300)
    logging.getLogger("player.test").info("short")
    # the long line alone in the file it began, the next in a new one
    assert "z" * 300 in path.with_name("heureum.log.1").read_text(encoding="utf-8")
    assert "short" in path.read_text(encoding="utf-8")
    assert "z" * 300 not in path.read_text(encoding="utf-8")


def test_installing_the_log_does_not_import_logging_handlers(tmp_path: Path) -> None:
    # sockets, pickle and queues: 7 ms of the start-up (issue 13)
    code = (
        "import sys, logging\n"
        "from player.logfile import install_file_log\n"
        "assert install_file_log() is not None\n"
        "logging.getLogger('x').info('hello')\n"
        "print('logging.handlers' in sys.modules, 'socket' in sys.modules)\n"
    )
    env = {**os.environ, "HEUREUM_LOG_DIR": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]
    assert "hello" in (tmp_path / "heureum.log").read_text(encoding="utf-8")
