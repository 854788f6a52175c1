"""Where the desktop window's start-up goes, step by step: one run of
``heureum FILE`` with timestamps (seconds since the process started) at the
window shown and exposed, the open called, the audio device prepared and
acquired, the OpenGL probe, the subtitle listing (and MediaOpened's wait for
it), libavformat's open, the source opened, the first packet, the first frame decoded, the
preroll frame presented, taken by the view and painted, the device's first
callback, and PLAYING.

    .venv/bin/python -m benchmarks.startup_trace [--runs 3] [--no-audio] [--returning] [FILE]

The hooks wrap the modules' functions as each module is imported (nothing is
imported earlier than the application imports it). Runs under Xvfb (through
``xvfb-run`` when no DISPLAY is set); the audio through the PulseAudio of
``benchmarks.pulse_env``. Prints one timeline per run and the medians.
"""

from __future__ import annotations

import argparse
import importlib.abc
import importlib.machinery
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from benchmarks.xvfb import rerun_under_xvfb

ROOT = Path(__file__).resolve().parent.parent
MARK = "startup-trace:"

_t0 = 0.0
_marks: dict[str, float] = {}
_marks_lock = threading.Lock()


def _mark(name: str) -> None:
    """The first time ``name`` happens (later ones are the same step again)."""
    now = time.monotonic() - _t0
    with _marks_lock:
        if name not in _marks:
            _marks[name] = round(now, 4)


def _wrap(owner: Any, attr: str, before: str | None, after: str | None = None) -> None:
    original = getattr(owner, attr)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if before:
            _mark(before)
        result = original(*args, **kwargs)
        if after:
            _mark(after)
        return result

    setattr(owner, attr, wrapped)


def _hook_video_view(module: ModuleType) -> None:
    view = module.VideoView
    original = view._take_frame

    def take(self: Any) -> None:
        original(self)
        if self.painted >= 1 and "view_took_frame" not in _marks:
            _mark("view_took_frame")
            from PySide6.QtCore import QTimer

            # the next turn of the event loop: the paint the update asked for is done
            QTimer.singleShot(0, lambda: _mark("frame_painted_next_turn"))

    view._take_frame = take


def _hook_decode(module: ModuleType) -> None:
    decoder = module.VideoDecoder
    original = decoder._handle_frames

    def handle(self: Any, frames: list[Any], serial: int) -> None:
        if frames:
            _mark("first_frame_decoded")
        original(self, frames, serial)

    decoder._handle_frames = handle
    _wrap(module._DecoderThread, "_decode", "first_packet_to_decoder")


def _hook_audio_out(module: ModuleType) -> None:
    out = module.SoundDeviceOutput
    original = out._callback

    def callback(self: Any, *args: Any) -> None:
        _mark("device_first_callback")
        original(self, *args)

    out._callback = callback
    running = out.running

    def is_running(self: Any) -> bool:
        result = bool(running(self))
        if result:
            _mark("device_runs")
        return result

    out.running = is_running
    _wrap(module.AudioDevicePool, "prepare", "audio_prepare_begin", "audio_prepare_end")
    _wrap(module.AudioDevicePool, "acquire", "audio_acquire_begin", "audio_acquire_end")


def _hook_player(module: ModuleType) -> None:
    _wrap(module.Player, "open", "open_called", "open_returned")
    _wrap(module.Player, "prepare_audio", "prepare_audio_called")


def _hook_engine(module: ModuleType) -> None:
    _wrap(module.Session, "_start_pipeline", "source_opened", "pipeline_started")
    emit = module.Session.emit

    def on_event(self: Any, event: Any) -> None:
        state = getattr(event, "state", None)
        if state is not None and getattr(state, "name", "") == "PLAYING":
            _mark("playing")
        emit(self, event)

    module.Session.emit = on_event


def _hook_presenter(module: ModuleType) -> None:
    _wrap(module.Presenter, "_show", "preroll_presented")


def _hook_listing(module: ModuleType) -> None:
    _wrap(module.SubtitleListing, "_run", "subtitles_list_begin", "subtitles_listed")
    listing = module.SubtitleListing
    _wrap(listing, "infos_for_opened", "opened_waits_for_subtitles", "opened_has_subtitles")


def _hook_libav(module: ModuleType) -> None:
    _wrap(module.LibavSource, "open", "libav_open_begin", "libav_open_end")


def _hook_logfile(module: ModuleType) -> None:
    _wrap(module, "install_file_log", "log_install_begin", "log_install_end")


def _hook_render_probe(module: ModuleType) -> None:
    _wrap(module, "probe_gl", "gl_probe_begin", "gl_probe_end")


def _hook_app(module: ModuleType) -> None:
    _wrap(module, "create_window", "create_window")


def _hook_main_window(module: ModuleType) -> None:
    window = module.MainWindow
    original = window.event

    def event(self: Any, ev: Any) -> bool:
        from PySide6.QtCore import QEvent

        kind = ev.type()
        if kind == QEvent.Type.Show:
            _mark("window_shown")
        elif kind == QEvent.Type.Paint or kind == QEvent.Type.UpdateRequest:
            _mark("window_first_paint")
        return bool(original(self, ev))

    window.event = event
    _wrap(window, "open_urls", "window_open_urls")


HOOKS: dict[str, Callable[[ModuleType], None]] = {
    "ui.video_view": _hook_video_view,
    "player.decode": _hook_decode,
    "player.audio_out": _hook_audio_out,
    "player.player": _hook_player,
    "player.engine": _hook_engine,
    "player.presenter": _hook_presenter,
    "ui.app": _hook_app,
    "player.text_tracks.listing": _hook_listing,
    "player.sources.libav": _hook_libav,
    "ui.render_probe": _hook_render_probe,
    "player.logfile": _hook_logfile,
    "ui.main_window": _hook_main_window,
}


class _HookLoader(importlib.abc.Loader):
    def __init__(self, inner: importlib.abc.Loader, hook: Callable[[ModuleType], None]) -> None:
        self._inner = inner
        self._hook = hook

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._inner.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._inner.exec_module(module)
        self._hook(module)


class _HookFinder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        hook = HOOKS.get(name)
        if hook is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _HookLoader(spec.loader, hook)
        return spec


def _process_age() -> float:
    start_ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    return uptime - start_ticks / os.sysconf("SC_CLK_TCK")


def _child(argv: list[str]) -> int:
    """In the traced process: hooks in, then the command as ``heureum`` runs it;
    the marks printed on exit (the parent ends it after the first frame)."""
    global _t0
    _t0 = time.monotonic() - _process_age()
    _mark("trace_begins")
    sys.meta_path.insert(0, _HookFinder())
    import atexit
    import signal

    def report() -> None:
        with _marks_lock:
            print(MARK + json.dumps(_marks), flush=True)

    atexit.register(report)

    def on_timer() -> None:
        # playing, or given up: the timeline is complete
        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline and "playing" not in _marks:
            time.sleep(0.05)  # a benchmark's poll
        report()
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=on_timer, daemon=True).start()
    from player.cli import main

    return main(argv)


def _media() -> Path:
    sys.path.insert(0, str(ROOT))
    from tests.support.media import make_1080p_file

    return make_1080p_file(seconds=10.0, fps=30, audio=True)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        return _child(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-audio", action="store_true")
    parser.add_argument(
        "--returning",
        action="store_true",
        help="one config home kept across runs, written by one uncounted start first",
    )
    parser.add_argument("file", nargs="?")
    args = parser.parse_args()
    if (status := rerun_under_xvfb("startup_trace", "benchmarks.startup_trace")) is not None:
        return status
    path = Path(args.file) if args.file else _media()
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks.pulse_env import pulse_env

    runs: list[dict[str, float]] = []
    kept = tempfile.mkdtemp(prefix="heureum-trace-kept-") if args.returning else None
    for n in range(args.runs + (kept is not None)):
        home = kept or tempfile.mkdtemp(prefix="heureum-trace-")
        env = dict(
            os.environ,
            PYTHONPATH=str(ROOT),
            XDG_CONFIG_HOME=f"{home}/config",
            XDG_DATA_HOME=f"{home}/data",
            XDG_STATE_HOME=f"{home}/state",
            **pulse_env(),
        )
        cmd = [sys.executable, "-m", "benchmarks.startup_trace", "--child", str(path)]
        if args.no_audio:
            cmd.insert(-1, "--no-audio")
        done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
        if kept is None:
            shutil.rmtree(home, ignore_errors=True)
        elif n == 0:
            continue  # the start that wrote the kept home: not counted
        lines = [line for line in done.stdout.splitlines() if line.startswith(MARK)]
        if not lines:
            print("startup_trace: no timeline;", done.stderr[-800:], file=sys.stderr)
            continue
        marks: dict[str, float] = json.loads(lines[0][len(MARK) :])
        runs.append(marks)
        print(" ".join(f"{k}={v:.3f}" for k, v in sorted(marks.items(), key=lambda kv: kv[1])))
    if kept is not None:
        shutil.rmtree(kept, ignore_errors=True)
    if not runs:
        return 1
    names = sorted({k for r in runs for k in r}, key=lambda k: statistics.median(
        [r[k] for r in runs if k in r]))  # fmt: skip
    print(f"medians over {len(runs)} runs (audio {'off' if args.no_audio else 'on'}):")
    for name in names:
        values = [r[name] for r in runs if name in r]
        print(f"  {statistics.median(values):7.3f} s  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
