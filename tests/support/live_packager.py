"""A live HLS stream tied to the wall clock: ffmpeg encodes a test pattern in
real time (``-re``) and packages it with EXT-X-PROGRAM-DATE-TIME; a loopback
HTTP server serves the segments and the playlist *as it was* ``delay``
seconds ago, so every segment reaches the player ``delay`` seconds after its
program date. That is the latency a test introduces and expects back."""

from __future__ import annotations

import bisect
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from types import TracebackType
from typing import Self

from tests.support.loopback import LoopbackServer
from tests.support.servers import FFMPEG, ServerError, _stop_process, _tail, wait_until

PLAYLIST = "live.m3u8"
#: with the audio as a rendition of its own: video in v0/, audio in v1/
MASTER = "master.m3u8"
VIDEO_PLAYLIST = f"v0/{PLAYLIST}"
AUDIO_PLAYLIST = f"v1/{PLAYLIST}"
_MEDIA = {"ts": "video/mp2t", "m4s": "video/iso.segment", "mp4": "video/mp4"}


class _History:
    """Every version of the playlist ffmpeg wrote, with the time it appeared."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.texts: list[bytes] = []
        self.lock = threading.Lock()

    def add(self, at: float, text: bytes) -> None:
        with self.lock:
            if not self.texts or self.texts[-1] != text:
                self.times.append(at)
                self.texts.append(text)

    def as_of(self, at: float) -> bytes | None:
        with self.lock:
            i = bisect.bisect_right(self.times, at)
            return self.texts[i - 1] if i else None


class LivePackager:
    def __init__(
        self,
        *,
        delay: float = 0.0,
        segment: float = 1.0,
        fmp4: bool = False,
        ready_segments: int = 3,
        response_delay: float = 0.0,
        audio: bool = False,
    ) -> None:
        self.delay = delay
        self.segment = segment
        self.fmp4 = fmp4
        #: segments the player may see before start() returns (a longer
        #: playlist makes the start-position choice matter, as on a real channel)
        self.ready_segments = ready_segments
        #: seconds every answer waits before its headers: a far origin's
        #: round trip, on loopback
        self.response_delay = response_delay
        #: AAC audio as an alternate rendition (EXT-X-MEDIA, DEFAULT) the
        #: video variant names, under a multivariant playlist
        self.audio = audio
        #: the playlists served, each as it was ``delay`` seconds ago (the
        #: first is the URL a player opens)
        self._playlists = [MASTER, VIDEO_PLAYLIST, AUDIO_PLAYLIST] if audio else [PLAYLIST]
        self.dir = Path(tempfile.mkdtemp(prefix="heureum-live-hls-"))
        self.log_path = self.dir / "ffmpeg.log"
        self._histories = {name: _History() for name in self._playlists}
        #: the paths asked for, in order (what a test checks of a start)
        self.requests: list[str] = []
        self._stop = threading.Event()
        self._proc: subprocess.Popen[bytes] | None = None
        self._watcher = threading.Thread(target=self._watch, daemon=True)
        self._server: LoopbackServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.port}/{self._playlists[0]}"

    def _watch(self) -> None:
        while not self._stop.wait(0.02):
            for name, history in self._histories.items():
                try:
                    history.add(time.monotonic(), (self.dir / name).read_bytes())
                except OSError:
                    continue

    def _media(self, name: str) -> Path | None:
        """The segment (or init section) file ``name`` asks for, if it is one."""
        parts = name.split("/")
        if len(parts) > (2 if self.audio else 1) or any(p in ("", ".", "..") for p in parts):
            return None
        path = self.dir.joinpath(*parts)
        ok = name.endswith(tuple(f".{e}" for e in _MEDIA)) and path.is_file()
        return path if ok else None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        histories, packager = self._histories, self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                if packager.response_delay > 0:
                    time.sleep(packager.response_delay)  # the simulated round trip itself
                name = self.path.split("?", 1)[0].lstrip("/")
                packager.requests.append(name)
                media = packager._media(name)
                if name in histories:
                    body = histories[name].as_of(time.monotonic() - packager.delay)
                    kind = "application/vnd.apple.mpegurl"
                elif media is not None:
                    body, kind = media.read_bytes(), _MEDIA[name.rsplit(".", 1)[1]]
                else:
                    body, kind = None, ""
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                try:
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    return  # a player that had what it wanted and hung up (mpv --frames=1)

        return Handler

    def start(self, timeout: float = 20.0) -> None:
        gop = 25
        ext = "m4s" if self.fmp4 else "ts"
        kind = (
            ["-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", "init.mp4"]
            if self.fmp4
            else []
        )
        if self.audio:
            # the audio's own variant: ffmpeg writes the multivariant playlist
            # with an EXT-X-MEDIA entry for it, named by the video variant
            audio = [
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                "-map", "0:v", "-map", "1:a", "-c:a", "aac", "-b:a", "64k",
            ]  # fmt: skip
            out = [
                "-master_pl_name", MASTER,
                "-var_stream_map", "v:0,agroup:aud a:0,agroup:aud,default:yes",
                "-hls_segment_filename", str(self.dir / f"v%v/s%05d.{ext}"),
                str(self.dir / f"v%v/{PLAYLIST}"),
            ]  # fmt: skip
        else:
            audio = []
            out = [
                "-hls_segment_filename",
                str(self.dir / f"s%05d.{ext}"),
                str(self.dir / PLAYLIST),
            ]
        cmd = [
            FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "warning", "-re",
            "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", *audio,
            "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
            "-g", str(gop), "-keyint_min", str(gop), "-sc_threshold", "0",
            "-f", "hls", "-hls_time", str(self.segment), "-hls_list_size", "0",
            "-hls_flags", "program_date_time+independent_segments", *kind, *out,
        ]  # fmt: skip
        log = open(self.log_path, "wb")  # noqa: SIM115 - the process owns it until stop()
        self._proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
        )
        log.close()
        self._watcher.start()
        self._server = LoopbackServer(self._handler()).__enter__()
        proc = self._proc

        def ready() -> bool:
            # enough segments the player may see (after the added delay)
            now = time.monotonic() - self.delay
            texts = [h.as_of(now) or b"" for h in self._histories.values()]
            media = texts[1:] if self.audio else texts  # not the multivariant one
            return all(texts) and all(t.count(b"#EXTINF") >= self.ready_segments for t in media)

        try:
            wait_until(ready, timeout, what="live HLS packager", alive=lambda: proc.poll() is None)
        except ServerError as exc:
            self.stop()
            raise ServerError(f"{exc}\nffmpeg: {_tail(self.log_path)}") from exc

    def stop(self) -> None:
        self._stop.set()
        if self._proc is not None:
            _stop_process(self._proc, signal.SIGTERM, grace=3.0)
            self._proc = None
        if self._server is not None:
            self._server.__exit__(None, None, None)
            self._server = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
