"""RTSP test server (GstRtspServer). Run with Debian's /usr/bin/python3, not the venv.

    /usr/bin/python3 rtsp_server.py --file f.mp4 --port 8554 --path /test [--user U --password P]

Serves an MP4 (H.264 + AAC) without re-encoding: RTP H.264 (pt 96) + MPEG-4 generic AAC
(pt 97). With ``--live-delay D`` (no file) it serves a live test pattern instead, captured
on the clock and sent D seconds late; its RTCP sender reports give the capture time on
the wall clock, so a client's end-to-end latency is D plus its own. Every client gets
its own pipeline starting at t = 0. UDP and TCP-interleaved transports are allowed.
Prints ``READY <port>`` on stdout once listening; exits cleanly on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402


def pipeline(file: str, audio: bool) -> str:
    loc = file.replace("\\", "\\\\").replace('"', '\\"')
    video = (
        f'filesrc location="{loc}" ! qtdemux name=d '
        "d.video_0 ! queue ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=1 "
    )
    sound = "d.audio_0 ! queue ! aacparse ! rtpmp4gpay name=pay1 pt=97 " if audio else ""
    return f"( {video}{sound})"


def live_pipeline(delay: float) -> str:
    # The queue holds every buffer ``delay`` seconds before the payloader sends
    # it: the latency a test introduces and then expects the player to report.
    hold = int(delay * 1_000_000_000)
    return (
        "( videotestsrc is-live=true pattern=ball "
        "! video/x-raw,width=320,height=240,framerate=25/1 "
        "! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 "
        f"! queue min-threshold-time={hold} max-size-time=0 max-size-buffers=0 "
        "max-size-bytes=0 ! rtph264pay name=pay0 pt=96 config-interval=1 )"
    )


def capture_time_reports(
    factory: GstRtspServer.RTSPMediaFactory, media: GstRtspServer.RTSPMedia
) -> None:
    """Sender reports that map RTP time to the capture wall clock (rtpbin's
    default maps it to the send time, which would hide the introduced delay)."""
    pipeline = media.get_element().get_parent()

    def added(_bin: Gst.Bin, element: Gst.Element) -> None:
        if element.get_factory() is not None and element.get_factory().get_name() == "rtpbin":
            element.set_property("rtcp-sync-send-time", False)

    pipeline.connect("element-added", added)


def has_audio(file: str) -> bool:
    """Ask GStreamer's discoverer whether the file has an audio stream."""
    from gi.repository import GstPbutils

    disc = GstPbutils.Discoverer.new(5 * Gst.SECOND)
    info = disc.discover_uri(Gst.filename_to_uri(file))
    return bool(info.get_audio_streams())


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--file")
    ap.add_argument("--live-delay", type=float)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--path", default="/test")
    ap.add_argument("--user")
    ap.add_argument("--password", default="")
    args = ap.parse_args()

    Gst.init(None)
    gi.require_version("GstPbutils", "1.0")
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))

    factory = GstRtspServer.RTSPMediaFactory()
    if args.live_delay is not None:
        factory.set_launch(live_pipeline(args.live_delay))
        factory.connect("media-configure", capture_time_reports)
    else:
        factory.set_launch(pipeline(args.file, has_audio(args.file)))
    factory.set_shared(False)
    factory.set_protocols(GstRtsp.RTSPLowerTrans.UDP | GstRtsp.RTSPLowerTrans.TCP)

    if args.user is not None:
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "user")
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.user, args.password), token)
        server.set_auth(auth)
        perms = GstRtspServer.RTSPPermissions()
        perms.add_role_from_structure(
            Gst.Structure.new_from_string(
                "user, media.factory.access=(boolean)true, media.factory.construct=(boolean)true"
            )
        )
        factory.set_permissions(perms)

    server.get_mount_points().add_factory(args.path, factory)
    if server.attach(None) == 0:
        print(f"cannot listen on port {args.port}", file=sys.stderr)
        return 2

    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    print(f"READY {server.get_bound_port()}", flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
