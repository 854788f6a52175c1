"""Why a warning happened, as a code from a closed set with its data fields
(a URL, a status, a number), never as English sentences: the warning's
``{reason}`` is one of these, so the UI translates it with the rest.

The templates are short phrases that sit inside a warning's template, in
the same Qt Linguist context (``WarningText``), marked for
``pyside6-lupdate``. ``reason_for`` turns what the engine has in hand (one
of our errors, an ``OSError``, the text of another library) into a
``Reason``: an error by its code, else by what its words say; words that
say nothing known become ``UNEXPECTED`` and go to the log, not the user.
"""

from __future__ import annotations

import enum
import errno
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .error_text import ErrorCode, fields, render_template
from .errors import PlayerError, code_for_socket_error
from .redact import redact, redact_url

__all__ = ["DATA_FIELDS", "REASONS", "Reason", "ReasonCode", "reason_for", "words_of"]

log = logging.getLogger(__name__)


# The name is the one lupdate reads.
def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Marks ``text`` for translation in ``context``; returns it unchanged."""
    return text


class ReasonCode(enum.StrEnum):
    """Every reason a warning gives (the event's ``reason_code``)."""

    # the network and the server
    CONNECTION_REFUSED = "connection-refused"
    HOST_NOT_FOUND = "host-not-found"
    TIMED_OUT = "timed-out"
    CONNECTION_LOST = "connection-lost"
    HTTP_STATUS = "http-status"
    TRANSFER_BROKE = "transfer-broke"
    TOO_SLOW = "too-slow"
    TOO_LARGE = "too-large"
    RANGE_IGNORED = "range-ignored"
    REDIRECTS = "redirects"
    NETWORK = "network"
    # the data
    DAMAGED_MEDIA = "damaged-media"
    BAD_PLAYLIST = "bad-playlist"
    BAD_PLAYLIST_LINE = "bad-playlist-line"
    UNSUPPORTED = "unsupported"
    NOT_SUBTITLES = "not-subtitles"
    REFUSED_UNSAFE = "refused-unsafe"
    # files
    FILE_NOT_FOUND = "file-not-found"
    FILE_NO_PERMISSION = "file-no-permission"
    FILE_UNREADABLE = "file-unreadable"
    # live
    LEFT_LIVE_WINDOW = "left-live-window"
    BEHIND_LIVE_EDGE = "behind-live-edge"
    # this computer
    HW_NOT_OFFERED = "hw-not-offered"
    HW_CANNOT_DECODE = "hw-cannot-decode"
    HW_DEVICE_FAILED = "hw-device-failed"
    AUDIO_OFF = "audio-off"
    NO_PORTAUDIO = "no-portaudio"
    NO_OUTPUT_DEVICE = "no-output-device"
    # words that name nothing known (they are logged)
    UNEXPECTED = "unexpected"


REASONS: Mapping[ReasonCode, str] = {
    ReasonCode.CONNECTION_REFUSED: QT_TRANSLATE_NOOP(
        "WarningText", "connection refused by {where}"
    ),
    ReasonCode.HOST_NOT_FOUND: QT_TRANSLATE_NOOP("WarningText", "server not found: {where}"),
    ReasonCode.TIMED_OUT: QT_TRANSLATE_NOOP("WarningText", "no answer in time from {where}"),
    ReasonCode.CONNECTION_LOST: QT_TRANSLATE_NOOP("WarningText", "connection to {where} lost"),
    ReasonCode.HTTP_STATUS: QT_TRANSLATE_NOOP("WarningText", "{protocol} {status} from {where}"),
    ReasonCode.TRANSFER_BROKE: QT_TRANSLATE_NOOP(
        "WarningText", "the transfer from {where} broke off"
    ),
    ReasonCode.TOO_SLOW: QT_TRANSLATE_NOOP("WarningText", "arriving too slowly from {where}"),
    ReasonCode.TOO_LARGE: QT_TRANSLATE_NOOP("WarningText", "the answer from {where} is too large"),
    ReasonCode.RANGE_IGNORED: QT_TRANSLATE_NOOP(
        "WarningText", "{where} did not send the bytes asked for"
    ),
    ReasonCode.REDIRECTS: QT_TRANSLATE_NOOP("WarningText", "too many redirects from {where}"),
    ReasonCode.NETWORK: QT_TRANSLATE_NOOP("WarningText", "a network error with {where}"),
    ReasonCode.DAMAGED_MEDIA: QT_TRANSLATE_NOOP("WarningText", "the data is damaged or not media"),
    ReasonCode.BAD_PLAYLIST: QT_TRANSLATE_NOOP("WarningText", "the playlist is broken"),
    ReasonCode.BAD_PLAYLIST_LINE: QT_TRANSLATE_NOOP(
        "WarningText", "the playlist is broken at line {line}"
    ),
    ReasonCode.UNSUPPORTED: QT_TRANSLATE_NOOP("WarningText", "a form Heureum does not play"),
    ReasonCode.NOT_SUBTITLES: QT_TRANSLATE_NOOP(
        "WarningText", "no subtitles in it (SubRip, WebVTT or ASS expected)"
    ),
    ReasonCode.REFUSED_UNSAFE: QT_TRANSLATE_NOOP("WarningText", "refused as unsafe: {where}"),
    ReasonCode.FILE_NOT_FOUND: QT_TRANSLATE_NOOP("WarningText", "no such file"),
    ReasonCode.FILE_NO_PERMISSION: QT_TRANSLATE_NOOP("WarningText", "permission denied"),
    ReasonCode.FILE_UNREADABLE: QT_TRANSLATE_NOOP("WarningText", "the file could not be read"),
    ReasonCode.LEFT_LIVE_WINDOW: QT_TRANSLATE_NOOP(
        "WarningText", "segment {sequence} left the live window"
    ),
    ReasonCode.BEHIND_LIVE_EDGE: QT_TRANSLATE_NOOP(
        "WarningText", "{behind} s behind the live edge (target {target} s)"
    ),
    ReasonCode.HW_NOT_OFFERED: QT_TRANSLATE_NOOP(
        "WarningText", "PyAV offers none of these devices: {devices}"
    ),
    ReasonCode.HW_CANNOT_DECODE: QT_TRANSLATE_NOOP(
        "WarningText", "{devices} cannot decode {codec}"
    ),
    ReasonCode.HW_DEVICE_FAILED: QT_TRANSLATE_NOOP(
        "WarningText", "the device {devices} could not be opened"
    ),
    ReasonCode.AUDIO_OFF: QT_TRANSLATE_NOOP("WarningText", "audio output is turned off"),
    ReasonCode.NO_PORTAUDIO: QT_TRANSLATE_NOOP("WarningText", "PortAudio is not available"),
    ReasonCode.NO_OUTPUT_DEVICE: QT_TRANSLATE_NOOP("WarningText", "no usable output device"),
    ReasonCode.UNEXPECTED: QT_TRANSLATE_NOOP("WarningText", "an unexpected error"),
}

#: the only fields a reason carries: data, never words of a language
DATA_FIELDS = frozenset(
    {"where", "protocol", "status", "line", "sequence", "behind", "target", "devices", "codec"}
)


@dataclass(frozen=True)
class Reason:
    """A reason's code and its fields (text, as the warning's are)."""

    code: ReasonCode
    params: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        stray = set(self.params) - DATA_FIELDS
        if stray:
            raise ValueError(f"a reason carries data fields only, not {sorted(stray)}")

    @classmethod
    def of(cls, code: ReasonCode, **params: object) -> Reason:
        return cls(code, {name: str(value) for name, value in params.items()})

    def english(self) -> str:
        return render_template(REASONS[self.code], self.params)

    def render(self, template: str | None = None) -> str:
        """The reason in ``template`` (a translation of its own), fields filled."""
        return render_template(REASONS[self.code] if template is None else template, self.params)


def needs(code: ReasonCode) -> set[str]:
    """The fields ``code``'s template names."""
    return fields(REASONS[code])


_URL = re.compile(r"\b(?:https?|rtsp|rtmp)://\S+?(?=[\s),;]|$)")
_STATUS = re.compile(r"\b(HTTP|RTSP)/?\S* (\d{3})\b")
_BY_CODE: Mapping[ErrorCode, ReasonCode] = {
    ErrorCode.CONNECTION_REFUSED: ReasonCode.CONNECTION_REFUSED,
    ErrorCode.HOST_NOT_FOUND: ReasonCode.HOST_NOT_FOUND,
    ErrorCode.TIMEOUT: ReasonCode.TIMED_OUT,
    ErrorCode.CONNECTION_LOST: ReasonCode.CONNECTION_LOST,
    ErrorCode.STREAM_CUT_SHORT: ReasonCode.TRANSFER_BROKE,
    ErrorCode.TOO_LARGE: ReasonCode.TOO_LARGE,
    ErrorCode.FILE_NOT_FOUND: ReasonCode.FILE_NOT_FOUND,
    ErrorCode.FILE_NO_PERMISSION: ReasonCode.FILE_NO_PERMISSION,
    ErrorCode.FILE_IS_FOLDER: ReasonCode.FILE_UNREADABLE,
    ErrorCode.FILE_READ_FAILED: ReasonCode.FILE_UNREADABLE,
    ErrorCode.FILE_CUT_SHORT: ReasonCode.FILE_UNREADABLE,
    ErrorCode.PLAYLIST: ReasonCode.BAD_PLAYLIST,
    ErrorCode.PLAYLIST_LINE: ReasonCode.BAD_PLAYLIST_LINE,
    ErrorCode.UNSUPPORTED: ReasonCode.UNSUPPORTED,
    ErrorCode.NO_DECODER: ReasonCode.UNSUPPORTED,
}
_STATUS_CODES = {
    ErrorCode.NOT_FOUND: "404",
    ErrorCode.FORBIDDEN: "403",
    ErrorCode.UNAUTHORIZED: "401",
}
#: (words, reason) in the order they are looked for, lower case
_WORDS: tuple[tuple[tuple[str, ...], ReasonCode], ...] = (
    (("too slow", "kb/s"), ReasonCode.TOO_SLOW),
    (
        ("truncated", "broke off", "content-length", "incomplete", "fewer bytes"),
        ReasonCode.TRANSFER_BROKE,
    ),
    (("byte range", "got them from"), ReasonCode.RANGE_IGNORED),
    (("redirect",), ReasonCode.REDIRECTS),
    (("bytes, over the",), ReasonCode.TOO_LARGE),
    (("no such file",), ReasonCode.FILE_NOT_FOUND),
    (("permission denied",), ReasonCode.FILE_NO_PERMISSION),
    (("turned off",), ReasonCode.AUDIO_OFF),
    (("portaudio",), ReasonCode.NO_PORTAUDIO),
    (("output device", "no output"), ReasonCode.NO_OUTPUT_DEVICE),
    (("playlist",), ReasonCode.BAD_PLAYLIST),
    (("subtitle",), ReasonCode.NOT_SUBTITLES),
)
_FAMILY = {
    "network": ReasonCode.NETWORK,
    "format": ReasonCode.DAMAGED_MEDIA,
    "decode": ReasonCode.DAMAGED_MEDIA,
    "playlist": ReasonCode.BAD_PLAYLIST,
    "unsupported": ReasonCode.UNSUPPORTED,
    "security": ReasonCode.REFUSED_UNSAFE,
    "file": ReasonCode.FILE_UNREADABLE,
}


def words_of(value: object) -> str:
    """``value`` in English words, redacted: a reason's own, else its text."""
    return redact(value.english() if isinstance(value, Reason) else str(value))


def reason_for(value: object) -> Reason:
    """``value`` (a ``Reason``, one of our errors, an ``OSError`` or text) as a
    reason with data fields only."""
    if isinstance(value, Reason):
        return value
    # the words themselves are for the log only (another library's, English)
    log.debug("a warning's reason: %s", redact(str(value)))
    if isinstance(value, PlayerError):
        return _from_error(value)
    if isinstance(value, OSError) and value.errno is not None:
        return _from_errno(value.errno, str(value))
    return _from_words(str(value), None)


def _where(text: str, params: Mapping[str, str]) -> str:
    found = params.get("where") or next(iter(_URL.findall(text)), "").rstrip(".:,;")
    return redact_url(found) if found else "…"


def _from_error(exc: PlayerError) -> Reason:
    text = str(exc)
    status = getattr(exc, "status", None)
    if isinstance(status, int):
        protocol = exc.params.get("protocol", "HTTP")
        return Reason.of(
            ReasonCode.HTTP_STATUS, protocol=protocol, status=status, where=_where(text, exc.params)
        )
    code = _BY_CODE.get(exc.code)
    if code is not None:
        return _with_fields(code, text, exc.params)
    if exc.code in _STATUS_CODES or exc.code in (
        ErrorCode.SERVER_ERROR,
        ErrorCode.REQUEST_REJECTED,
    ):
        shown = _STATUS.search(text)
        return Reason.of(
            ReasonCode.HTTP_STATUS,
            protocol=exc.params.get("protocol", "HTTP"),
            status=shown.group(2) if shown else _STATUS_CODES.get(exc.code, "…"),
            where=_where(text, exc.params),
        )
    return _from_words(text, exc.kind, exc.params)


def _with_fields(code: ReasonCode, text: str, params: Mapping[str, str]) -> Reason:
    wanted = needs(code)
    values: dict[str, str] = {}
    if "where" in wanted:
        values["where"] = _where(text, params)
    if "line" in wanted:
        values["line"] = params.get("line", "…")
    return Reason(code, values)


def _from_errno(number: int, text: str) -> Reason:
    socket = code_for_socket_error("", number)
    if socket is not None:
        # NETWORK is the family's general code, so it has no entry by code
        return _with_fields(_BY_CODE.get(socket, ReasonCode.NETWORK), text, {})
    if number == errno.ENOENT:
        return Reason(ReasonCode.FILE_NOT_FOUND)
    if number in (errno.EACCES, errno.EPERM):
        return Reason(ReasonCode.FILE_NO_PERMISSION)
    return Reason(ReasonCode.FILE_UNREADABLE)


def _from_words(text: str, family: str | None, params: Mapping[str, str] | None = None) -> Reason:
    """What another library's (or a plain error's) words say, by the words
    known to name a reason; else by the error's family."""
    params = params or {}
    socket = code_for_socket_error(text)
    if socket is not None:
        return _with_fields(_BY_CODE[socket], text, params)
    shown = _STATUS.search(text)
    if shown:
        return Reason.of(
            ReasonCode.HTTP_STATUS,
            protocol=shown.group(1),
            status=shown.group(2),
            where=_where(text, params),
        )
    lowered = text.lower()
    for words, code in _WORDS:
        if any(w in lowered for w in words):
            return _with_fields(code, text, params)
    by_family = _FAMILY.get(family or "")
    if by_family is not None:
        return _with_fields(by_family, text, params)
    if _URL.search(text):
        return _with_fields(ReasonCode.NETWORK, text, params)
    log.info("a warning's reason names nothing known: %s", redact(text))
    return Reason(ReasonCode.UNEXPECTED)
