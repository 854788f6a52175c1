"""Real servers on 127.0.0.1 for the integration tests.

Every server is a context manager, picks a free port, waits for readiness by polling
(bounded loops with a deadline, never a fixed sleep) and stops its processes on exit.

* :class:`NginxHttpServer` - nginx serving a directory (ranges, status endpoints, HTML,
  streaming MIME types, optional rate limit, access log you can assert on).
* :class:`NginxRtmpServer` - nginx-rtmp plus :meth:`NginxRtmpServer.publish` (ffmpeg ``-re``).
* :class:`RtspServer` - GstRtspServer in a Debian ``/usr/bin/python3`` subprocess.
* :func:`ensure_pulse_null_sink` - PulseAudio with a null sink, visible to PortAudio.
"""

from __future__ import annotations

import contextlib
import logging
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Self

__all__ = [
    "NGINX",
    "RTMP_MODULE",
    "AccessLogEntry",
    "NginxHttpServer",
    "NginxRtmpServer",
    "Publisher",
    "RtspServer",
    "ServerError",
    "ensure_pulse_null_sink",
    "free_port",
    "probe_streams",
    "wait_for_port",
    "wait_until",
]

log = logging.getLogger(__name__)

NGINX = Path("/usr/sbin/nginx")
RTMP_MODULE = Path("/usr/lib/nginx/modules/ngx_rtmp_module.so")
SYSTEM_PYTHON = Path("/usr/bin/python3")
RTSP_SCRIPT = Path(__file__).with_name("rtsp_server.py")
FFMPEG = shutil.which("ffmpeg") or "/usr/bin/ffmpeg"
FFPROBE = shutil.which("ffprobe") or "/usr/bin/ffprobe"
HOST = "127.0.0.1"

STREAMING_TYPES: dict[str, str] = {
    "application/vnd.apple.mpegurl": "m3u8",
    "video/mp2t": "ts",
    "video/iso.segment": "m4s",
    "video/mp4": "mp4 m4v",
    "audio/mp4": "m4a",
    "text/vtt": "vtt",
    "video/x-flv": "flv",
    "video/x-matroska": "mkv",
    "audio/aac": "aac",
    "application/dash+xml": "mpd",
    "application/octet-stream": "key bin",
    "text/html": "html htm",
    "text/plain": "txt",
    "application/json": "json",
}


class ServerError(RuntimeError):
    """A test server failed to start or to become ready."""


# --------------------------------------------------------------------------- helpers


def free_port() -> int:
    """A currently free TCP port on 127.0.0.1 (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def wait_until(
    predicate: Callable[[], bool],
    timeout: float,
    *,
    what: str = "condition",
    interval: float = 0.02,
    alive: Callable[[], bool] | None = None,
) -> None:
    """Poll ``predicate`` until true; raise :class:`ServerError` at the deadline or if
    ``alive()`` turns false (the process we wait for has died)."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return
        if alive is not None and not alive():
            raise ServerError(f"process died while waiting for {what}")
        if time.monotonic() >= deadline:
            raise ServerError(f"timed out after {timeout:.1f} s waiting for {what}")
        time.sleep(interval)  # polling an external process, not synchronisation


def _port_open(port: int, host: str = HOST) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False


def wait_for_port(
    port: int, timeout: float = 10.0, *, alive: Callable[[], bool] | None = None
) -> None:
    """Wait until something accepts TCP connections on 127.0.0.1:``port``."""
    wait_until(lambda: _port_open(port), timeout, what=f"port {port}", alive=alive)


def _stop_process(
    proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM, grace: float = 5.0
) -> None:
    """Signal a child (and its process group), wait, escalate to SIGKILL."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5.0)
    else:
        # The leader is gone; make sure no orphan (e.g. an nginx worker) survives.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


def _tail(path: Path, n: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return ""


def probe_streams(url: str, timeout: float = 5.0, extra: tuple[str, ...] = ()) -> list[str]:
    """Codec types (``["video", "audio"]``) that ``ffprobe`` finds at ``url``; ``[]`` on failure."""
    cmd = [FFPROBE, "-v", "error", *extra, "-show_entries", "stream=codec_type", "-of", "csv=p=0"]
    try:
        out = subprocess.run(
            [*cmd, url],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return []
    if out.returncode != 0:
        return []
    return [line.strip() for line in out.stdout.decode().splitlines() if line.strip()]


class _Managed:
    """Context-manager plumbing shared by the servers."""

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


# --------------------------------------------------------------------------- nginx


@dataclass(frozen=True)
class AccessLogEntry:
    """One request in the nginx access log."""

    method: str
    uri: str  # path and query as requested
    status: int
    bytes_sent: int  # body bytes
    range: str  # the Range request header, "" if none
    request_time: float


_LOG_FORMAT = (
    "'$request_method\\t$request_uri\\t$status\\t$body_bytes_sent\\t$http_range\\t$request_time'"
)


_HTML = "<!doctype html><html><head><title>Heureum</title></head><body>not media</body></html>"


def _user_directive() -> str:
    return "user root;" if os.geteuid() == 0 else ""


def _types_block(extra: Mapping[str, str]) -> str:
    types = dict(STREAMING_TYPES)
    for ext, mime in extra.items():
        types[mime] = f"{types.get(mime, '')} {ext.lstrip('.')}".strip()
    return "\n".join(f"        {mime} {exts};" for mime, exts in types.items())


class _NginxBase(_Managed):
    def __init__(self, name: str) -> None:
        self._name = name
        self.port = 0
        self.workdir: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    def _config(self) -> str:
        raise NotImplementedError

    @property
    def error_log(self) -> Path:
        assert self.workdir is not None
        return self.workdir / "error.log"

    def start(self, timeout: float = 10.0) -> None:
        if self._proc is not None:
            raise ServerError(f"{self._name} already started")
        if not NGINX.exists():
            raise ServerError(f"{NGINX} not found: apt-get install nginx")
        last = ""
        for _attempt in range(3):  # a free port can be taken between probe and bind
            self.workdir = Path(tempfile.mkdtemp(prefix=f"heureum-{self._name}-"))
            for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
                (self.workdir / sub).mkdir()
            self.port = free_port()
            conf = self.workdir / "nginx.conf"
            conf.write_text(self._config())
            cmd = [str(NGINX), "-p", str(self.workdir), "-c", str(conf), "-e", str(self.error_log)]
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            self._proc = proc
            try:
                wait_for_port(self.port, timeout, alive=lambda p=proc: p.poll() is None)  # type: ignore[misc]
                log.info("%s listening on %s:%d", self._name, HOST, self.port)
                return
            except ServerError as e:
                last = f"{e}\n{_tail(self.error_log)}"
                self._cleanup()
        raise ServerError(f"{self._name} did not start: {last}")

    def _cleanup(self) -> None:
        if self._proc is not None:
            _stop_process(self._proc, signal.SIGTERM)
            self._proc = None
        if self.workdir is not None and not os.environ.get("HEUREUM_KEEP_SERVER_LOGS"):
            shutil.rmtree(self.workdir, ignore_errors=True)

    def stop(self) -> None:
        self._cleanup()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None


class NginxHttpServer(_NginxBase):
    """nginx serving ``root`` on 127.0.0.1.

    * files with byte ranges (206), HEAD, ETag/Last-Modified, streaming MIME types;
    * ``/status/403``, ``/status/404``, ``/status/500``: those codes;
    * ``/html``: a 200 HTML page (``text/html``);
    * ``rate_limit`` (bytes/s) throttles every file response; ``?rate=N`` on any file URL
      throttles that one request to N bytes/s;
    * :meth:`access_log_lines` / :meth:`access_log` list the requests nginx completed.
    """

    def __init__(
        self,
        root: Path,
        *,
        rate_limit: int | None = None,
        extra_types: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__("nginx-http")
        self.root = Path(root).resolve()
        self.rate_limit = rate_limit
        self.extra_types = dict(extra_types or {})

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def url(self, path: str | Path = "") -> str:
        """URL of ``path`` (relative to root, or an absolute path under root)."""
        if isinstance(path, Path) and path.is_absolute():
            path = path.resolve().relative_to(self.root).as_posix()
        return f"{self.base_url}/{str(path).lstrip('/')}"

    @property
    def access_log_path(self) -> Path:
        assert self.workdir is not None
        return self.workdir / "access.log"

    def access_log_lines(self) -> list[str]:
        """Raw access-log lines: ``METHOD\\tURI\\tSTATUS\\tBYTES\\tRANGE\\tSECONDS``."""
        try:
            return self.access_log_path.read_text().splitlines()
        except FileNotFoundError:
            return []

    def access_log(self) -> list[AccessLogEntry]:
        entries = []
        for line in self.access_log_lines():
            method, uri, status, sent, rng, rtime = line.split("\t")
            entries.append(
                AccessLogEntry(
                    method, uri, int(status), int(sent), "" if rng == "-" else rng, float(rtime)
                )
            )
        return entries

    def clear_access_log(self) -> None:
        """Forget the requests logged so far (nginx keeps appending to the same file)."""
        with contextlib.suppress(FileNotFoundError), open(self.access_log_path, "r+") as f:
            f.truncate(0)

    def _config(self) -> str:
        assert self.workdir is not None
        w = self.workdir
        limit = f"limit_rate {self.rate_limit};" if self.rate_limit else ""
        return f"""
{_user_directive()}
daemon off;
master_process on;
worker_processes 1;
pid {w}/nginx.pid;
error_log {w}/error.log info;
events {{ worker_connections 256; }}
http {{
    types {{
{_types_block(self.extra_types)}
    }}
    default_type application/octet-stream;
    log_format heureum {_LOG_FORMAT};
    access_log {w}/access.log heureum;
    client_body_temp_path {w}/client_body;
    proxy_temp_path {w}/proxy;
    fastcgi_temp_path {w}/fastcgi;
    uwsgi_temp_path {w}/uwsgi;
    scgi_temp_path {w}/scgi;
    sendfile on;
    tcp_nodelay on;
    keepalive_timeout 30;
    server_tokens off;
    server {{
        listen {HOST}:{self.port};
        server_name localhost;
        root {self.root};
        location / {{
            {limit}
            if ($arg_rate) {{ set $limit_rate $arg_rate; }}
            add_header Access-Control-Allow-Origin *;
        }}
        location = /status/403 {{ return 403; }}
        location = /status/404 {{ return 404; }}
        location = /status/500 {{ return 500; }}
        location = /html {{
            default_type text/html;
            return 200 "{_HTML}";
        }}
    }}
}}
"""


class Publisher:
    """An ffmpeg process pushing a file to an RTMP URL in real time (``-re``)."""

    def __init__(self, file: Path, url: str, *, loop: bool = True, log_path: Path) -> None:
        self.file, self.url, self.loop, self.log_path = file, url, loop, log_path
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> None:
        loop = ["-stream_loop", "-1"] if self.loop else []
        cmd = [
            FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "warning", "-re", *loop,
            "-i", str(self.file), "-c", "copy", "-f", "flv", self.url,
        ]  # fmt: skip
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self._proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def wait_until_live(self, timeout: float = 15.0) -> None:
        """Poll with ffprobe until the stream can be opened and has a video stream."""

        def live() -> bool:
            return "video" in probe_streams(self.url, timeout=min(5.0, timeout))

        try:
            wait_until(live, timeout, what=f"RTMP stream {self.url}", alive=lambda: self.running)
        except ServerError as e:
            raise ServerError(f"{e}\nffmpeg: {_tail(self.log_path)}") from e

    def stop(self) -> None:
        if self._proc is not None:
            _stop_process(self._proc, signal.SIGTERM, grace=3.0)
            self._proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class NginxRtmpServer(_NginxBase):
    """nginx with libnginx-mod-rtmp: application ``live`` on ``rtmp://127.0.0.1:PORT/live/NAME``."""

    def __init__(self, *, wait_video: bool = True) -> None:
        super().__init__("nginx-rtmp")
        self._publishers: list[Publisher] = []
        # off (nginx-rtmp's default): a new player gets the audio at once,
        # before the keyframe its video waits for
        self.wait_video = wait_video

    def start(self, timeout: float = 10.0) -> None:
        if not RTMP_MODULE.exists():
            raise ServerError(f"{RTMP_MODULE} not found: apt-get install libnginx-mod-rtmp")
        super().start(timeout)

    def url(self, stream_name: str) -> str:
        return f"rtmp://{HOST}:{self.port}/live/{stream_name}"

    def publish(self, file: Path, name: str, *, loop: bool = True) -> Publisher:
        """Start ffmpeg publishing ``file`` as ``name``; call ``wait_until_live`` on the result."""
        assert self.workdir is not None, "server not started"
        pub = Publisher(
            file, self.url(name), loop=loop, log_path=self.workdir / f"ffmpeg-{name}.log"
        )
        pub.start()
        self._publishers.append(pub)
        return pub

    def stop(self) -> None:
        for pub in self._publishers:
            pub.stop()
        self._publishers.clear()
        super().stop()

    def _config(self) -> str:
        assert self.workdir is not None
        w = self.workdir
        return f"""
load_module {RTMP_MODULE};
{_user_directive()}
daemon off;
master_process on;
worker_processes 1;
pid {w}/nginx.pid;
error_log {w}/error.log info;
events {{ worker_connections 256; }}
rtmp {{
    server {{
        listen {HOST}:{self.port};
        chunk_size 4096;
        application live {{
            live on;
            record off;
            wait_key on;
            wait_video {"on" if self.wait_video else "off"};
            allow publish 127.0.0.1;
            allow play all;
        }}
    }}
}}
"""


# --------------------------------------------------------------------------- RTSP


class RtspServer(_Managed):
    """GstRtspServer serving ``file`` (MP4, H.264 + AAC) at ``rtsp://127.0.0.1:PORT{path}``.

    Runs ``tests/support/rtsp_server.py`` with Debian's ``/usr/bin/python3`` (PyGObject).
    Each client gets its own pipeline from t = 0 (the stream lasts as long as the file; use a
    long file, e.g. ``make_av_file(seconds=60)``). UDP and TCP-interleaved transports work.
    With ``user``/``password`` the server requires HTTP basic auth. With ``live_delay``
    (``file`` None) it serves a live pattern sent that many seconds after capture, with
    RTCP sender reports on the wall clock.
    """

    def __init__(
        self,
        file: Path | None,
        *,
        path: str = "/test",
        user: str | None = None,
        password: str | None = None,
        port: int | None = None,
        live_delay: float | None = None,
    ) -> None:
        if not path.startswith("/"):
            raise ValueError("path must start with '/'")
        self.file = Path(file).resolve() if file is not None else None
        self.path = path
        self.live_delay = live_delay
        self.user, self.password = user, password
        self.port = port or 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._logdir = Path(tempfile.mkdtemp(prefix="heureum-rtsp-"))
        self.log_path = self._logdir / "rtsp_server.log"
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"rtsp://{HOST}:{self.port}{self.path}"

    def url_with_credentials(self) -> str:
        """The URL with ``user:password@`` (for auth/redaction tests)."""
        if self.user is None:
            return self.url
        return f"rtsp://{self.user}:{self.password}@{HOST}:{self.port}{self.path}"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = 15.0) -> None:
        if self._proc is not None:
            raise ServerError("RTSP server already started")
        if not SYSTEM_PYTHON.exists():
            raise ServerError(
                f"{SYSTEM_PYTHON} not found (needs python3-gi + gir1.2-gst-rtsp-server-1.0)"
            )
        fixed = self.port != 0
        for _attempt in range(1 if fixed else 3):
            if not fixed:
                self.port = free_port()
            try:
                self._spawn(timeout)
                return
            except ServerError:
                if fixed:
                    raise
        raise ServerError(f"RTSP server did not start:\n{_tail(self.log_path)}")

    def _spawn(self, timeout: float) -> None:
        cmd = [
            str(SYSTEM_PYTHON), "-u", str(RTSP_SCRIPT),
            "--port", str(self.port), "--path", self.path,
        ]  # fmt: skip
        if self.live_delay is not None:
            cmd += ["--live-delay", str(self.live_delay)]
        else:
            cmd += ["--file", str(self.file)]
        if self.user is not None:
            cmd += ["--user", self.user, "--password", self.password or ""]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in _reap()
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=env,
            start_new_session=True,
        )
        self._proc = proc
        assert proc.stdout is not None
        deadline = time.monotonic() + timeout
        buf = b""
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            while b"\n" not in buf:
                left = deadline - time.monotonic()
                if left <= 0 or proc.poll() is not None:
                    self._reap(signal.SIGKILL)
                    raise ServerError(f"RTSP server not ready:\n{_tail(self.log_path)}")
                if sel.select(timeout=min(left, 0.2)):
                    chunk = os.read(proc.stdout.fileno(), 4096)
                    if not chunk:
                        continue
                    buf += chunk
        line = buf.split(b"\n", 1)[0].decode(errors="replace").strip()
        if not line.startswith("READY "):
            self._reap(signal.SIGKILL)
            raise ServerError(f"RTSP server said {line!r}:\n{_tail(self.log_path)}")
        self.port = int(line.split()[1])
        wait_for_port(self.port, timeout, alive=lambda: proc.poll() is None)
        log.info("RTSP server at %s", self.url)

    def _reap(self, sig: int) -> None:
        if self._proc is not None:
            _stop_process(self._proc, sig, grace=5.0)
            self._proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def stop(self) -> None:
        """Graceful stop (SIGTERM); the port is released."""
        self._reap(signal.SIGTERM)

    def kill_hard(self) -> None:
        """SIGKILL: the server vanishes without closing sessions (a dead server)."""
        self._reap(signal.SIGKILL)

    def restart(self, timeout: float = 15.0) -> None:
        """Stop, then start again on the same port."""
        self.stop()
        port = self.port
        # The port may sit in TIME_WAIT briefly; the server binds with SO_REUSEADDR.
        if port:
            self._spawn(timeout)
        else:
            self.start(timeout)

    def close(self) -> None:
        self.stop()
        if not os.environ.get("HEUREUM_KEEP_SERVER_LOGS"):
            shutil.rmtree(self._logdir, ignore_errors=True)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


# --------------------------------------------------------------------------- audio


NULL_SINK = "heureum_null"


def _pactl(*args: str, timeout: float = 5.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["pactl", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _pulse_up() -> bool:
    try:
        return _pactl("info", timeout=3.0).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _start_pulse() -> None:
    if os.geteuid() == 0:
        cmd = ["pulseaudio", "-D", "--exit-idle-time=-1", "--system=false", "--disallow-exit"]
    else:
        cmd = ["pulseaudio", "--start", "--exit-idle-time=-1"]
    subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=15.0, check=False)


def _portaudio_output(reinit: bool) -> str | None:
    """Pick a PortAudio output: pulse, default, anything. ``reinit`` re-reads the device list
    (sounddevice caches it at import; only safe while no stream is open)."""
    import sounddevice as sd

    if reinit:
        sd._terminate()
        sd._initialize()
    outputs = [d for d in sd.query_devices() if int(d["max_output_channels"]) > 0]
    names = [str(d["name"]) for d in outputs]
    for preferred in ("pulse", "default"):
        if preferred in names:
            return preferred
    return names[0] if names else None


def ensure_pulse_null_sink(timeout: float = 10.0) -> str | None:
    """Make sure PulseAudio runs with a null sink as default and PortAudio sees an output.

    Returns the PortAudio output device name to use (``"pulse"`` normally), or None when no
    output can be had. Safe to call repeatedly and after ``sounddevice`` was imported.
    """
    started = False
    if shutil.which("pactl") and shutil.which("pulseaudio"):
        if not _pulse_up():
            started = True
            _start_pulse()
            with contextlib.suppress(ServerError):
                wait_until(_pulse_up, timeout, what="PulseAudio", interval=0.05)
        if _pulse_up():
            sinks = _pactl("list", "short", "sinks").stdout
            if NULL_SINK not in sinks:
                _pactl("load-module", "module-null-sink", f"sink_name={NULL_SINK}", "rate=48000")
            _pactl("set-default-sink", NULL_SINK)
    else:
        print("pactl/pulseaudio not installed", file=sys.stderr)
    return _portaudio_output(reinit=started)


@contextlib.contextmanager
def running(server: _Managed) -> Iterator[_Managed]:
    """``with running(server):`` for servers built elsewhere."""
    server.start()
    try:
        yield server
    finally:
        server.stop()
