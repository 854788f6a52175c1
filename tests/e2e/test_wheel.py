"""The wheel works on its own: built with ``python -m build``, installed in a
new virtualenv away from the checkout, its ``heureum`` prints the versions,
plays a file headless and finds its resources inside site-packages."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(cmd: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=cwd, env=env)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh venv with only the wheel (and what it depends on) installed."""
    work = tmp_path_factory.mktemp("wheel")
    built = _run([sys.executable, "-m", "build", "--wheel", "--outdir", str(work), str(ROOT)], work)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    wheels = sorted(work.glob("heureum-*.whl"))
    assert len(wheels) == 1
    venv = work / "venv"
    made = _run([sys.executable, "-m", "venv", str(venv)], work)
    assert made.returncode == 0, made.stderr
    pip = _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheels[0])], work)
    assert pip.returncode == 0, pip.stderr[-3000:]
    yield venv


@pytest.mark.timeout(900)
def test_the_installed_command_prints_every_version(installed: Path) -> None:
    done = _run([str(installed / "bin" / "heureum"), "--version"], installed)
    assert done.returncode == 0, done.stderr
    for part in ("heureum 0.", "Qt: 6.", "PyAV: ", "FFmpeg: ", "PortAudio: V19", "GPL"):
        assert part in done.stdout, (part, done.stdout)


@pytest.mark.timeout(900)
def test_the_installed_command_plays_one_frame_of_a_file(installed: Path, av_file: Path) -> None:
    done = _run(
        [
            str(installed / "bin" / "heureum"),
            "--headless",
            "--frames",
            "1",
            "--no-audio",
            str(av_file),
        ],
        installed,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "presented=1" in done.stdout, done.stdout


@pytest.mark.timeout(900)
def test_resources_come_from_site_packages_not_the_checkout(installed: Path) -> None:
    code = (
        "import resources, ui.i18n as i18n; "
        "print(resources.__file__); print(i18n.I18N_DIR); "
        "print(len(resources.stylesheet('osd'))); print(resources.icon_path(256).stat().st_size)"
    )
    done = _run([str(installed / "bin" / "python"), "-c", code], installed)
    assert done.returncode == 0, done.stderr
    module, i18n_dir, qss, icon = done.stdout.split()
    assert "site-packages" in module and str(ROOT) not in module
    assert (Path(i18n_dir) / "heureum_ko.qm").is_file()
    assert int(qss) > 20 and int(icon) > 1000
