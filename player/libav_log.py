"""FFmpeg's own log, routed into ours, and what only that log tells: that
libavformat's HTTP client resumed a transfer by itself.

PyAV drops FFmpeg's messages unless a level is set; once set, every message at
that level (and every error) reaches Python logging as ``libav.<component>``
on the thread that logged it. The demux thread of a progressive HTTP source
watches its own thread's messages for the HTTP client's resume notice; all of
them go to our log at DEBUG, never to stderr.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

from .redact import redact

__all__ = ["HttpResume", "install", "parse_resume", "unwatch", "watch"]

log = logging.getLogger(__name__)

#: libavformat/http.c, when a read fails and the reconnect options allow
#: another try: "Will reconnect at <offset> in <n> second(s), error=<text>."
_RESUME = re.compile(r"Will reconnect at (\d+) in (\d+) second\(s\)(?:, error=(.*?))?\.?\s*$")


@dataclass(frozen=True)
class HttpResume:
    """One resume attempt of FFmpeg's HTTP client."""

    offset: int  # the byte it asks for again
    delay: float  # seconds it waits first
    reason: str  # why the read failed, in FFmpeg's words


def parse_resume(message: str) -> HttpResume | None:
    match = _RESUME.search(message)
    if match is None:
        return None
    reason = (match.group(3) or "the connection was lost").strip()
    return HttpResume(int(match.group(1)), float(match.group(2)), reason)


Listener = Callable[[HttpResume], None]

_lock = threading.Lock()
_listeners: dict[int, Listener] = {}
_installed = False


class _Router(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            component = record.name.removeprefix("libav.")
            log.debug("ffmpeg [%s] %s", component, redact(message))
            if component != "http":
                return
            listener = _listeners.get(threading.get_ident())
            notice = parse_resume(message) if listener is not None else None
            if listener is not None and notice is not None:
                listener(notice)
        except Exception:  # a log handler must never raise into FFmpeg's caller
            log.debug("libav log handler failed", exc_info=True)


def install() -> None:
    """Route FFmpeg's warnings and errors into our log (idempotent, process-wide)."""
    global _installed
    with _lock:
        if _installed:
            return
        import av.logging

        source = logging.getLogger("libav")
        source.setLevel(logging.WARNING)
        # Ours at DEBUG only: FFmpeg's words are details of events we report.
        source.propagate = False
        source.addHandler(_Router())
        av.logging.set_level(av.logging.WARNING)
        # Two resumes at the same byte are two events, not one repeated line.
        av.logging.set_skip_repeated(False)
        _installed = True


def watch(listener: Listener) -> None:
    """Send the HTTP resume notices logged on this thread to ``listener``."""
    install()
    with _lock:
        _listeners[threading.get_ident()] = listener


def unwatch(listener: Listener) -> None:
    """Stop sending notices to ``listener`` (from any thread)."""
    with _lock:
        for ident in [i for i, fn in _listeners.items() if fn == listener]:
            del _listeners[ident]
