"""The Python modules `heureum --headless` imports before its first frame.

The frozen build keeps its modules in PyInstaller's zlib-compressed archive
(PYZ) to stay small, but inflating the ~3 MB of bytecode a start imports cost
the installed build ~20-30 ms against the venv (issue 12's target: no slower).
Collected as plain .pyc files instead, those modules load as fast as from a
venv; the cold rest stays compressed. The set is measured by playing one
frame of a clip in a child process, so it follows the code as it changes
rather than a list that rots.

    python packaging/hot_modules.py     # prints the set, one name per line
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

# Runs in the child: make a two-frame clip with PyAV (no ffmpeg CLI needed on
# a build machine), play one frame headless, then dump sys.modules.
_CHILD = r"""
import json, sys
from fractions import Fraction
import av
clip, out = sys.argv[1], sys.argv[2]
with av.open(clip, "w") as c:
    s = c.add_stream("mpeg4", rate=25)
    s.width, s.height, s.pix_fmt = 64, 64, "yuv420p"
    for i in range(3):
        f = av.VideoFrame(64, 64, "yuv420p")
        f.pts, f.time_base = i, Fraction(1, 25)
        for p in s.encode(f):
            c.mux(p)
    for p in s.encode():
        c.mux(p)
from player.cli import main
code = main(["--headless", "--frames", "1", "--no-audio", clip])
with open(out, "w", encoding="utf-8") as fh:
    json.dump({"code": code, "modules": sorted(set(sys.modules))}, fh)
"""


def hot_modules(python: str = sys.executable, cwd: str | None = None) -> list[str]:
    """Names of the modules a headless one-frame play imports, run by
    `python` (which must have Heureum installed or on its path)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "modules.json"
        env = {**os.environ, "HEUREUM_LOG_DIR": tmp, "PYTHONDONTWRITEBYTECODE": "1"}
        done = subprocess.run(
            [python, "-c", _CHILD, str(Path(tmp) / "clip.mp4"), str(out)],
            cwd=cwd or tmp,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0 or not out.exists():
            raise RuntimeError(f"hot_modules: the headless run failed: {done.stderr[-800:]}")
        result = json.loads(out.read_text(encoding="utf-8"))
    if result["code"] != 0:
        raise RuntimeError(f"hot_modules: the headless run exited with {result['code']}")
    modules: list[str] = result["modules"]
    return [m for m in modules if not m.startswith("__")]


if __name__ == "__main__":
    print("\n".join(hot_modules()))
