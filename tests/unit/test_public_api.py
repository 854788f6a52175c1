"""The engine's public surface, and its independence from Qt and the lab."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import player

#: Top-level packages the engine must never import: Qt, the window, the lab.
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "ui", "lab")
#: The command line starts the window when asked to (``heureum URL`` without
#: ``--headless``), lazily, after parsing: the one way down into ``ui``; and
#: ``heureum lab`` starts the lab's servers the same way.
ALLOWED = {"cli.py": {"ui", "lab"}}


def test_all_is_exactly_the_public_api() -> None:
    expected = {
        "Player", "PlayerConfig", "OpenOptions", "DEFAULT_CONFIG", "PlayerState", "VideoSink",
        "VideoFrame", "NullVideoSink", "Event", "StateChanged", "MediaOpened", "TracksChanged",
        "BufferingChanged", "ErrorOccurred", "WarningRaised", "Reconnecting", "Reconnected",
        "SeekCompleted", "EndOfStream", "VariantSwitched", "StatsUpdated", "SessionStats",
        "MediaInfo",
        "VideoInfo", "AudioInfo", "VariantInfo", "TrackInfo", "SubtitleChanged", "PlayerError",
        "NetworkError", "FormatError", "FileError", "ErrorCode", "WarningCode", "ReasonCode",
        "DecodeError", "UnsupportedError", "SecurityError", "PlaylistError", "redact",
        "redact_url", "__version__",
    }  # fmt: skip
    assert set(player.__all__) == expected
    for name in player.__all__:
        assert hasattr(player, name), name


def test_engine_never_imports_qt() -> None:
    code = (
        "import sys, player, player.cli, player.engine, player.sources;"
        "import pkgutil, importlib;"
        "[importlib.import_module(m.name)"
        " for m in pkgutil.walk_packages(player.__path__, 'player.')];"
        "bad = [m for m in sys.modules if m.split('.')[0] in (('PySide6', 'PyQt5', 'PyQt6',"
        " 'shiboken6', 'ui', 'lab'))];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_no_engine_module_names_qt_or_the_lab_even_in_a_function() -> None:
    """The run-time check above misses imports made lazily inside functions."""
    root = Path(player.__file__).parent
    offenders = {
        str(path.relative_to(root)): sorted(
            _imported_roots(path) & set(FORBIDDEN) - ALLOWED.get(str(path.relative_to(root)), set())
        )
        for path in sorted(root.rglob("*.py"))
    }
    assert {name: bad for name, bad in offenders.items() if bad} == {}
    # The walk did read the engine (a moved package would pass vacuously).
    assert "hls/hls_source.py" in offenders and len(offenders) > 40
