"""What the packaged build costs: the installed onedir's size, the .deb's size,
cold start of the installed build to the first demo frame on screen, and
``heureum --headless --frames 1`` from the installed build against the venv.
Also, with ``--apt``, what ``scripts/setup.sh run`` downloads against
``scripts/setup.sh`` (the test rig) on a Debian 12 base.

    bash packaging/build.sh deb && apt-get install ./dist/heureum_*.deb
    .venv/bin/python -m benchmarks.packaging [--rounds 5] [--apt] [--json]

The installed build is /opt/heureum when the .deb is installed, else
build/onedir/heureum. The window runs under Xvfb on the built-in demo (made and
cached by a first untimed run); the first frame is the log line the window
writes when its view has painted a frame, timed from the process's start.
Targets (issue 12): onedir <= 180 MB, .deb <= 80 MB, first frame <= 1.5 s,
headless 1 frame no slower than from the venv.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"onedir_mb": 180.0, "deb_mb": 80.0, "first_frame_s": 1.5}
_FIRST = re.compile(r"first frame on screen, ([\d.]+) s after start")


def installed_command() -> Path:
    for path in (Path("/opt/heureum/heureum"), ROOT / "build/onedir/heureum/heureum"):
        if path.exists():
            return path
    raise SystemExit("packaging: no build found: run bash packaging/build.sh onedir (or deb)")


def _mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.lstat().st_size for p in path.rglob("*") if not p.is_symlink()) / 1e6


def first_frame_s(command: Path, timeout: float = 120) -> float:
    """One start of the window on the demo under Xvfb; seconds to its first frame."""
    with tempfile.TemporaryDirectory() as logs:
        env = {**os.environ, "HEUREUM_LOG_DIR": logs, "HEUREUM_RENDERER": "software"}
        env.pop("DISPLAY", None)
        proc = subprocess.Popen(
            ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", str(command)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        log = Path(logs) / "heureum.log"
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                text = log.read_text(encoding="utf-8") if log.exists() else ""
                found = _FIRST.search(text)
                if found:
                    return float(found.group(1))
                if "demo preparation failed" in text:
                    raise RuntimeError(f"{command}: the demo could not be made: {text[-800:]}")
                if proc.poll() is not None:
                    raise RuntimeError(f"{command} exited with {proc.returncode}: {text[-500:]}")
                time.sleep(0.05)
            raise RuntimeError(f"{command}: no first frame within {timeout} s")
        finally:
            os.killpg(proc.pid, 15)
            proc.wait(timeout=30)


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def headless_one_frame_s(command: list[str], media: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system: load elsewhere on the machine
    inflates it less than the wall time) of one `--headless --frames 1` run."""
    cpu = _children_cpu_s()
    t = time.perf_counter()
    done = subprocess.run(
        [*command, "--headless", "--frames", "1", "--no-audio", str(media)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    elapsed = time.perf_counter() - t
    if done.returncode != 0 or "presented=1" not in done.stdout:
        raise RuntimeError(f"{command}: {done.stderr[-500:]}")
    return elapsed, _children_cpu_s() - cpu


def _media(folder: Path) -> Path:
    path = folder / "clip.mp4"
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
         "testsrc2=size=1280x720:rate=30", "-f", "lavfi", "-i", "sine=frequency=440",
         "-t", "5", "-c:v", "libx264", "-preset", "veryfast", "-c:a", "aac", str(path)],
        check=True,
    )  # fmt: skip
    return path


def apt_download_mb() -> dict[str, Any]:
    """Download size of the apt packages each setup mode installs, on a
    Debian 12 base (packages of priority required/important are on it already;
    recommends are not installed, as the scripts say)."""
    text = (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")

    def listed(name: str) -> list[str]:
        block = re.search(rf"{name}=\(\n(.*?)\n\)", text, re.S)
        assert block, name
        return block.group(1).split()

    def closure(packages: list[str]) -> dict[str, int]:
        out = subprocess.run(
            ["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
             "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances", "--no-pre-depends",
             *packages],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        names = {line.strip() for line in out.splitlines() if not line.startswith(" ")}
        names |= {
            line.split(":", 1)[1].strip()
            for line in out.splitlines()
            if line.strip().startswith(("Depends:", "PreDepends:"))
        }
        names = {n for n in names if n and not n.startswith("<")}
        show = subprocess.run(
            ["apt-cache", "show", "--no-all-versions", *sorted(names)],
            capture_output=True, text=True,
        ).stdout  # fmt: skip
        sizes: dict[str, int] = {}
        for stanza in show.split("\n\n"):
            fields = dict(
                line.split(": ", 1)
                for line in stanza.splitlines()
                if ": " in line and line[0] != " "
            )
            if "Package" in fields and fields.get("Priority") not in ("required", "important"):
                sizes[fields["Package"]] = int(fields.get("Size", 0))
        return sizes

    run = closure(listed("RUN_PACKAGES"))
    test = closure(listed("RUN_PACKAGES") + listed("TEST_PACKAGES"))
    return {
        "run_packages": len(run),
        "run_mb": round(sum(run.values()) / 1e6, 1),
        "test_packages": len(test),
        "test_mb": round(sum(test.values()) / 1e6, 1),
        "saved_mb": round((sum(test.values()) - sum(run.values())) / 1e6, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--apt", action="store_true", help="also measure the apt downloads")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    command = installed_command()
    bundle = command.parent
    debs = sorted((ROOT / "dist").glob("heureum_*_amd64.deb"))
    result: dict[str, Any] = {
        "build": str(bundle),
        "onedir_mb": round(_mb(bundle), 1),
        "deb_mb": round(_mb(debs[-1]), 1) if debs else None,
    }
    first_frame_s(command)  # untimed: makes and caches the demo, warms the page cache
    frames = [first_frame_s(command) for _ in range(args.rounds)]
    result["first_frame_s"] = {"median": round(statistics.median(frames), 3), "all": frames}
    with tempfile.TemporaryDirectory() as tmp:
        media = _media(Path(tmp))
        venv = [str(ROOT / ".venv" / "bin" / "heureum")]
        frozen = [str(command)]
        for cmd in (venv, frozen):
            headless_one_frame_s(cmd, media)  # untimed warm-up
        times: dict[str, list[float]] = {"venv": [], "installed": []}
        cpu: dict[str, list[float]] = {"venv": [], "installed": []}
        for _ in range(args.rounds):  # alternate, so load elsewhere falls on both
            for name, cmd in (("venv", venv), ("installed", frozen)):
                wall, used = headless_one_frame_s(cmd, media)
                times[name].append(wall)
                cpu[name].append(used)
    result["headless_1_frame_s"] = {k: round(statistics.median(v), 3) for k, v in times.items()}
    result["headless_1_frame_cpu_s"] = {k: round(statistics.median(v), 3) for k, v in cpu.items()}
    if args.apt:
        result["apt"] = apt_download_mb()
    result["targets"] = TARGETS
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
