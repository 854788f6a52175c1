"""What a URL is and what it may reach. Pure: no I/O beyond a stat of local paths."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from ..errors import ErrorCode, error_for
from ..redact import redact_url

__all__ = ["Target", "classify", "protocol_whitelist"]

Family = Literal["file", "http", "rtsp", "rtmp", "hls"]

_LIVE_FAMILIES = {"rtsp", "rtmp"}


@dataclass(frozen=True)
class Target:
    url: str  # what libavformat opens (a path for local files)
    scheme: str  # file, http, https, rtsp, rtsps, rtmp, rtmps
    family: Family
    display: str  # redacted, for people

    @property
    def inherently_live(self) -> bool:
        return self.family in _LIVE_FAMILIES


def _looks_like_hls(path: str) -> bool:
    lowered = path.lower()
    return lowered.endswith((".m3u8", ".m3u8/"))


def classify(url: str) -> Target:
    """Decide how to open ``url``. Raises UnsupportedError / FormatError with a
    message for a person."""
    text = url.strip()
    if not text:
        raise error_for(ErrorCode.NO_URL)
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    # "C:\\video.mp4" parses with scheme "c"; treat one-letter schemes as paths.
    if scheme == "" or len(scheme) == 1:
        return _local(text)
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise error_for(ErrorCode.REMOTE_FILE_URL, where=redact_url(text))
        return _local(unquote(parts.path))
    display = redact_url(text)
    if scheme in ("http", "https"):
        if not parts.hostname:
            raise error_for(ErrorCode.NO_HOST, where=display)
        family: Family = "hls" if _looks_like_hls(parts.path) else "http"
        return Target(text, scheme, family, display)
    if scheme in ("rtsp", "rtsps", "rtmp", "rtmps"):
        if not parts.hostname:
            raise error_for(ErrorCode.NO_HOST, where=display)
        return Target(text, scheme, "rtsp" if scheme.startswith("rtsp") else "rtmp", display)
    raise error_for(ErrorCode.UNSUPPORTED_SCHEME, scheme=scheme, where=display)


def _local(path_text: str) -> Target:
    path = Path(os.path.expanduser(path_text))
    if not path.exists():
        raise error_for(ErrorCode.FILE_NOT_FOUND, where=path)
    if path.is_dir():
        raise error_for(ErrorCode.FILE_IS_FOLDER, where=path)
    if not os.access(path, os.R_OK):
        raise error_for(ErrorCode.FILE_NO_PERMISSION, where=path)
    family: Family = "file"
    return Target(str(path), "file", family, str(path))


def protocol_whitelist(target: Target, rtsp_transport: str = "auto") -> str:
    """The libavformat protocols this URL may use: its own family only, so a
    server cannot redirect or point us to another scheme (file:, concat:, ...)."""
    if target.family == "file":
        return "file"
    if target.family in ("http", "hls"):
        # An https origin never falls back to plain http.
        return "https,tls,tcp" if target.scheme == "https" else "http,tcp"
    if target.family == "rtsp":
        allowed = ["rtsp", "rtp", "srtp", "udp", "tcp"]
        if target.scheme == "rtsps":
            allowed += ["rtsps", "tls"]
        if rtsp_transport == "http":
            allowed += ["http"]
        return ",".join(allowed)
    # rtmp
    return "rtmps,tls,tcp" if target.scheme == "rtmps" else "rtmp,tcp"
