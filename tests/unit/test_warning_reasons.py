"""Every warning's reason is a code from a closed set with data fields (a
URL, a status, a number), never another library's English words: each code
has English and Korean words that name the same fields, and whatever the
engine has in hand when it warns (one of our errors, an OSError, words)
becomes one of them."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import pytest

from player.clock import ManualClock
from player.error_text import ErrorCode, fields
from player.errors import FormatError, NetworkError, PlaylistError, SecurityError, error_for
from player.events import WarningRaised
from player.fetch import HttpStatusError, PartialTransfer, ResponseTooLarge
from player.hls.slow_transfer import SlowTransfer
from player.warning_reasons import DATA_FIELDS, REASONS, Reason, ReasonCode, needs, reason_for
from player.warning_text import CONTEXT, TEMPLATES, WarningCode
from tests.support.sessions import headless_session
from tests.support.translations import HANGUL, finished_translations

ROOT = Path(__file__).resolve().parents[2]
URL = "http://user:pw@origin.test/v/s007.ts"
SHOWN = "http://***@origin.test/v/s007.ts"


def _korean() -> dict[str, str]:
    return finished_translations(CONTEXT)


def test_every_reason_has_english_and_korean_words_with_the_same_data_fields() -> None:
    korean = _korean()
    assert set(REASONS) == set(ReasonCode)
    missing = [code.value for code in ReasonCode if REASONS[code] not in korean]
    assert missing == [], "no Korean for these reasons (add them to heureum_ko.ts)"
    for code in ReasonCode:
        english = REASONS[code]
        assert HANGUL.search(korean[english]), code
        assert needs(code) == set(re.findall(r"\{(\w+)\}", korean[english])), code
        assert needs(code) <= DATA_FIELDS, code


def test_a_reason_carries_data_fields_only() -> None:
    with pytest.raises(ValueError, match="data fields only"):
        Reason(ReasonCode.NETWORK, {"detail": "[Errno 5] Input/output error"})


@pytest.mark.parametrize(
    ("value", "code", "params"),
    [
        (HttpStatusError(404, URL), ReasonCode.HTTP_STATUS,
         {"protocol": "HTTP", "status": "404", "where": SHOWN}),
        (HttpStatusError(503, URL), ReasonCode.HTTP_STATUS,
         {"protocol": "HTTP", "status": "503", "where": SHOWN}),
        (NetworkError(f"connection refused by {URL}"), ReasonCode.CONNECTION_REFUSED,
         {"where": SHOWN}),
        (NetworkError(f"could not load {URL}: [Errno 111] Connection refused",
                      code=ErrorCode.CONNECTION_REFUSED, where=URL),
         ReasonCode.CONNECTION_REFUSED, {"where": SHOWN}),
        (NetworkError(f"timed out loading {URL} (ReadTimeout)", code=ErrorCode.TIMEOUT, where=URL),
         ReasonCode.TIMED_OUT, {"where": SHOWN}),
        (PartialTransfer(f"could not load {URL}: [Errno 104] Connection reset by peer",
                         b"x", 10, True), ReasonCode.CONNECTION_LOST, {"where": SHOWN}),
        (NetworkError(f"truncated segment: 10 of 20 bytes from {URL}"),
         ReasonCode.TRANSFER_BROKE, {"where": SHOWN}),
        (NetworkError(f"asked {URL} for bytes from 100, got them from 0"),
         ReasonCode.RANGE_IGNORED, {"where": SHOWN}),
        (ResponseTooLarge(f"segment from {URL} is 900 bytes, over the 100 cap"),
         ReasonCode.TOO_LARGE, {"where": SHOWN}),
        (SlowTransfer("segment 7 abandoned: arriving at 2.0 kB/s, too slow to wait for"),
         ReasonCode.TOO_SLOW, {"where": "…"}),
        (PlaylistError("no #EXTM3U header", 1), ReasonCode.BAD_PLAYLIST_LINE, {"line": "1"}),
        (PlaylistError("no segments"), ReasonCode.BAD_PLAYLIST, {}),
        (FormatError("[Errno 1094995529] Invalid data found when processing input"),
         ReasonCode.DAMAGED_MEDIA, {}),
        (SecurityError(f"refusing to fetch a non-http(s) URL: {URL}"),
         ReasonCode.REFUSED_UNSAFE, {"where": SHOWN}),
        (FileNotFoundError(errno.ENOENT, "No such file or directory"),
         ReasonCode.FILE_NOT_FOUND, {}),
        (PermissionError(errno.EACCES, "Permission denied"), ReasonCode.FILE_NO_PERMISSION, {}),
        (OSError(errno.EIO, "Input/output error"), ReasonCode.FILE_UNREADABLE, {}),
        (IsADirectoryError(errno.EISDIR, "Is a directory"), ReasonCode.FILE_UNREADABLE, {}),
        (FormatError("a.txt: no subtitles found (SubRip, WebVTT or ASS expected)"),
         ReasonCode.NOT_SUBTITLES, {}),
        ("audio output is turned off", ReasonCode.AUDIO_OFF, {}),
        ("PortAudio is not available (libportaudio.so.2: cannot open)",
         ReasonCode.NO_PORTAUDIO, {}),
        ("no usable output device (Error querying device -1)", ReasonCode.NO_OUTPUT_DEVICE, {}),
        ("no output", ReasonCode.NO_OUTPUT_DEVICE, {}),
        ("[Errno 541478725] End of file", ReasonCode.UNEXPECTED, {}),
    ],
)  # fmt: skip
def test_what_the_engine_has_in_hand_becomes_a_reason(
    value: object, code: ReasonCode, params: dict[str, str]
) -> None:
    reason = reason_for(value)
    assert reason.code == code
    assert dict(reason.params) == params
    assert "pw" not in reason.english()


def test_every_error_code_becomes_a_reason_with_its_data() -> None:
    """An error of each code (as ``error_for`` makes it) has a reason of its
    own: only the general codes, whose words name nothing, are by family."""
    for code in ErrorCode:
        exc = error_for(code, where=URL, protocol="HTTP", reason="x", line=3, detail="y")
        reason = reason_for(exc)
        assert set(reason.params) <= DATA_FIELDS, code
        # a bug names nothing a user can act on
        assert (reason.code == ReasonCode.UNEXPECTED) == (code == ErrorCode.INTERNAL), code
        assert "pw" not in reason.english()


def test_no_english_free_text_reaches_a_warning() -> None:
    """Every warning with a reason, given another library's words: the event
    carries a reason code and data fields, and its English message is that
    code's words, not the library's."""
    free = "[Errno 5] Input/output error while doing something"
    with_reason = [c for c in WarningCode if "{reason}" in TEMPLATES[c]]
    assert len(with_reason) >= 10
    for code in with_reason:
        event = WarningRaised.of(code, {"reason": free, "sequence": 3, "url": URL})
        assert event.reason_code in set(ReasonCode), code
        reason = Reason(ReasonCode(event.reason_code), dict(event.reason_params))
        assert dict(event.params)["reason"] == reason.english()
        assert "Errno" not in event.message and "while doing" not in event.message
    # and no part of the engine builds a reason out of words of its own
    calls = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "player").rglob("*.py")
        if re.search(r"WarningCode\.\w+[^()]*?reason=f[\"']", p.read_text(encoding="utf-8"))
    ]
    assert calls == []


def test_a_reason_in_a_warning_names_what_happened() -> None:
    event = WarningRaised.of(
        WarningCode.SEGMENT_SKIPPED,
        {"sequence": 7, "reason": HttpStatusError(404, URL), "duration": "2.0"},
    )
    assert event.reason_code == "http-status"
    assert dict(event.reason_params) == {"protocol": "HTTP", "status": "404", "where": SHOWN}
    assert event.message == (
        f"segment 7 skipped after it failed on every variant (HTTP 404 from {SHOWN}); "
        "playback goes on past a 2.0 s gap"
    )
    # a warning without a reason has none
    plain = WarningRaised.of(WarningCode.SLOW_SEGMENT, {"sequence": 3, "rate": "2.0"})
    assert plain.reason_code == "" and plain.reason_params == ()


def test_the_reports_warning_carries_its_reason_as_a_code() -> None:
    session = headless_session(ManualClock())
    session.warn(WarningCode.NO_AUDIO_OUTPUT, reason=OSError(errno.ECONNREFUSED, "refused"))
    (entry,) = session.metrics.snapshot()["warnings"]
    assert entry["code"] == WarningCode.NO_AUDIO_OUTPUT
    assert entry["reason"]["code"] == ReasonCode(entry["reason"]["code"]).value
    assert entry["reason"]["code"] != ReasonCode.UNEXPECTED.value


@pytest.mark.parametrize(
    ("number", "code"),
    [
        (errno.ECONNREFUSED, ReasonCode.CONNECTION_REFUSED),
        (errno.ECONNRESET, ReasonCode.CONNECTION_LOST),
        (errno.ETIMEDOUT, ReasonCode.TIMED_OUT),
        (errno.ENETUNREACH, ReasonCode.NETWORK),
        (errno.ENOENT, ReasonCode.FILE_NOT_FOUND),
    ],
)
def test_a_sockets_errno_is_the_networks_fault_not_a_files(number: int, code: ReasonCode) -> None:
    reason = reason_for(OSError(number, os.strerror(number)))
    assert reason.code == code
    assert fields(REASONS[code]) <= reason.params.keys()  # nothing left blank
