"""The lab's servers outside this process, used when the system has them:
RTSP from GStreamer's RTSP server (``rtsp_serve.py`` under Debian's
``/usr/bin/python3`` with python3-gi) and RTMP from nginx-rtmp fed by
ffmpeg. Each says which Debian package is missing when it cannot run, and a
port it cannot bind is one error at once."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

__all__ = ["LabServerError", "RtmpServer", "RtspServer", "free_port"]

SYSTEM_PYTHON = Path("/usr/bin/python3")
NGINX = Path("/usr/sbin/nginx")
RTMP_MODULE = Path("/usr/lib/nginx/modules/ngx_rtmp_module.so")
HOST = "127.0.0.1"
_READY_TIMEOUT = 15.0


class LabServerError(RuntimeError):
    """A server the lab cannot start: ``str()`` is the one line a user sees."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def _stop(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


class RtspServer:
    """``rtsp://127.0.0.1:PORT/lab``: ``file`` as RTP, ``loss_pct`` of the
    packets dropped when GStreamer's netsim is installed (``loss_applied``)."""

    script = Path(__file__).with_name("rtsp_serve.py")

    def __init__(self, file: Path, *, port: int = 0, loss_pct: float = 0.0) -> None:
        self.file, self.port, self.loss_pct = file, port, loss_pct
        self.loss_applied = False
        self._proc: subprocess.Popen[bytes] | None = None

    @classmethod
    def missing(cls) -> str | None:
        """None when it can run here, else what to install."""
        if not SYSTEM_PYTHON.exists():
            return "RTSP needs Debian's python3: apt-get install python3-gi"
        try:
            out = subprocess.run(
                [str(SYSTEM_PYTHON), str(cls.script), "--check"],
                capture_output=True,
                text=True,
                timeout=20,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"RTSP: cannot run {SYSTEM_PYTHON}: {exc}"
        if out.returncode == 0:
            return None
        lines = (out.stdout.strip() or out.stderr.strip()).splitlines()
        text = lines[-1] if lines else "unknown"
        return (
            f"RTSP: {text}; apt-get install python3-gi gir1.2-gst-rtsp-server-1.0 "
            "gstreamer1.0-plugins-good gstreamer1.0-plugins-bad"
        )

    @property
    def url(self) -> str:
        return f"rtsp://{HOST}:{self.port}/lab"

    def start(self) -> None:
        cmd = [str(SYSTEM_PYTHON), str(self.script), "--file", str(self.file)]
        cmd += ["--port", str(self.port), "--loss-pct", str(self.loss_pct)]
        # its own process group: a stop takes GStreamer's threads with it
        self._proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True
        )
        line = _read_line(self._proc, _READY_TIMEOUT)
        if not line.startswith("READY "):
            self.stop()
            reason = line or "it did not start"
            raise LabServerError(f"RTSP server on port {self.port}: {reason}")
        _ready, port, loss = line.split()
        self.port, self.loss_applied = int(port), loss == "1"

    def stop(self) -> None:
        _stop(self._proc)
        if self._proc is not None and self._proc.stdout is not None:
            self._proc.stdout.close()
        self._proc = None


def _read_line(proc: subprocess.Popen[bytes], timeout: float) -> str:
    """The child's first line of output, or "" if none comes in ``timeout``."""
    out: list[bytes] = []
    assert proc.stdout is not None
    stdout = proc.stdout
    reader = threading.Thread(target=lambda: out.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return out[0].decode(errors="replace").strip() if out else ""


class RtmpServer:
    """``rtmp://127.0.0.1:PORT/live/lab``: nginx-rtmp, with ffmpeg publishing
    ``file`` in real time, looped."""

    def __init__(self, file: Path, *, port: int = 0) -> None:
        self.file = file
        self.port = port
        self._dir: Path | None = None
        self._nginx: subprocess.Popen[bytes] | None = None
        self._ffmpeg: subprocess.Popen[bytes] | None = None

    @staticmethod
    def missing() -> str | None:
        if not NGINX.exists():
            return "RTMP needs nginx: apt-get install nginx libnginx-mod-rtmp"
        if not RTMP_MODULE.exists():
            return "RTMP needs nginx's RTMP module: apt-get install libnginx-mod-rtmp"
        if shutil.which("ffmpeg") is None:
            return "RTMP needs ffmpeg to feed nginx: apt-get install ffmpeg"
        return None

    @property
    def url(self) -> str:
        return f"rtmp://{HOST}:{self.port}/live/lab"

    def start(self) -> None:
        if self.port == 0:
            self.port = free_port()
        elif not _port_free(self.port):
            raise LabServerError(f"RTMP: cannot listen on port {self.port}: it is in use")
        self._dir = Path(tempfile.mkdtemp(prefix="heureum-lab-rtmp-"))
        conf = self._dir / "nginx.conf"
        conf.write_text(self._config(self._dir), encoding="utf-8")
        self._nginx = subprocess.Popen(
            [str(NGINX), "-c", str(conf), "-p", str(self._dir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        if not self._wait_listening():
            log = (self._dir / "error.log").read_text(errors="replace").strip().splitlines()
            self.stop()
            last = log[-1] if log else "it did not start"
            raise LabServerError(f"RTMP server on port {self.port}: {last}")
        self._ffmpeg = subprocess.Popen(
            ["ffmpeg", "-nostdin", "-v", "error", "-re", "-stream_loop", "-1",
             "-i", str(self.file), "-c", "copy", "-f", "flv", self.url],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip

    def _wait_listening(self) -> bool:
        deadline = time.monotonic() + _READY_TIMEOUT
        while time.monotonic() < deadline:
            if self._nginx is None or self._nginx.poll() is not None:
                return False
            with socket.socket() as s:
                if s.connect_ex((HOST, self.port)) == 0:
                    return True
            time.sleep(0.05)  # polling a child's socket: nothing to wait on
        return False

    def _config(self, w: Path) -> str:
        user = "user root;" if os.geteuid() == 0 else ""
        return f"""load_module {RTMP_MODULE};
{user}
daemon off;
master_process on;
worker_processes 1;
pid {w}/nginx.pid;
error_log {w}/error.log warn;
events {{ worker_connections 128; }}
rtmp {{
    server {{
        listen {HOST}:{self.port};
        application live {{
            live on;
            record off;
            wait_key on;
            allow publish 127.0.0.1;
            allow play all;
        }}
    }}
}}
"""

    def stop(self) -> None:
        _stop(self._ffmpeg)
        self._ffmpeg = None
        _stop(self._nginx)
        self._nginx = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
