"""The training run of the launcher's libpython (packaging/libpython_rebuild.py):
run by the instrumented interpreter of that build, in its build folder.

CPython's own training set first (``-m test --pgo``, what the distribution
trains its ``python3`` on), then what the launcher spends its time on:
Heureum's start, ``--help``, and a short headless playback of a clip made
here, with the packages from ``site-packages`` (the packaging venv's: the
same ABI). Profiles of every process are merged, so each step is a child.
Runs in the build folder, where it leaves ``pgo-task.done``.

    ./python pgo_task.py SITE_PACKAGES
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

STARTS = 25

_APP = """
import site, sys
site.addsitedir(sys.argv.pop(1))
from player.cli import main
sys.exit(main(sys.argv[1:]))
"""

_CLIP = """
import site, sys
site.addsitedir(sys.argv[1])
import av, numpy as np
with av.open(sys.argv[2], "w") as out:
    video = out.add_stream("libx264" if "libx264" in av.codecs_available else "mpeg4", rate=30)
    video.width, video.height, video.pix_fmt = 640, 360, "yuv420p"
    for i in range(45):
        picture = np.full((360, 640, 3), (i * 5) % 256, dtype=np.uint8)
        picture[:, (i * 9) % 640] = 255
        for packet in video.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")):
            out.mux(packet)
    for packet in video.encode():
        out.mux(packet)
"""


def main(argv: list[str]) -> int:
    # Debian's Makefile runs the task twice (run_profile_task); once is the
    # training, the second run would only cost another minute and a half.
    done = Path("pgo-task.done")
    if done.exists():
        return 0
    python = sys.executable
    site_packages = argv[1]
    # The generic set: the interpreter stays as fast elsewhere as the distribution's.
    subprocess.run([python, "-m", "test", "--pgo"], check=False)
    with tempfile.TemporaryDirectory() as tmp:
        clip = str(Path(tmp) / "clip.mp4")
        made = subprocess.run([python, "-c", _CLIP, site_packages, clip], check=False)
        app = [python, "-c", _APP, site_packages]
        # Enough starts that they weigh beside the minute of the generic set:
        # a start is a few tenths of a second of Python.
        for _ in range(STARTS):
            subprocess.run([*app, "--help"], check=False, stdout=subprocess.DEVNULL)
            if made.returncode == 0:
                headless = ["--headless", "--frames", "10", "--no-audio", clip]
                subprocess.run([*app, *headless], check=False, stdout=subprocess.DEVNULL)
    done.write_text("trained\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
