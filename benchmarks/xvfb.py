"""The window benchmarks need a display: without one they run again under
``xvfb-run`` (a 1920x1080 screen), as a module from the project's root."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["rerun_under_xvfb"]

ROOT = Path(__file__).resolve().parent.parent


def rerun_under_xvfb(name: str, module: str) -> int | None:
    """None where there is a display; otherwise the status of ``python -m
    module`` with the same arguments under ``xvfb-run`` (2 without it)."""
    if os.environ.get("DISPLAY"):
        return None
    if shutil.which("xvfb-run") is None:
        print(f"{name}: no DISPLAY and no xvfb-run", file=sys.stderr)
        return 2
    return subprocess.call(
        ["xvfb-run", "-a", "-s", "-screen 0 1920x1080x24", sys.executable, "-m", module,
         *sys.argv[1:]],
        cwd=ROOT,
    )  # fmt: skip
