"""An RTSP server whose video shows the wall clock (benchmarks/clock_code.py)
at the moment each frame was made: the live source of the glass-to-glass
benchmark. GStreamer's RTSP server; runs under Debian's ``/usr/bin/python3``
(python3-gi), not the player's venv:

    /usr/bin/python3 benchmarks/clock_rtsp_serve.py [--port 0] [--path /clock] [--fps 25]

Each client gets its own pipeline: frames painted in real time, x264
(zerolatency: no frame held back), RTP H.264 over UDP or TCP. Its RTCP sender
reports map RTP time to the capture time on the wall clock, so a player's own
end-to-end figure can be set beside the one read off its window. Prints
``READY <port>`` once listening; exits on SIGTERM/SIGINT; exits 2 with one
line when the port cannot be bound, 3 when GStreamer's RTSP server is missing.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
# beside this script, whichever Python runs it (no package under /usr/bin/python3)
clock_code = importlib.import_module("clock_code")

MISSING = 3
NO_PORT = 2


def _launch(width: int, height: int, fps: int, bitrate_kbps: int) -> str:
    return (
        "( appsrc name=clock is-live=true do-timestamp=true format=time "
        "max-buffers=1 leaky-type=downstream "
        f"caps=video/x-raw,format=I420,width={width},height={height},framerate={fps}/1 "
        f"! x264enc tune=zerolatency speed-preset=ultrafast key-int-max={fps} "
        f"bitrate={bitrate_kbps} ! rtph264pay name=pay0 pt=96 config-interval=1 )"
    )


class _Painter:
    """Pushes one frame every 1/fps s into a client's appsrc, painted with
    the wall clock as it is pushed (appsrc stamps it with the same moment)."""

    def __init__(self, src: Any, width: int, height: int, fps: int) -> None:
        self._src, self._size, self._fps = src, (width, height), fps
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        if not self._thread.is_alive() and not self._stop.is_set():
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        from gi.repository import Gst

        start = time.monotonic()
        n = 0
        while not self._stop.is_set():
            frame = clock_code.encode_i420(int(time.time() * 1000), *self._size)
            flow = self._src.emit("push-buffer", Gst.Buffer.new_wrapped(frame))
            # FLUSHING is also PLAY's seek, not only a client gone: the painter
            # that stopped there left the stream with no frames (seen on a
            # loaded machine: no codec parameters, then no packet for 10 s).
            # A client gone stops it through the media's "unprepared".
            if flow not in (Gst.FlowReturn.OK, Gst.FlowReturn.FLUSHING):
                return
            n += 1
            self._stop.wait(max(0.0, start + n / self._fps - time.monotonic()))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--path", default="/clock")
    ap.add_argument("--fps", type=int, default=25)
    ap.add_argument("--bitrate", type=int, default=400, help="kb/s")
    args = ap.parse_args()
    try:
        import gi

        gi.require_version("Gst", "1.0")
        gi.require_version("GstRtsp", "1.0")
        gi.require_version("GstRtspServer", "1.0")
        from gi.repository import GLib, Gst, GstRtsp, GstRtspServer
    except (ImportError, ValueError) as exc:
        print(f"GStreamer's RTSP server is not installed ({exc})", flush=True)
        return MISSING
    Gst.init(None)
    width, height = clock_code.WIDTH, clock_code.HEIGHT
    painters: list[_Painter] = []

    def configure(_factory: Any, media: Any) -> None:
        element = media.get_element()
        pipeline = element.get_parent()

        def added(_bin: Any, child: Any) -> None:
            # sender reports on the capture clock, not the send time
            if child.get_factory() is not None and child.get_factory().get_name() == "rtpbin":
                child.set_property("rtcp-sync-send-time", False)

        pipeline.connect("element-added", added)
        painter = _Painter(element.get_by_name("clock"), width, height, args.fps)
        painters.append(painter)

        media.connect("unprepared", lambda _m: painter.stop())
        # painted from the start: the server needs a first frame to describe
        # the stream; before PLAY appsrc keeps only the newest one (leaky)
        painter.start()

    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(_launch(width, height, args.fps, args.bitrate))
    factory.set_shared(False)
    factory.set_protocols(GstRtsp.RTSPLowerTrans.UDP | GstRtsp.RTSPLowerTrans.TCP)
    factory.connect("media-configure", configure)
    server.get_mount_points().add_factory(args.path, factory)
    if server.attach(None) == 0:
        print(f"cannot listen on port {args.port}", flush=True)
        return NO_PORT
    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    print(f"READY {server.get_bound_port()}", flush=True)
    loop.run()
    for painter in painters:
        painter.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
