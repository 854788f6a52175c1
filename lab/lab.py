"""The network lab: the same content over every protocol Heureum plays, with
a profile's impairments applied, for comparing protocols without a studio.

In this process: HLS over MPEG-TS, HLS over fMP4, progressive HTTP (one
impaired origin) and LL-HLS (a real-time origin, impaired the same way).
Outside it, when the system has them: RTSP (GStreamer's RTSP server; packet
loss over UDP through netsim) and RTMP (nginx-rtmp fed by ffmpeg); when it
has not, ``notes`` says which Debian package to install.

    with Lab(builtin_profile("3g")).start() as lab:
        for s in lab.streams: print(s.key, s.url)
"""

from __future__ import annotations

import atexit
import errno
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Self, TypeVar

from player.clock import Clock

from .demo_hls import AUDIO_BPS, RUNGS
from .external import LabServerError, RtmpServer, RtspServer
from .impair import ImpairedFiles, ImpairedLowLatency, Impairment
from .media import LL_PART, LL_RUNGS, ensure_lab_media, ll_parts
from .profile import Profile

__all__ = ["Lab", "LabServerError", "LabStream"]

Progress = Callable[[float, str], None]

HOST = "127.0.0.1"
_T = TypeVar("_T")


#: labs started in this process: stopped at its exit if nobody did (their
#: RTSP and RTMP servers run in sessions of their own, which a signal to the
#: terminal's process group does not reach)
_running: weakref.WeakSet[Lab] = weakref.WeakSet()
_running_lock = threading.Lock()


@atexit.register
def _stop_running() -> None:
    with _running_lock:
        labs = list(_running)
    for lab in labs:
        lab.stop()


@dataclass(frozen=True)
class LabStream:
    #: hls-ts, hls-fmp4, ll-hls, http, rtsp or rtmp
    key: str
    label: str
    url: str


class Lab:
    """``port`` 0 takes free ports; otherwise the HTTP origin listens on
    ``port``, LL-HLS on ``port + 1``, RTSP on ``port + 2`` and RTMP on
    ``port + 3``. A port that cannot be bound is a ``LabServerError`` at once."""

    def __init__(
        self,
        profile: Profile | None = None,
        *,
        port: int = 0,
        rtsp: bool = True,
        rtmp: bool = True,
        clock: Clock | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.profile = profile
        self.port = port
        self.want_rtsp, self.want_rtmp = rtsp, rtmp
        self.progress = progress
        self.impairment = Impairment(profile, clock)
        self.streams: list[LabStream] = []
        #: what the lab could not do here, one line each (a package to install,
        #: an impairment it cannot apply)
        self.notes: list[str] = []
        self._files: ImpairedFiles | None = None
        self._ll: ImpairedLowLatency | None = None
        self._rtsp: RtspServer | None = None
        self._rtmp: RtmpServer | None = None

    def _port(self, offset: int) -> int:
        return self.port + offset if self.port else 0

    def start(self) -> Self:
        with _running_lock:
            _running.add(self)
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        media = ensure_lab_media(self.progress)
        imp = self.impairment
        self._files = self._bind(
            lambda: ImpairedFiles(media.root, imp, host=HOST, port=self._port(0)),
            "HTTP",
            self._port(0),
        )
        variants = ll_parts(media)
        self._ll = self._bind(
            lambda: ImpairedLowLatency(
                variants,
                imp,
                bandwidths=[int((RUNGS[r][2] + AUDIO_BPS) * 1.2) for r in LL_RUNGS],
                part_duration=LL_PART,
                parts_per_segment=4,
                independent_every=4,
                backlog_parts=16,
                host=HOST,
                port=self._port(1),
            ),
            "LL-HLS",
            self._port(1),
        )
        files, ll = self._files, self._ll
        files.start()
        ll.start()
        # the profile's clock starts now, with the origins
        imp.start_time = imp.clock.now()
        imp.start()
        self.streams = [
            LabStream("hls-ts", "HLS (TS)", files.url("ts/master.m3u8")),
            LabStream("hls-fmp4", "HLS (fMP4)", files.url("fmp4/master.m3u8")),
            LabStream("ll-hls", "LL-HLS", ll.url("master.m3u8")),
            LabStream("http", "HTTP (MP4)", files.url("progressive.mp4")),
        ]
        loss = self.profile.packet_loss_pct if self.profile is not None else 0.0
        if self.want_rtsp:
            missing = RtspServer.missing()
            if missing is not None:
                self.notes.append(missing)
            else:
                self._rtsp = RtspServer(
                    media.root / "progressive.mp4", port=self._port(2), loss_pct=loss
                )
                self._rtsp.start()
                self.streams.append(LabStream("rtsp", "RTSP", self._rtsp.url))
                if loss > 0 and not self._rtsp.loss_applied:
                    self.notes.append(
                        f"RTSP: packet loss ({loss:g} %) not applied: GStreamer's netsim is "
                        "missing (apt-get install gstreamer1.0-plugins-bad)"
                    )
        if self.want_rtmp:
            missing = RtmpServer.missing()
            if missing is not None:
                self.notes.append(missing)
            else:
                self._rtmp = RtmpServer(media.root / "progressive.mp4", port=self._port(3))
                self._rtmp.start()
                self.streams.append(LabStream("rtmp", "RTMP", self._rtmp.url))
        if self.profile is not None and (self._rtsp or self._rtmp):
            self.notes.append(
                "RTSP and RTMP: the profile's bandwidth, delay, outages and errors apply to "
                "the HTTP streams only"
            )

    @staticmethod
    def _bind(make: Callable[[], _T], what: str, port: int) -> _T:
        """One try: a port that is taken is reported, not waited for."""
        try:
            return make()
        except OSError as exc:
            reason = "it is in use" if exc.errno == errno.EADDRINUSE else exc.strerror or str(exc)
            raise LabServerError(
                f"{what} origin: cannot listen on {HOST}:{port}: {reason}"
            ) from None

    def stream(self, key: str) -> LabStream | None:
        return next((s for s in self.streams if s.key == key), None)

    def stop(self) -> None:
        with _running_lock:
            _running.discard(self)
        self.impairment.close()
        for server in (self._rtmp, self._rtsp):
            if server is not None:
                server.stop()
        for origin in (self._ll, self._files):
            if origin is not None:
                origin.stop()
        self._rtmp = self._rtsp = None
        self._ll = self._files = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
