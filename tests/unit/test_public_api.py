"""The engine's public surface, and its independence from Qt."""

from __future__ import annotations

import subprocess
import sys

import player


def test_all_is_exactly_the_public_api() -> None:
    expected = {
        "Player", "PlayerConfig", "OpenOptions", "DEFAULT_CONFIG", "PlayerState", "VideoSink",
        "VideoFrame", "NullVideoSink", "Event", "StateChanged", "MediaOpened", "TracksChanged",
        "BufferingChanged", "ErrorOccurred", "WarningRaised", "Reconnecting", "Reconnected",
        "SeekCompleted", "EndOfStream", "VariantSwitched", "StatsUpdated", "MediaInfo",
        "VideoInfo", "AudioInfo", "VariantInfo", "TrackInfo", "SubtitleChanged", "PlayerError",
        "NetworkError", "FormatError", "FileError", "ErrorCode",
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
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'PyQt', 'shiboken', 'ui'))];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
