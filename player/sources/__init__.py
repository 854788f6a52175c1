"""Sources own protocols: ``open_source`` picks one for a URL."""

from __future__ import annotations

from collections.abc import Callable

from ..clock import Clock
from ..config import PlayerConfig
from ..events import Event
from ..source_api import Source
from .urls import Target, classify

__all__ = ["Target", "classify", "make_source"]


def make_source(
    target: Target, config: PlayerConfig, clock: Clock, emit: Callable[[Event], None]
) -> Source:
    """A Source for ``target``: our own HLS engine for HLS, libavformat otherwise."""
    if target.family == "hls":
        from ..hls.hls_source import HlsSource

        hls: Source = HlsSource(target.url, config=config, clock=clock, emit=emit)
        return hls
    # Imported per family so that an HLS start compiles and runs only the
    # modules it plays with (each module costs start-up time).
    from .libav import LibavSource

    return LibavSource(target, config, clock, emit)
