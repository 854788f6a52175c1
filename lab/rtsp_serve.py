"""The lab's RTSP server (GStreamer's RTSP server through PyGObject). It runs
under Debian's ``/usr/bin/python3`` (python3-gi), not the player's venv:

    /usr/bin/python3 rtsp_serve.py --file lab.mp4 --port 8554 --path /lab [--loss-pct 2]

It serves an MP4 (H.264 + AAC) as RTP without re-encoding (each client from the start), over
UDP and TCP. ``--loss-pct`` drops that share of the RTP packets with
GStreamer's ``netsim`` (plugins-bad) where it is installed; ``--check``
prints what is missing (one line) and exits 3. Prints ``READY <port>
<loss applied: 0/1>`` once listening; exits on SIGTERM/SIGINT; exits 2 with
one line when the port cannot be bound."""

from __future__ import annotations

import argparse
import signal
import sys

MISSING = 3
NO_PORT = 2


def _imports() -> str | None:
    """None when GStreamer's RTSP server can be used, else what to install."""
    try:
        import gi

        gi.require_version("Gst", "1.0")
        gi.require_version("GstRtsp", "1.0")
        gi.require_version("GstRtspServer", "1.0")
        from gi.repository import Gst, GstRtsp, GstRtspServer  # noqa: F401
    except (ImportError, ValueError) as exc:
        return f"GStreamer's RTSP server is not installed ({exc})"
    Gst.init(None)
    for element, package in (
        ("qtdemux", "gstreamer1.0-plugins-good"),
        ("rtph264pay", "gstreamer1.0-plugins-good"),
        ("rtpmp4gpay", "gstreamer1.0-plugins-good"),
        ("h264parse", "gstreamer1.0-plugins-bad"),
    ):
        if Gst.ElementFactory.find(element) is None:
            return f"the GStreamer element {element} is missing: apt-get install {package}"
    return None


def _launch(file: str, loss_pct: float, loss: bool) -> str:
    loc = file.replace("\\", "\\\\").replace('"', '\\"')
    # multifilesrc would not loop an MP4 cleanly; the lab's file is long enough
    # for a comparison, and a new client gets its own pipeline from the start
    if loss:
        p = loss_pct / 100
        video_out = f"rtph264pay pt=96 config-interval=1 ! netsim name=pay0 drop-probability={p}"
        audio_out = f"rtpmp4gpay pt=97 ! netsim name=pay1 drop-probability={p}"
    else:
        video_out = "rtph264pay name=pay0 pt=96 config-interval=1"
        audio_out = "rtpmp4gpay name=pay1 pt=97"
    return (
        f'( filesrc location="{loc}" ! qtdemux name=d '
        f"d.video_0 ! queue ! h264parse ! {video_out} "
        f"d.audio_0 ! queue ! aacparse ! {audio_out} )"
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--file")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--path", default="/lab")
    ap.add_argument("--loss-pct", type=float, default=0.0)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    missing = _imports()
    if missing is not None:
        print(missing, flush=True)
        return MISSING
    if args.check:
        return 0
    from gi.repository import GLib, Gst, GstRtsp, GstRtspServer

    loss = args.loss_pct > 0 and Gst.ElementFactory.find("netsim") is not None
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(_launch(args.file, args.loss_pct, loss))
    factory.set_shared(False)
    factory.set_protocols(GstRtsp.RTSPLowerTrans.UDP | GstRtsp.RTSPLowerTrans.TCP)
    server.get_mount_points().add_factory(args.path, factory)
    if server.attach(None) == 0:
        print(f"cannot listen on port {args.port}", flush=True)
        return NO_PORT
    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    print(f"READY {server.get_bound_port()} {int(loss)}", flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
