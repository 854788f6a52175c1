"""One small error hierarchy. Messages say what happened and what to try.

Each error has a ``kind`` (its family: network, file, format, ...) and a
``code`` from the closed set in ``error_text`` whose template is the text a
person reads (``text``), in English here and translated by the UI. An error
raised with a plain message (deep inside a protocol) gets its family's general
code, with the message as the detail.
"""

from __future__ import annotations

import errno
from typing import ClassVar

from .error_text import ErrorCode, render

__all__ = [
    "FAMILY_OF",
    "DecodeError",
    "ErrorCode",
    "FileError",
    "FormatError",
    "NetworkError",
    "PlayerError",
    "PlaylistError",
    "SecurityError",
    "UnsupportedError",
    "code_for_socket_error",
    "code_for_status",
    "error_for",
]


class PlayerError(Exception):
    """Base of every error the engine reports.

    ``PlayerError(message)`` keeps ``message`` as ``str()`` (for logs and the
    code that raised it); ``PlayerError(code=..., **params)`` is the template's
    text. ``text`` is always the full sentence for a person."""

    #: short machine-readable family, used in events and reports
    kind: ClassVar[str] = "error"
    #: the code of an error raised with a plain message
    general: ClassVar[ErrorCode] = ErrorCode.INTERNAL

    def __init__(
        self, message: str = "", /, *, code: ErrorCode | None = None, **params: object
    ) -> None:
        values = {name: str(value) for name, value in params.items()}
        if code is None:
            code = self.general
            values.setdefault("detail", message)
        for name in ("detail", "reason"):
            if name in values:
                # The templates end the sentence themselves.
                values[name] = values[name].rstrip().removesuffix(".")
        self.code = code
        self.params = values
        self.text = render(code, values)
        super().__init__(message or self.text)


class NetworkError(PlayerError):
    kind = "network"
    general = ErrorCode.NETWORK


class FileError(PlayerError):
    """A local file that cannot be opened or read."""

    kind = "file"
    general = ErrorCode.FILE_READ_FAILED


class FormatError(PlayerError):
    kind = "format"
    general = ErrorCode.FORMAT


class DecodeError(PlayerError):
    kind = "decode"
    general = ErrorCode.DECODE


class UnsupportedError(PlayerError):
    kind = "unsupported"
    general = ErrorCode.UNSUPPORTED


class SecurityError(PlayerError):
    kind = "security"
    general = ErrorCode.SECURITY


class PlaylistError(FormatError):
    """A playlist we refuse to play, with the reason and the 1-based line where known."""

    kind = "playlist"
    general = ErrorCode.PLAYLIST

    def __init__(self, reason: str, line: int | None = None) -> None:
        self.reason = reason
        self.line = line
        where = f" (line {line})" if line is not None else ""
        if line is None:
            super().__init__(f"Bad playlist: {reason}", code=ErrorCode.PLAYLIST, reason=reason)
        else:
            super().__init__(
                f"Bad playlist{where}: {reason}",
                code=ErrorCode.PLAYLIST_LINE,
                reason=reason,
                line=line,
            )


_FAMILY: dict[str, type[PlayerError]] = {
    "file": FileError,
    "network": NetworkError,
    "format": FormatError,
    "decode": DecodeError,
    "unsupported": UnsupportedError,
    "security": SecurityError,
}

#: each code's family (the class an error with that code is)
FAMILY_OF: dict[ErrorCode, str] = {
    **dict.fromkeys(
        [
            ErrorCode.FILE_NOT_FOUND,
            ErrorCode.FILE_IS_FOLDER,
            ErrorCode.FILE_NO_PERMISSION,
            ErrorCode.FILE_READ_FAILED,
            ErrorCode.FILE_CUT_SHORT,
        ],
        "file",
    ),
    **dict.fromkeys(
        [
            ErrorCode.CONNECTION_REFUSED,
            ErrorCode.HOST_NOT_FOUND,
            ErrorCode.TIMEOUT,
            ErrorCode.CONNECTION_LOST,
            ErrorCode.STREAM_CUT_SHORT,
            ErrorCode.NOT_FOUND,
            ErrorCode.FORBIDDEN,
            ErrorCode.UNAUTHORIZED,
            ErrorCode.SERVER_ERROR,
            ErrorCode.REQUEST_REJECTED,
            ErrorCode.RECONNECT_FAILED,
            ErrorCode.NETWORK,
        ],
        "network",
    ),
    **dict.fromkeys(
        [
            ErrorCode.NOT_MEDIA,
            ErrorCode.NO_STREAMS,
            ErrorCode.ENDED_EARLY,
            ErrorCode.FORMAT,
        ],
        "format",
    ),
    ErrorCode.PLAYLIST: "playlist",
    ErrorCode.PLAYLIST_LINE: "playlist",
    **dict.fromkeys([ErrorCode.CORRUPT_VIDEO, ErrorCode.CORRUPT_AUDIO, ErrorCode.DECODE], "decode"),
    **dict.fromkeys(
        [
            ErrorCode.NO_URL,
            ErrorCode.UNSUPPORTED_SCHEME,
            ErrorCode.REMOTE_FILE_URL,
            ErrorCode.NO_HOST,
            ErrorCode.NO_DECODER,
            ErrorCode.TOO_LARGE,
            ErrorCode.UNSUPPORTED,
            ErrorCode.NO_SUCH_VARIANT,
        ],
        "unsupported",
    ),
    **dict.fromkeys(
        [
            ErrorCode.TLS_UNTRUSTED,
            ErrorCode.TLS_REJECTED,
            ErrorCode.REDIRECT_REFUSED,
            ErrorCode.PROTOCOL_REFUSED,
            ErrorCode.SECURITY,
        ],
        "security",
    ),
    ErrorCode.INTERNAL: "error",
}


def error_for(code: ErrorCode, **params: object) -> PlayerError:
    """An error of ``code``'s family, its text from ``code``'s template."""
    family = FAMILY_OF[code]
    if family == "playlist":
        return PlaylistError(str(params.get("reason", "")), _int_or_none(params.get("line")))
    cls = _FAMILY.get(family, PlayerError)
    return cls(code=code, **params)


def _int_or_none(value: object) -> int | None:
    text = str(value) if value is not None else ""
    return int(text) if text.isdigit() else None


def code_for_status(status: int) -> ErrorCode:
    """The code of an HTTP or RTSP status a server refused a request with."""
    if status == 404:
        return ErrorCode.NOT_FOUND
    if status == 403:
        return ErrorCode.FORBIDDEN
    if status == 401:
        return ErrorCode.UNAUTHORIZED
    if status >= 500:
        return ErrorCode.SERVER_ERROR
    return ErrorCode.REQUEST_REJECTED


#: a socket's errno: the network's fault, never a file's
_SOCKET_ERRNO: dict[int, ErrorCode] = {
    errno.ECONNREFUSED: ErrorCode.CONNECTION_REFUSED,
    errno.ETIMEDOUT: ErrorCode.TIMEOUT,
    errno.ECONNRESET: ErrorCode.CONNECTION_LOST,
    errno.ECONNABORTED: ErrorCode.CONNECTION_LOST,
    errno.EPIPE: ErrorCode.CONNECTION_LOST,
    errno.EHOSTUNREACH: ErrorCode.NETWORK,
    errno.ENETUNREACH: ErrorCode.NETWORK,
    errno.ENETDOWN: ErrorCode.NETWORK,
}


def code_for_socket_error(text: str, number: int | None = None) -> ErrorCode | None:
    """The code of a socket-level failure, if it is one: by its errno where
    the caller has it (the system's words are translated on some machines,
    and a few failures have no telling word), else by its system message."""
    if number is not None and number in _SOCKET_ERRNO:
        return _SOCKET_ERRNO[number]
    lowered = text.lower()
    if "refused" in lowered:
        return ErrorCode.CONNECTION_REFUSED
    if any(
        words in lowered
        for words in (
            "name or service not known",
            "name resolution",
            "resolve host",
            "resolve hostname",
            "nodename nor servname",
            "no address associated",
        )
    ):
        return ErrorCode.HOST_NOT_FOUND
    if "timed out" in lowered or "timeout" in lowered:
        return ErrorCode.TIMEOUT
    if any(w in lowered for w in ("reset by peer", "broken pipe", "connection aborted")):
        return ErrorCode.CONNECTION_LOST
    return None
