"""Process-wide start-up choices that belong to the application, not to the
engine as a library: ``player.cli`` (the ``heureum`` command, headless and
window alike) imports this before anything else. A program that embeds the
engine (``import player``) keeps the standard library as it is."""

from __future__ import annotations

from . import dataclass_speed

# before the first of the application's dataclasses is made
dataclass_speed.install()
