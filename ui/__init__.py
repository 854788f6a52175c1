"""Heureum's desktop window: a thin PySide6 layer over the ``player`` engine.

No protocol, timing or decoding logic lives here: the engine decides when a
frame is shown (``VideoSink.present``) and reports everything else by events,
which ``ui.bridge`` turns into queued Qt signals.
"""
