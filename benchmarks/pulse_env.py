"""Where a benchmark's child finds the PulseAudio server when its config home
is moved (a fresh ``XDG_CONFIG_HOME`` per player, so no settings leak in).

Without ``XDG_RUNTIME_DIR`` (as under this machine's root shell) a PulseAudio
client finds the server's socket through ``$XDG_CONFIG_HOME/pulse/*-runtime``
and its cookie in ``$XDG_CONFIG_HOME/pulse/cookie``: a child with a moved
config home found neither, PortAudio listed no output device, and Heureum
played a stream's video alone (its report warned ``no-audio-output``) in
runs meant to have sound."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

__all__ = ["pulse_env"]


def pulse_env() -> dict[str, str]:
    """``PULSE_SERVER`` and ``PULSE_COOKIE`` naming this user's server, for a
    child's environment (empty when there is no server to name)."""
    out: dict[str, str] = {}
    server = os.environ.get("PULSE_SERVER") or _server_string()
    if server:
        out["PULSE_SERVER"] = f"unix:{server}" if server.startswith("/") else server
    cookie = os.environ.get("PULSE_COOKIE")
    if not cookie:
        config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
        for candidate in (config / "pulse" / "cookie", Path.home() / ".pulse-cookie"):
            if candidate.is_file():
                cookie = str(candidate)
                break
    if cookie:
        out["PULSE_COOKIE"] = cookie
    return out


def _server_string() -> str | None:
    pactl = shutil.which("pactl")
    if pactl is None:
        return None
    try:
        done = subprocess.run([pactl, "info"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    for line in done.stdout.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "Server String" and value.strip():
            return value.strip()
    return None
