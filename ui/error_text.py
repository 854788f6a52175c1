"""Error and warning text in the UI's language: the engine names what
happened with a code from a closed set; this translates that code's
template (Qt Linguist contexts ``ErrorText`` and ``WarningText``) and fills
in the event's own fields."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from player import warning_text
from player.error_text import CONTEXT, TEMPLATES, ErrorCode, fields, render, render_template
from player.events import ErrorOccurred, Reconnecting, WarningRaised
from player.warning_reasons import REASONS, Reason, ReasonCode

__all__ = ["error_message", "reconnecting_reason", "warning_message"]


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


def warning_message(event: WarningRaised) -> str:
    """``event``'s text in the installed language; the engine's English text
    for a code outside the set or an event without its template's fields."""
    try:
        code = warning_text.WarningCode(event.code)
    except ValueError:
        return event.message
    english = warning_text.TEMPLATES[code]
    params = dict(event.params)
    if not fields(english) <= params.keys():
        return event.message
    translated = QCoreApplication.translate(warning_text.CONTEXT, english)
    if fields(translated) != fields(english):
        translated = english
    if "reason" in params:
        params["reason"] = _reason(event, params["reason"])
    return render_template(translated, params)


def reconnecting_reason(event: Reconnecting) -> str:
    """Why the connection was lost, in the installed language."""
    return _reason(event, event.reason)


def _reason(event: WarningRaised | Reconnecting, english: str) -> str:
    """The warning's reason in the installed language (its English words
    for a code outside the set)."""
    try:
        code = ReasonCode(event.reason_code)
    except ValueError:
        return english
    reason = Reason(code, dict(event.reason_params))
    source = REASONS[code]
    translated = QCoreApplication.translate(warning_text.CONTEXT, source)
    return reason.render(translated if fields(translated) == fields(source) else source)
