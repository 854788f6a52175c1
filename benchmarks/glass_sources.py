"""The live sources of the glass-to-glass benchmark: video that shows the wall
clock at the moment each frame was made (benchmarks/clock_code.py), over
RTSP (GStreamer's RTSP server), RTMP (nginx-rtmp fed by ffmpeg) and HLS
(ffmpeg's HLS muxer, 1 s segments dated with their capture time, served by
nginx). Every frame is 320 x 240 at 25 fps, H.264 by x264 with
``tune=zerolatency`` (no frame held back by the encoder); with ``audio``, a
440 Hz tone in AAC beside it (RTMP and HLS; RTSP stays video only)."""

from __future__ import annotations

import contextlib
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import av
import numpy as np

from tests.support.servers import (
    FFMPEG,
    NginxHttpServer,
    NginxRtmpServer,
    ServerError,
    free_port,
    probe_streams,
    wait_until,
)

from . import clock_code

HERE = Path(__file__).resolve().parent
SYSTEM_PYTHON = "/usr/bin/python3"
FPS = 25
START_TIMEOUT = 20.0

__all__ = ["FPS", "SOURCES", "hls_source", "rtmp_source", "rtsp_source"]


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """End a child this module started (its own process group) and wait."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _tail(path: Path) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-8:])
    except OSError:
        return ""


@contextlib.contextmanager
def rtsp_source(audio: bool = False) -> Iterator[str]:
    """``rtsp://127.0.0.1:PORT/clock``: a pipeline per client, painted live.
    Video only, ``audio`` or not: GStreamer's RTSP server refused PLAY
    (a failed seek) once a live audiotestsrc sat beside the appsrc."""
    del audio
    cmd = [SYSTEM_PYTHON, "-u", str(HERE / "clock_rtsp_serve.py"), "--port", str(free_port())]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, start_new_session=True
    )
    try:
        assert proc.stdout is not None
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            ready = sel.select(START_TIMEOUT)
        line = proc.stdout.readline().decode(errors="replace").strip() if ready else ""
        if not line.startswith("READY "):
            raise ServerError(f"the clock RTSP server did not start: {line or 'no answer'}")
        yield f"rtsp://127.0.0.1:{line.split()[1]}/clock"
    finally:
        _stop(proc)
        if proc.stdout is not None:
            proc.stdout.close()


class _PaintedEncode:
    """The painter piping raw frames into ffmpeg, which encodes them and
    writes ``output_args``; both in their own process groups."""

    def __init__(self, output_args: list[str], log_path: Path, audio: bool) -> None:
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        size = f"{clock_code.WIDTH}x{clock_code.HEIGHT}"
        self.painter = subprocess.Popen(
            [sys.executable, str(HERE / "clock_code.py"), "paint", "--size", size, "--fps",
             str(FPS)],
            stdout=subprocess.PIPE, start_new_session=True,
        )  # fmt: skip
        gop = str(FPS)
        # a tone beside the painted frames (as a live encoder's microphone):
        # the player then times video by its audio. Not read with -re: that
        # paces the tone from ffmpeg's own start, a few tenths of a second
        # after the painter's first frame (pts 0 of the video), so the tone
        # of a frame came that much later than the frame (a probe measured
        # 292 ms) and every A/V-synced player showed the frame that late.
        # Unpaced, ffmpeg reads it as the video's pts reach it (it reads
        # the input whose output is furthest behind), so the two share the
        # painter's clock.
        sound = ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"] if audio else []
        sound_out = ["-c:a", "aac", "-b:a", "64k", "-ac", "2"] if audio else []
        self.ffmpeg = subprocess.Popen(
            [FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "warning",
             "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", size, "-r", str(FPS), "-i", "-",
             *sound,
             "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
             "-b:v", "400k", "-g", gop, "-keyint_min", gop, "-sc_threshold", "0",
             *sound_out, *output_args],
            stdin=self.painter.stdout, stdout=self._log, stderr=self._log,
            start_new_session=True,
        )  # fmt: skip
        assert self.painter.stdout is not None
        self.painter.stdout.close()  # ffmpeg holds the pipe now

    @property
    def running(self) -> bool:
        return self.ffmpeg.poll() is None and self.painter.poll() is None

    def stop(self) -> None:
        _stop(self.ffmpeg)
        _stop(self.painter)
        self._log.close()


@contextlib.contextmanager
def rtmp_source(audio: bool = False, *, wait_video: bool = True) -> Iterator[str]:
    """``rtmp://127.0.0.1:PORT/live/clock`` from nginx-rtmp. ``wait_video``
    off (nginx-rtmp's default): a player that joins gets the audio at once,
    ahead of the keyframe its video waits for."""
    with NginxRtmpServer(wait_video=wait_video) as server:
        url = server.url("clock")
        assert server.workdir is not None
        enc = _PaintedEncode(["-f", "flv", url], server.workdir / "ffmpeg-clock.log", audio)
        try:
            wait_until(
                # no audio: without a shorter analysis ffprobe waits 5 s for it
                lambda: "video" in probe_streams(url, 8.0, ("-analyzeduration", "1000000")),
                START_TIMEOUT,
                what="the painted RTMP stream",
                alive=lambda: enc.running,
            )
        except ServerError as exc:
            enc.stop()
            raise ServerError(f"{exc}\nffmpeg: {_tail(enc.log_path)}") from exc
        try:
            yield url
        finally:
            enc.stop()


class _CaptureDates:
    """Rewrites ffmpeg's live playlist with each segment's program date-time
    set to the capture time painted in its first frame: ffmpeg dates a
    segment by its own clock (76 ms before the capture, measured here), and
    the report's end-to-end figure is to be compared with the glass, not
    with ffmpeg's idea of the time. Polls every 20 ms; the rewrite adds
    about that to HLS's latency."""

    def __init__(self, folder: Path, source: str, served: str) -> None:
        self.folder, self.source, self.served = folder, folder / source, folder / served
        self._dates: dict[str, str] = {}
        self._last = ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _date(self, segment: str) -> str | None:
        if segment not in self._dates:
            try:
                with av.open(str(self.folder / segment), "r") as container:
                    frame = next(container.decode(video=0))
            except (OSError, av.error.FFmpegError, StopIteration):
                return None
            code = clock_code.decode(np.asarray(frame.to_ndarray(format="gray"), np.uint8))
            if code is None:
                return None
            now = int(time.time() * 1000)
            painted = (now - clock_code.latency_ms(code, now)) / 1000
            stamp = datetime.fromtimestamp(painted, UTC).isoformat(timespec="milliseconds")
            self._dates[segment] = stamp
        return self._dates[segment]

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            try:
                text = self.source.read_text()
            except OSError:
                continue
            if text == self._last:
                continue
            lines = text.splitlines()
            out: list[str] = []
            for i, line in enumerate(lines):
                if line.startswith("#EXT-X-PROGRAM-DATE-TIME:"):
                    following = [x for x in lines[i + 1 :] if x and not x.startswith("#")]
                    date = self._date(following[0]) if following else None
                    if date is None:
                        break  # not readable yet: publish the next time round
                    line = f"#EXT-X-PROGRAM-DATE-TIME:{date}"
                out.append(line)
            else:
                tmp = self.served.with_suffix(".tmp")
                tmp.write_text("\n".join(out) + "\n")
                os.replace(tmp, self.served)
                self._last = text


@contextlib.contextmanager
def hls_source(audio: bool = False, segment_s: float = 1.0) -> Iterator[str]:
    """``http://127.0.0.1:PORT/clock.m3u8``: ffmpeg's live playlist (six
    segments of ``segment_s``) served by nginx, its program date-times the
    capture times painted in the segments."""
    folder = Path(tempfile.mkdtemp(prefix="heureum-glass-hls-"))
    playlist = folder / "live.m3u8"
    enc = _PaintedEncode(
        ["-f", "hls", "-hls_time", str(segment_s), "-hls_list_size", "6",
         "-hls_flags", "delete_segments+program_date_time+independent_segments+temp_file",
         "-hls_segment_filename", str(folder / "s%05d.ts"), str(playlist)],
        folder / "ffmpeg.log",
        audio,
    )  # fmt: skip
    dates = _CaptureDates(folder, "live.m3u8", "clock.m3u8")
    try:
        with NginxHttpServer(folder) as server:

            def three_segments() -> bool:
                with contextlib.suppress(OSError):
                    return (folder / "clock.m3u8").read_text().count("#EXTINF") >= 3
                return False

            try:
                wait_until(
                    three_segments, START_TIMEOUT, what="the painted HLS stream",
                    alive=lambda: enc.running,
                )  # fmt: skip
            except ServerError as exc:
                raise ServerError(f"{exc}\nffmpeg: {_tail(enc.log_path)}") from exc
            yield server.url("clock.m3u8")
    finally:
        dates.stop()
        enc.stop()
        shutil.rmtree(folder, ignore_errors=True)


SOURCES = {"rtsp": rtsp_source, "rtmp": rtmp_source, "hls": hls_source}


def exit_on_sigterm() -> None:
    """SIGTERM ends the process through ``sys.exit``, so the sources' own
    processes (in sessions of their own) are stopped on the way out."""
    signal.signal(signal.SIGTERM, lambda _sig, _frame: sys.exit(143))


if __name__ == "__main__":  # a source by hand: python -m benchmarks.glass_sources rtsp
    exit_on_sigterm()
    with SOURCES[sys.argv[1] if len(sys.argv) > 1 else "rtsp"]() as where:
        print(where, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            time.sleep(3600)  # serve until interrupted
