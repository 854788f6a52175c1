"""Every warning a user can meet: a closed set of codes, each with English
words and a Korean translation of them that names the same fields; every
code is raised somewhere in the engine, and only through its code."""

from __future__ import annotations

import re
from pathlib import Path

from player.events import WarningRaised
from player.warning_text import CONTEXT, TEMPLATES, WarningCode, needs, render
from tests.support.translations import HANGUL, finished_translations

ROOT = Path(__file__).resolve().parents[2]


def _korean() -> dict[str, str]:
    return finished_translations(CONTEXT)


def test_every_warning_has_words_in_english_and_korean() -> None:
    korean = _korean()
    assert set(TEMPLATES) == set(WarningCode)
    missing = [code.value for code in WarningCode if TEMPLATES[code] not in korean]
    assert missing == [], "no Korean for these codes (python -m ui.i18n update, then translate)"
    for code in WarningCode:
        english = TEMPLATES[code]
        assert HANGUL.search(korean[english]), code
        # both say the same things about the same warning
        assert needs(code) == set(re.findall(r"\{(\w+)\}", korean[english])), code
        assert "Errno" not in english


def test_every_code_is_raised_by_the_engine_and_no_warning_goes_around_them() -> None:
    sources = {
        p: p.read_text(encoding="utf-8")
        for p in (ROOT / "player").rglob("*.py")
        if p.name != "warning_text.py"
    }
    text = "\n".join(sources.values())
    unused = [c.name for c in WarningCode if f"WarningCode.{c.name}" not in text]
    assert unused == []
    # a warning made by hand (a code string, an English message) would not translate
    by_hand = [str(p) for p, s in sources.items() if re.search(r"WarningRaised\(\s*code=", s)]
    assert by_hand == []


def test_a_warning_carries_its_code_its_fields_and_the_english_words() -> None:
    event = WarningRaised.of(
        WarningCode.SEGMENT_SKIPPED,
        {"sequence": 7, "reason": "HTTP 404 from http://u:pw@h/s7.ts", "duration": "2.0"},
        t=3.5,
    )
    assert event.code == "segment-skipped" and event.t == 3.5
    assert event.message == (
        "segment 7 skipped after it failed on every variant (HTTP 404 from http://***@h/s7.ts); "
        "playback goes on past a 2.0 s gap"
    )
    params = dict(event.params)
    assert params["sequence"] == "7" and "pw" not in params["reason"]  # text, redacted
    assert set(params) == needs(WarningCode.SEGMENT_SKIPPED)
    # the words the issue asks for, as before
    slow = WarningRaised.of(WarningCode.SLOW_SEGMENT, {"sequence": 3, "rate": "2.0"})
    assert slow.message == "buffering: segment 3 downloading at 2.0 kB/s"


def test_a_missing_field_reads_as_an_ellipsis() -> None:
    assert render(WarningCode.KEY_OVER_HTTP, {}) == "AES-128 key fetched over plain HTTP: …"
