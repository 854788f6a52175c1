"""What the Korean translation file holds, for tests that check every code
of a closed set (errors, warnings, reasons) has words in both languages."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

__all__ = ["HANGUL", "TS", "finished_translations"]

TS = Path(__file__).resolve().parents[2] / "resources" / "i18n" / "heureum_ko.ts"
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def finished_translations(context: str) -> dict[str, str]:
    """source -> finished translation, in ``context`` of the .ts file."""
    found: dict[str, str] = {}
    for element in ET.parse(TS).getroot().iter("context"):
        if element.findtext("name") != context:
            continue
        for message in element.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            if translation.get("type") in (None, ""):
                found[message.findtext("source") or ""] = translation.text or ""
    return found
