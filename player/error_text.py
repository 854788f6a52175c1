"""What every error a user can meet says: a closed set of error codes, each
with one English template naming what happened and what to try.

The templates are the source texts of the UI's translations (Qt Linguist
context ``ErrorText``): ``pyside6-lupdate`` reads them from this file through
the ``QT_TRANSLATE_NOOP`` marker below, which is a plain function (the engine
never imports Qt). Fields in braces are filled with the error's parameters;
a translation keeps the same fields.
"""

from __future__ import annotations

import enum
import string
from collections.abc import Mapping

__all__ = ["CONTEXT", "TEMPLATES", "ErrorCode", "fields", "render", "render_template"]

# the translation context of the templates
CONTEXT = "ErrorText"


# The name is the one lupdate reads.
def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Marks ``text`` for translation in ``context``; returns it unchanged."""
    return text


class ErrorCode(enum.StrEnum):
    """Every error the engine reports, by what happened (the report's ``code``)."""

    # a local file
    FILE_NOT_FOUND = "file_not_found"
    FILE_IS_FOLDER = "file_is_folder"
    FILE_NO_PERMISSION = "file_no_permission"
    FILE_READ_FAILED = "file_read_failed"
    FILE_CUT_SHORT = "file_cut_short"
    # the network and the server
    CONNECTION_REFUSED = "connection_refused"
    HOST_NOT_FOUND = "host_not_found"
    TIMEOUT = "timeout"
    CONNECTION_LOST = "connection_lost"
    STREAM_CUT_SHORT = "stream_cut_short"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    UNAUTHORIZED = "unauthorized"
    SERVER_ERROR = "server_error"
    REQUEST_REJECTED = "request_rejected"
    RECONNECT_FAILED = "reconnect_failed"
    NETWORK = "network"
    # the data
    NOT_MEDIA = "not_media"
    NO_STREAMS = "no_streams"
    ENDED_EARLY = "ended_early"
    PLAYLIST = "playlist"
    PLAYLIST_LINE = "playlist_line"
    FORMAT = "format"
    CORRUPT_VIDEO = "corrupt_video"
    CORRUPT_AUDIO = "corrupt_audio"
    DECODE = "decode"
    # what Heureum does not play
    NO_URL = "no_url"
    UNSUPPORTED_SCHEME = "unsupported_scheme"
    REMOTE_FILE_URL = "remote_file_url"
    NO_HOST = "no_host"
    NO_DECODER = "no_decoder"
    TOO_LARGE = "too_large"
    UNSUPPORTED = "unsupported"
    NO_SUCH_VARIANT = "no_such_variant"
    # what Heureum refuses
    TLS_UNTRUSTED = "tls_untrusted"
    TLS_REJECTED = "tls_rejected"
    REDIRECT_REFUSED = "redirect_refused"
    PROTOCOL_REFUSED = "protocol_refused"
    SECURITY = "security"
    # a bug
    INTERNAL = "internal"


TEMPLATES: Mapping[ErrorCode, str] = {
    ErrorCode.FILE_NOT_FOUND: QT_TRANSLATE_NOOP(
        "ErrorText",
        "File not found: {where}. Check the name and the folder; the file may have been "
        "moved or deleted.",
    ),
    ErrorCode.FILE_IS_FOLDER: QT_TRANSLATE_NOOP(
        "ErrorText",
        "This is a folder, not a media file: {where}. Open a video or audio file in it.",
    ),
    ErrorCode.FILE_NO_PERMISSION: QT_TRANSLATE_NOOP(
        "ErrorText",
        "Permission denied reading {where}. Ask for read access to the file, or copy it to "
        "a folder of your own.",
    ),
    ErrorCode.FILE_READ_FAILED: QT_TRANSLATE_NOOP(
        "ErrorText",
        "The file could not be read (input/output error): {where}. The disk or the file may "
        "be damaged; copy it again and retry.",
    ),
    ErrorCode.FILE_CUT_SHORT: QT_TRANSLATE_NOOP(
        "ErrorText",
        "The file ends before its media begins: {where}. It is cut short or still "
        "downloading; wait for the download to finish, or get the file again.",
    ),
    ErrorCode.CONNECTION_REFUSED: QT_TRANSLATE_NOOP(
        "ErrorText",
        "Connection refused: nothing is listening at {where}. Check the address and the "
        "port, and that the server is running.",
    ),
    ErrorCode.HOST_NOT_FOUND: QT_TRANSLATE_NOOP(
        "ErrorText",
        "The server's name could not be found: {where}. Check the address for typos, and "
        "that this computer is online.",
    ),
    ErrorCode.TIMEOUT: QT_TRANSLATE_NOOP(
        "ErrorText",
        "The server did not answer in time: {where}. Check your network connection, or try "
        "again later.",
    ),
    ErrorCode.CONNECTION_LOST: QT_TRANSLATE_NOOP(
        "ErrorText",
        "The connection was lost while reading {where}. Check your network connection and "
        "open it again.",
    ),
    ErrorCode.STREAM_CUT_SHORT: QT_TRANSLATE_NOOP(
        "ErrorText",
        "The data ends before its media begins: {where}. The file on the server may be cut "
        "short, or the server closed the connection early; try again later.",
    ),
    ErrorCode.NOT_FOUND: QT_TRANSLATE_NOOP(
        "ErrorText",
        "The server has no stream at this address ({protocol} 404): {where}. Check the "
        "address; the link may be wrong or expired.",
    ),
    ErrorCode.FORBIDDEN: QT_TRANSLATE_NOOP(
        "ErrorText",
        "The server refused access ({protocol} 403): {where}. You may need permission, or a "
        "fresh link.",
    ),
    ErrorCode.UNAUTHORIZED: QT_TRANSLATE_NOOP(
        "ErrorText",
        "The server asks for a login ({protocol} 401): {where}. Put the user name and "
        "password in the address, as scheme://user:password@host/path.",
    ),
    ErrorCode.SERVER_ERROR: QT_TRANSLATE_NOOP(
        "ErrorText",
        "The server failed ({protocol} 5xx): {where}. The fault is on the server; try again later.",
    ),
    ErrorCode.REQUEST_REJECTED: QT_TRANSLATE_NOOP(
        "ErrorText",
        "The server rejected the request ({protocol} 4xx): {where}. Check the address.",
    ),
    ErrorCode.RECONNECT_FAILED: QT_TRANSLATE_NOOP(
        "ErrorText",
        "Gave up reconnecting after {attempts} attempts. The last try said: {reason}",
    ),
    ErrorCode.NETWORK: QT_TRANSLATE_NOOP(
        "ErrorText",
        "A network problem stopped playback: {detail}. Check your network connection and "
        "open the stream again.",
    ),
    ErrorCode.NOT_MEDIA: QT_TRANSLATE_NOOP(
        "ErrorText",
        "Not a playable media stream (the data is not in a known format): {where}. Check "
        "that the address points to a video or audio file, not to a web page.",
    ),
    ErrorCode.NO_STREAMS: QT_TRANSLATE_NOOP(
        "ErrorText", "No audio or video in {where}. It holds no track that Heureum can play."
    ),
    ErrorCode.ENDED_EARLY: QT_TRANSLATE_NOOP(
        "ErrorText",
        "The stream ended early, at {reached} s of {expected} s (the file may be truncated). "
        "Get it again if it should be longer.",
    ),
    ErrorCode.PLAYLIST: QT_TRANSLATE_NOOP(
        "ErrorText",
        "Bad playlist: {reason}. The stream's playlist is broken; try again later, or tell "
        "its publisher.",
    ),
    ErrorCode.PLAYLIST_LINE: QT_TRANSLATE_NOOP(
        "ErrorText",
        "Bad playlist (line {line}): {reason}. The stream's playlist is broken; try again "
        "later, or tell its publisher.",
    ),
    ErrorCode.FORMAT: QT_TRANSLATE_NOOP(
        "ErrorText",
        "The stream cannot be played: {detail}. The data is damaged, or in a form Heureum "
        "does not play.",
    ),
    ErrorCode.CORRUPT_VIDEO: QT_TRANSLATE_NOOP(
        "ErrorText",
        "Corrupt video data at {position} s: some frames could not be decoded (playback "
        "continues). If this happens often, the source is damaged.",
    ),
    ErrorCode.CORRUPT_AUDIO: QT_TRANSLATE_NOOP(
        "ErrorText",
        "Corrupt audio data at {position} s: some sound could not be decoded (playback "
        "continues). If this happens often, the source is damaged.",
    ),
    ErrorCode.DECODE: QT_TRANSLATE_NOOP(
        "ErrorText", "The media could not be decoded: {detail}. The data may be damaged."
    ),
    ErrorCode.NO_URL: QT_TRANSLATE_NOOP(
        "ErrorText", "No URL or file given. Type an address or choose a file."
    ),
    ErrorCode.UNSUPPORTED_SCHEME: QT_TRANSLATE_NOOP(
        "ErrorText",
        "Unsupported URL scheme '{scheme}:' in {where}. Heureum opens http(s), rtsp(s) and "
        "rtmp(s) addresses and local files.",
    ),
    ErrorCode.REMOTE_FILE_URL: QT_TRANSLATE_NOOP(
        "ErrorText",
        "Remote file URLs are not supported: {where}. Copy the file to this computer, or "
        "open it over http(s).",
    ),
    ErrorCode.NO_HOST: QT_TRANSLATE_NOOP(
        "ErrorText", "The URL has no host name: {where}. Check the address."
    ),
    ErrorCode.NO_DECODER: QT_TRANSLATE_NOOP(
        "ErrorText",
        "No decoder for this codec: {where}. Heureum cannot play this format; open another "
        "version of the media.",
    ),
    ErrorCode.TOO_LARGE: QT_TRANSLATE_NOOP(
        "ErrorText",
        "The video is {width}x{height}, larger than the {limit} pixel limit. Open a smaller "
        "version of the stream.",
    ),
    ErrorCode.UNSUPPORTED: QT_TRANSLATE_NOOP(
        "ErrorText",
        "Heureum cannot play this: {detail}. Open another version of the media, or another "
        "address.",
    ),
    ErrorCode.NO_SUCH_VARIANT: QT_TRANSLATE_NOOP(
        "ErrorText",
        "This stream has no variant {variant}: it has {count}, numbered 0 (the lowest "
        "bitrate) to {last}. Pick one of those, or leave the choice to the player.",
    ),
    ErrorCode.TLS_UNTRUSTED: QT_TRANSLATE_NOOP(
        "ErrorText",
        "The server's TLS certificate is not trusted ({reason}): {where}. Check the address; "
        "the connection may not be private.",
    ),
    ErrorCode.TLS_REJECTED: QT_TRANSLATE_NOOP(
        "ErrorText",
        "The server's TLS certificate was not accepted: {where}. Check the address, and this "
        "computer's date and time.",
    ),
    ErrorCode.REDIRECT_REFUSED: QT_TRANSLATE_NOOP(
        "ErrorText",
        "Refused to follow where the server sent us (a redirect to another protocol, such as "
        "file:, is never followed): {where}. Open the final address yourself if you trust it.",
    ),
    ErrorCode.PROTOCOL_REFUSED: QT_TRANSLATE_NOOP(
        "ErrorText",
        "Refused to follow {where} to a protocol outside its own family ({detail}). Open the "
        "final address yourself if you trust it.",
    ),
    ErrorCode.SECURITY: QT_TRANSLATE_NOOP(
        "ErrorText", "Refused for your safety: {detail}. Open the media from a source you trust."
    ),
    ErrorCode.INTERNAL: QT_TRANSLATE_NOOP(
        "ErrorText",
        "Internal error: {detail}. This is a bug in Heureum; please report it with the log.",
    ),
}


def fields(template: str) -> set[str]:
    """The names in braces that ``template`` needs."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def render(code: ErrorCode, params: Mapping[str, str], template: str | None = None) -> str:
    """``code``'s template (or a translation of it) filled with ``params``;
    a field without a value reads as an ellipsis rather than failing."""
    return render_template(TEMPLATES[code] if template is None else template, params)


def render_template(text: str, params: Mapping[str, str]) -> str:
    """``text`` with its fields filled from ``params`` (an ellipsis for a missing one)."""
    values = {name: params.get(name, "…") for name in fields(text)}
    return text.format_map(values)
