"""Start-up cost: what importing the package and the command costs, checked in
fresh interpreters (this process has imported everything already).

``heureum --headless --frames 1 --no-audio URL`` is benchmarked against mpv
(benchmarks/hls_first_frame.py): numpy alone was a tenth of a second of it."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import player

#: Never needed to parse a command line, nor to play without audio.
HEAVY = ("numpy", "sounddevice", "Cryptodome", "av", "httpx", "httpcore", "m3u8")
#: The engine's own modules that pull in those libraries.
ENGINE = (
    "player.player",
    "player.engine",
    "player.session_state",
    "player.session_clocks",
    "player.demux_thread",
    "player.presenter",
    "player.control_loop",
    "player.decode",
    "player.hls.hls_source",
    "player.fetch",
    "player.http_fetcher",
)


def _modules_after(code: str) -> set[str]:
    """The modules loaded once ``code`` has run in a new interpreter."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    modules: list[str] = json.loads(result.stdout.splitlines()[-1])
    return set(modules)


def _loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in names or m in names)


def test_importing_the_package_loads_no_engine_and_no_heavy_library() -> None:
    modules = _modules_after("import player")
    assert _loaded(modules, HEAVY) == []
    assert [m for m in ENGINE if m in modules] == []
    # Nor the dataclass-heavy modules: the exports load on first use.
    assert "player.events" not in modules
    assert "player.config" not in modules


def test_parsing_a_no_audio_command_line_loads_no_heavy_library() -> None:
    modules = _modules_after(
        "import player.cli as cli\n"
        "args = cli.build_parser().parse_args("
        "['--headless', '--frames', '1', '--no-audio', 'http://127.0.0.1:1/a.m3u8'])\n"
        "cli._config(args)\n"
        "cli._options(args)\n"
    )
    assert _loaded(modules, HEAVY) == []
    assert [m for m in ENGINE if m in modules] == []
    assert "player.report" not in modules  # tempfile and json: only with --report


def test_the_engine_and_the_hls_source_do_not_load_numpy_nor_portaudio() -> None:
    """What a --no-audio HLS start imports before it plays (PyAV and httpx are
    needed to demux, decode and fetch; numpy only arrives with decoded audio,
    sounddevice with an audio device, Cryptodome with an AES-128 key)."""
    modules = _modules_after(
        "import player.player, player.engine, player.sources, player.hls.hls_source"
    )
    assert _loaded(modules, ("numpy", "sounddevice", "Cryptodome")) == []
    # libavformat's Source is for files, RTSP, RTMP and progressive HTTP only.
    assert "player.sources.libav" not in modules


def test_lazy_exports_are_the_defining_modules_objects() -> None:
    from player import config, errors, events, video_sink, warning_reasons, warning_text
    from player import player as player_module
    from player import stats as stats_module

    owners = {
        "config": config,
        "errors": errors,
        "events": events,
        "player": player_module,
        "stats": stats_module,
        "video_sink": video_sink,
        "warning_text": warning_text,
        "warning_reasons": warning_reasons,
    }
    for name, module_name in player._LAZY.items():
        assert getattr(player, name) is getattr(owners[module_name], name), name
    assert set(player._LAZY) | {"redact", "redact_url", "__version__"} == set(player.__all__)
    assert set(player.__all__) <= set(dir(player))


def test_redact_stays_the_function_once_its_module_is_imported() -> None:
    # ``import player.redact`` binds the package attribute to the submodule
    # unless the function is bound first (it is exported eagerly for that).
    modules_code = (
        "import player.redact, player\n"
        "from player import redact\n"
        "assert callable(redact) and redact is player.redact, player.redact\n"
    )
    _modules_after(modules_code)


def test_an_unknown_attribute_is_still_an_attribute_error() -> None:
    name = "no_such_name"
    with pytest.raises(AttributeError, match=name):
        getattr(player, name)


def test_the_otlp_extra_loads_only_with_the_flag() -> None:
    """``heureum[otlp]`` (protobuf and the generated OTLP classes) is for
    ``--otlp`` alone: a command line with the other probe, the engine and
    the compare command do not import it (nor does the frozen build)."""
    modules = _modules_after(
        "import player.cli as cli, player.cli_compare, player.player, player.metrics_http\n"
        "args = cli.build_parser().parse_args(['--headless', '--metrics-port', '9', 'a.mkv'])\n"
        "cli._options(args)\n"
    )
    assert _loaded(modules, ("opentelemetry", "google")) == []
    assert "player.otlp" not in modules


#: What the window's first paint does not need, and the start-up therefore
#: leaves until after it (issue 13): each one imported before ``show()`` again
#: is time added to a mapped, painted window.
NOT_BEFORE_SHOW = (
    *HEAVY,
    # the player is made before the window (the window is built around it);
    # the engine it drives is not
    *(name for name in ENGINE if name != "player.player"),
    "pyqtgraph",
    "json",  # the resume positions are read at the first open
    "hashlib",
    "player.report",  # json and tempfile: only with --report
    "player.audio_out",  # the player's audio output: made after the first paint
    "player.alsa_log",
    "logging.handlers",  # the log file opens after the first paint
    "PySide6.QtNetwork",  # the single-instance server: after the first frame
    "PySide6.QtDBus",  # MPRIS: after the first frame
    "PySide6.QtOpenGL",  # the OpenGL probe: after the first paint
    "PySide6.QtOpenGLWidgets",
    "lab",
    "player.sources",
    "player.versions",
    "ui.single_instance",
    "ui.mpris",
    "ui.open_dialog",
)

_AT_SHOW = """
import os, sys
from PySide6.QtWidgets import QWidget

def show(self):
    if type(self).__name__ == "MainWindow":
        print(repr(sorted(sys.modules)), flush=True)
        os._exit(0)
    return QWidget_show(self)

QWidget_show = QWidget.show
QWidget.show = show
from player.cli import main
main([sys.argv[1]])
print("the window was never shown", file=sys.stderr)
"""


def test_the_window_start_imports_nothing_its_first_paint_does_not_need(tmp_path: Path) -> None:
    """The real ``heureum FILE`` start (command line, QApplication, settings,
    the player and the window), stopped as the window is shown."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }
    result = subprocess.run(
        [sys.executable, "-c", _AT_SHOW, str(tmp_path / "clip.mkv")],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    modules: list[str] = ast.literal_eval(result.stdout.splitlines()[-1])
    assert "ui.main_window" in modules  # it did stop at the window's show()
    assert _loaded(set(modules), NOT_BEFORE_SHOW) == []
