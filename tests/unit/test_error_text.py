"""Every error a user can meet: a closed set of codes, each with English words
saying what happened and what to try, and a Korean translation of them."""

from __future__ import annotations

import errno
import re

import pytest

from player.error_text import CONTEXT, TEMPLATES, ErrorCode, fields, render
from player.errors import (
    FAMILY_OF,
    FileError,
    NetworkError,
    PlaylistError,
    code_for_socket_error,
    code_for_status,
    error_for,
)
from tests.support.translations import HANGUL, finished_translations


def _korean() -> dict[str, str]:
    return finished_translations(CONTEXT)


def test_every_code_has_words_in_english_and_korean() -> None:
    korean = _korean()
    assert set(TEMPLATES) == set(ErrorCode) == set(FAMILY_OF)
    missing = [code.value for code in ErrorCode if TEMPLATES[code] not in korean]
    assert missing == [], "no Korean for these codes (python -m ui.i18n update, then translate)"
    for code in ErrorCode:
        english = TEMPLATES[code]
        translated = korean[english]
        assert HANGUL.search(translated), code
        # Both say the same things about the same error.
        assert fields(translated) == fields(english), code
        # What happened, then what to try (the reconnect error quotes the last
        # error's own words, advice included).
        if code is not ErrorCode.RECONNECT_FAILED:
            assert re.search(r"\. [A-Z]", english), f"{code}: {english}"
            assert "Errno" not in english


def test_every_code_is_raised_as_its_family() -> None:
    for code in ErrorCode:
        params = {name: "7" if name == "line" else "x" for name in fields(TEMPLATES[code])}
        error = error_for(code, **params)
        assert error.code is code and error.kind == FAMILY_OF[code]
        assert error.text == render(code, error.params)
        assert "…" not in error.text  # every field filled


def test_a_plain_message_gets_its_familys_words() -> None:
    raw = NetworkError("no HLS data for 5 s from http://h/x.m3u8.")
    assert str(raw) == "no HLS data for 5 s from http://h/x.m3u8."  # what the raiser wrote
    assert raw.code is ErrorCode.NETWORK
    assert raw.text == (
        "A network problem stopped playback: no HLS data for 5 s from http://h/x.m3u8. "
        "Check your network connection and open the stream again."
    )
    missing = FileError(code=ErrorCode.FILE_NOT_FOUND, where="/m/a.mp4")
    assert missing.kind == "file" and str(missing) == missing.text
    assert missing.text.startswith("File not found: /m/a.mp4. Check")


def test_playlist_errors_keep_their_line() -> None:
    error = PlaylistError("bad RESOLUTION 'x'", 7)
    assert str(error) == "Bad playlist (line 7): bad RESOLUTION 'x'"
    assert error.code is ErrorCode.PLAYLIST_LINE and error.params["line"] == "7"
    assert error.text.startswith("Bad playlist (line 7): bad RESOLUTION 'x'. The stream's")
    assert PlaylistError("empty").code is ErrorCode.PLAYLIST


@pytest.mark.parametrize(
    ("status", "code"),
    [(404, "not_found"), (403, "forbidden"), (401, "unauthorized"), (503, "server_error"),
     (410, "request_rejected")],
)  # fmt: skip
def test_status_codes(status: int, code: str) -> None:
    assert code_for_status(status) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("[Errno 111] Connection refused", ErrorCode.CONNECTION_REFUSED),
        ("[Errno -2] Name or service not known", ErrorCode.HOST_NOT_FOUND),
        ("Failed to resolve hostname nowhere.invalid", ErrorCode.HOST_NOT_FOUND),
        ("Connection timed out", ErrorCode.TIMEOUT),
        ("[Errno 104] Connection reset by peer", ErrorCode.CONNECTION_LOST),
        ("Input/output error", None),
    ],
)
def test_socket_errors(text: str, code: ErrorCode | None) -> None:
    assert code_for_socket_error(text) == code


@pytest.mark.parametrize(
    ("number", "code"),
    [
        (errno.ECONNREFUSED, ErrorCode.CONNECTION_REFUSED),
        (errno.ENETUNREACH, ErrorCode.NETWORK),
        (errno.ECONNRESET, ErrorCode.CONNECTION_LOST),
        (errno.ETIMEDOUT, ErrorCode.TIMEOUT),
    ],
)
def test_a_socket_errno_names_the_failure_in_any_language(number: int, code: ErrorCode) -> None:
    # a machine in another locale words it its own way; the errno still says
    assert code_for_socket_error(f"[Errno {number}] Verbindungsaufbau abgelehnt", number) == code


def test_an_errno_that_is_not_a_sockets_falls_back_to_the_words() -> None:
    assert code_for_socket_error("Connection refused", errno.ENOENT) == ErrorCode.CONNECTION_REFUSED
    assert code_for_socket_error("Input/output error", errno.EIO) is None
