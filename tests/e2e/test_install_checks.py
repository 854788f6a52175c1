"""What an installed user sees: ``--version`` names every component, and a
missing system library is one line and status 1 instead of Qt's abort."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo

from ui.syslibs import missing_library

PLUGIN = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms" / "libqxcb.so"


def test_version_names_qt_pyav_ffmpeg_portaudio_and_the_licence() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "player.cli", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    import av
    import sounddevice

    assert out.startswith("heureum 0.")
    assert f"PyAV: {av.__version__}" in out
    assert f"FFmpeg: {av.ffmpeg_version_info}" in out
    assert sounddevice.get_portaudio_version()[1].removeprefix("PortAudio ") in out
    assert "Qt: 6." in out and "GNU GPL version 3" in out


def test_the_real_plugin_loads_and_a_moved_copy_names_what_it_lacks(tmp_path: Path) -> None:
    assert missing_library(PLUGIN) is None
    copy = tmp_path / "platforms" / "libqxcb.so"
    copy.parent.mkdir()
    shutil.copy(PLUGIN, copy)
    # Away from PySide6's lib folder, its RUNPATH no longer finds Qt's xcb
    # library; asked in a new process, where no Qt library is loaded yet.
    code = f"from ui.syslibs import missing_library; print(missing_library({str(copy)!r}))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "libQt6XcbQpa.so.6", done.stderr


def test_a_missing_xcb_cursor_library_is_one_line_and_status_1() -> None:
    """libxcb-cursor0 hidden in a private mount namespace: Qt alone would abort
    with status 134 ("could not load the Qt platform plugin")."""
    env_cmd = ["env", "-u", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM=xcb", "DISPLAY=:99"]
    done = _hidden(
        "libxcb-cursor.so.0", [*env_cmd, sys.executable, "-m", "player.cli", "/nonexistent.mp4"]
    )
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "libxcb-cursor.so.0" in lines[0] and "libxcb-cursor0" in lines[0]
    assert "--headless" in lines[0]


def _hidden(library: str, command: list[str]) -> subprocess.CompletedProcess[str]:
    """Run ``command`` with the system ``library`` unreadable, in a private
    mount namespace (the file itself is untouched for everyone else)."""
    target = Path("/usr/lib/x86_64-linux-gnu", library).resolve(strict=True)
    unshare = ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-r", "-m"]
    script = f'mount --bind /dev/null {target} && exec "$@"'
    return subprocess.run(
        [*unshare, "sh", "-c", script, "sh", *command],
        capture_output=True,
        text=True,
        timeout=90,
    )


def test_without_portaudio_video_plays_with_one_warning(audio_device: str, av_file: Path) -> None:
    done = _hidden(
        "libportaudio.so.2",
        [sys.executable, "-m", "player.cli", "--headless", "--frames", "5", str(av_file)],
    )
    assert done.returncode == 0, done.stderr
    assert "presented=5" in done.stdout, done.stdout
    warnings = [line for line in done.stderr.splitlines() if "PortAudio" in line]
    assert len(warnings) == 1 and warnings[0].startswith("heureum: warning: No audio"), done.stderr
    assert "Traceback" not in done.stderr


def _window(env: dict[str, str], args: list[str], wrap: list[str] | None = None) -> str:
    """The window for 2 s on ``args`` (status 0 asserted); returns its stderr."""
    done = subprocess.run(
        [*(wrap or []), sys.executable, "-m", "player.cli", "--duration", "2", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    return done.stderr


def _user(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A fresh home, and an environment that uses it (no XDG or HEUREUM
    overrides), as a new user's first start has."""
    home = tmp_path / "home"
    home.mkdir()
    (tmp_path / "run").mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "HEUREUM_"))}
    return home, {**env, "HOME": str(home), "XDG_RUNTIME_DIR": str(tmp_path / "run")}


def test_a_read_only_home_is_one_line_and_the_window_plays_on(
    tmp_path: Path, av_file: Path
) -> None:
    home, env = _user(tmp_path)
    report = tmp_path / "report.json"
    # A read-only bind mount of the home, in a private mount namespace: even
    # root cannot write there (EROFS).
    unshare = ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-r", "-m"]
    script = f'mount --bind {home} {home} && mount -o remount,ro,bind {home} && exec "$@"'
    stderr = _window(
        env,
        ["--report", str(report), str(av_file)],
        wrap=[*unshare, "sh", "-c", script, "sh"],
    )
    lines = [line for line in stderr.splitlines() if "cannot write" in line or "resume" in line]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("heureum: warning: cannot write to ") and "Read-only" in lines[0]
    assert "no log file" not in stderr
    assert list(home.iterdir()) == []
    # Playback itself went on, and the report the user asked for was written.
    import json

    played = json.loads(report.read_text())
    assert played["frames"]["presented"] > 10


def test_without_opengl_the_window_says_so_once_and_draws_in_software(
    tmp_path: Path, av_file: Path
) -> None:
    _, env = _user(tmp_path)
    report = tmp_path / "report.json"
    env = {**env, "QT_XCB_GL_INTEGRATION": "none", "QT_QPA_PLATFORM": "xcb"}
    stderr = _window(env, ["--report", str(report), str(av_file)])
    gl_lines = [line for line in stderr.splitlines() if "OpenGL" in line or "GLX" in line]
    assert len(gl_lines) == 1, stderr
    assert gl_lines[0].endswith("OpenGL is unavailable: video is drawn in software")
    import json

    assert json.loads(report.read_text())["frames"]["presented"] > 10
