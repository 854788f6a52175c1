"""Error text in the UI's language: the engine names what happened with a
code from a closed set; this translates that code's template (Qt Linguist
context ``ErrorText``) and fills in the error's own fields."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from player.error_text import CONTEXT, TEMPLATES, ErrorCode, fields, render
from player.events import ErrorOccurred

__all__ = ["error_message"]


def error_message(event: ErrorOccurred) -> str:
    """``event``'s text in the installed language; the engine's English text
    when the event does not carry what its code's template needs."""
    try:
        code = ErrorCode(event.code)
    except ValueError:
        return event.message
    english = TEMPLATES[code]
    params = dict(event.params)
    if not fields(english) <= params.keys():
        return event.message
    translated = QCoreApplication.translate(CONTEXT, english)
    if fields(translated) != fields(english):
        translated = english  # a translation that drops a field would lose what happened
    return render(code, params, translated)
