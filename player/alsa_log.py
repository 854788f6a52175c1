"""libasound's messages into our log instead of stderr, and the device
underruns they signal counted for every stream whose thread hit them.

ALSA prints its errors itself ("ALSA lib pcm.c:8570:(snd_pcm_recover) underrun
occurred"), through a process-wide handler that ``snd_lib_error_set_handler``
replaces. The handler is variadic in C; ctypes cannot define one, so ours takes
the five fixed arguments and a few machine words after them. Where the ABI
passes variadic integer and pointer arguments like fixed ones (x86-64 System
V, AArch64 Linux) those words are the format's arguments, read only as the
format says; elsewhere the format is logged unexpanded. Floating-point
arguments travel in other registers and are never read.

A thread can serve several listeners: one PortAudio callback thread mixes
every voice of a shared device (the compare view), and a device running dry
is a gap for each of them, so each is told.
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import logging
import platform
import re
import threading
from collections.abc import Callable

__all__ = ["expand", "install", "installed", "unwatch", "watch"]

log = logging.getLogger(__name__)

_WORDS = 4
_VARIADIC_AS_FIXED = platform.machine().lower() in ("x86_64", "amd64", "aarch64", "arm64")
_SPEC = re.compile(r"%([-+ #0]*)(\d+|\*)?(?:\.(\d+|\*))?(hh|h|ll|l|z|j|t|L)?([diouxXcspfFeEgGaA%])")
_UNDERRUN = re.compile(r"\bunderrun occurred\b")

_Handler = ctypes.CFUNCTYPE(
    None,
    ctypes.c_char_p,
    ctypes.c_int,
    ctypes.c_char_p,
    ctypes.c_int,
    ctypes.c_char_p,
    *([ctypes.c_size_t] * _WORDS),
)

_lock = threading.Lock()
#: thread id -> who is told of the underruns ALSA reports on that thread
_listeners: dict[int, list[Callable[[], None]]] = {}
_state: dict[str, object] = {}


def expand(fmt: str, words: tuple[int, ...]) -> str:
    """``fmt`` with its integer, character and string conversions filled from
    ``words`` (raw argument words, in order); what cannot be read stays as written."""
    args = list(words)

    def one(match: re.Match[str]) -> str:
        flags, width, precision, length, conv = match.groups()
        if conv == "%":
            return "%"
        if width == "*" or precision == "*":
            args.clear()  # a width taken from the arguments: the rest cannot be placed
        if conv in "fFeEgGaA" or not args:
            return match.group(0)
        word = args.pop(0)
        try:
            return _convert(
                f"%{flags}{width or ''}{'.' + precision if precision else ''}", length, conv, word
            )
        except (ValueError, TypeError, OverflowError):
            return match.group(0)

    return _SPEC.sub(one, fmt)


def _convert(spec: str, length: str | None, conv: str, word: int) -> str:
    if conv == "s":
        text = ctypes.string_at(word).decode("utf-8", "replace") if word else "(null)"
        return (spec + "s") % text
    if conv == "c":
        return chr(word & 0xFF)
    if conv == "p":
        return hex(word)
    bits = 64 if length in ("l", "ll", "z", "j", "t") else 32
    value = word & ((1 << bits) - 1)
    if conv in "di" and value >= 1 << (bits - 1):
        value -= 1 << bits
    return (spec + ("d" if conv in "diu" else conv)) % value


def _handle(
    file: bytes | None,
    line: int,
    function: bytes | None,
    err: int,
    fmt: bytes | None,
    *words: int,
) -> None:
    try:
        text = (fmt or b"").decode("utf-8", "replace")
        message = expand(text, words) if _VARIADIC_AS_FIXED else text
        if err:
            strerror = _state.get("strerror")
            if callable(strerror):
                message += f": {strerror(err).decode('utf-8', 'replace')}"
        where = f"{(file or b'?').decode(errors='replace')}:{line}"
        log.debug(
            "ALSA lib %s:(%s) %s", where, (function or b"?").decode(errors="replace"), message
        )
        if _UNDERRUN.search(message):
            _tell(threading.get_ident())
    except Exception:  # never raise into libasound's caller
        log.debug("ALSA message handler failed", exc_info=True)


def _tell(thread: int) -> None:
    with _lock:
        listeners = list(_listeners.get(thread, ()))
    for listener in listeners:
        try:
            listener()
        except Exception:  # one failing listener must not cost the others their count
            log.debug("ALSA underrun listener failed", exc_info=True)


def install() -> bool:
    """Route libasound's messages into our log (idempotent, process-wide; call
    before PortAudio starts, which already talks to ALSA). False without libasound."""
    with _lock:
        if "handler" in _state:
            return True
        name = ctypes.util.find_library("asound") or "libasound.so.2"
        try:
            lib = ctypes.CDLL(name)
            set_handler = lib.snd_lib_error_set_handler
        except (OSError, AttributeError):
            return False
        set_handler.argtypes = [ctypes.c_void_p]
        set_handler.restype = ctypes.c_int
        strerror = lib.snd_strerror
        strerror.argtypes = [ctypes.c_int]
        strerror.restype = ctypes.c_char_p
        handler = _Handler(_handle)
        if set_handler(ctypes.cast(handler, ctypes.c_void_p)) != 0:
            return False
        # Kept alive for as long as libasound may call it; at exit (after
        # PortAudio's own atexit, registered later) ALSA's default comes back.
        _state.update(handler=handler, lib=lib, strerror=strerror)
        atexit.register(set_handler, None)
        return True


def installed() -> bool:
    return "handler" in _state


def watch(on_underrun: Callable[[], None]) -> None:
    """Call ``on_underrun`` for each underrun ALSA reports on this thread (an
    audio stream's callback thread), beside any other listener of the thread.
    A listener watches one thread: watched again from another, it moves (its
    stream's callback thread changed); watched again from the same, it stays
    told once."""
    here = threading.get_ident()
    with _lock:
        _forget(on_underrun, keep=here)
        mine = _listeners.setdefault(here, [])
        if on_underrun not in mine:
            mine.append(on_underrun)


def unwatch(on_underrun: Callable[[], None]) -> None:
    """Stop telling ``on_underrun`` (from any thread); the thread's other
    listeners are still told."""
    with _lock:
        _forget(on_underrun)


def _forget(on_underrun: Callable[[], None], keep: int | None = None) -> None:
    for ident in list(_listeners):
        if ident == keep:
            continue
        # equality, not identity: each ``obj.method`` is a new bound method
        rest = [fn for fn in _listeners[ident] if fn != on_underrun]
        if rest:
            _listeners[ident] = rest
        else:
            del _listeners[ident]
