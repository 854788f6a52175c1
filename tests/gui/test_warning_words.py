"""A warning reads in the window's language down to its reason: with Korean
installed, the warning's template and the reason inside it are both
Korean, the reason's data (a URL, a status) kept as it is; back in
English, the engine's own words."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from player.events import Reconnecting, WarningRaised
from player.fetch import HttpStatusError
from player.warning_reasons import DATA_FIELDS, Reason, ReasonCode, needs
from player.warning_text import WarningCode
from ui.error_text import reconnecting_reason, warning_message
from ui.i18n import install_language

HANGUL = re.compile(r"[\uac00-\ud7a3]")
#: a value for every data field a reason may name
SAMPLE = {
    "where": "http://h/x.ts",
    "protocol": "HTTP",
    "status": "503",
    "line": "12",
    "sequence": "41",
    "behind": "9.5",
    "target": "3",
    "devices": "vaapi",
    "codec": "hevc",
}


@pytest.fixture
def korean(qapp: QApplication) -> Iterator[None]:
    assert install_language(qapp, "ko") == "ko"
    try:
        yield
    finally:
        install_language(qapp, "en")


def test_a_warnings_reason_is_korean_with_its_data_kept(korean: None) -> None:
    event = WarningRaised.of(
        WarningCode.SEGMENT_SKIPPED,
        {"sequence": 7, "reason": HttpStatusError(404, "http://h/s7.ts"), "duration": "2.0"},
    )
    shown = warning_message(event)
    assert "HTTP 404" in shown and "http://h/s7.ts" in shown
    # neither the warning's English words nor the reason's
    assert "skipped" not in shown and " from " not in shown
    reason_ko = shown[shown.index("(") + 1 : shown.index(")")]
    assert HANGUL.search(reason_ko), shown


@pytest.mark.parametrize("code", list(ReasonCode))
def test_every_reason_reads_in_korean_inside_a_warning(korean: None, code: ReasonCode) -> None:
    assert set(SAMPLE) == DATA_FIELDS
    reason = Reason(code, {name: SAMPLE[name] for name in needs(code)})
    event = WarningRaised.of(WarningCode.BAD_SEGMENT, {"reason": reason})
    shown = warning_message(event)
    assert reason.english() not in shown, shown
    assert HANGUL.search(shown)
    # the reason's data is there as it was given
    assert all(SAMPLE[name] in shown for name in needs(code)), shown


def test_in_english_a_warning_is_the_engines_message(qapp: QApplication) -> None:
    assert install_language(qapp, "en") == "en"
    event = WarningRaised.of(
        WarningCode.VARIANT_FAILED,
        {"variant": 2, "reason": "[Errno 111] Connection refused", "target": 1},
    )
    assert warning_message(event) == event.message
    assert event.message == "variant 2 failed (connection refused by …); trying variant 1"


def test_a_lost_connections_reason_reads_in_korean_too(korean: None) -> None:
    event = Reconnecting.of(2, 1.5, ConnectionRefusedError(111, "Connection refused"))
    assert event.reason_code == ReasonCode.CONNECTION_REFUSED.value
    assert "refused" in event.reason  # the log and the command line keep the words
    shown = reconnecting_reason(event)
    assert HANGUL.search(shown) and "refused" not in shown, shown
    # a reason outside the set: its own words, never nothing
    odd = Reconnecting(attempt=1, delay=1.0, reason="the moon is down")
    assert reconnecting_reason(odd) == "the moon is down"
