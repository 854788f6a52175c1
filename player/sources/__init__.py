"""Sources own protocols: ``open_source`` picks one for a URL."""

from __future__ import annotations

from collections.abc import Callable

from ..clock import Clock
from ..config import PlayerConfig
from ..events import Event
from ..fetch import Fetcher
from ..source_api import Source
from .urls import Target, classify

__all__ = ["Target", "classify", "make_source"]


def make_source(
    target: Target,
    config: PlayerConfig,
    clock: Clock,
    emit: Callable[[Event], None],
    fetcher: Fetcher | None = None,
) -> Source:
    """A Source for ``target``: our own HLS engine for HLS, libavformat
    otherwise. ``fetcher`` (HLS only) may hold a request already under way."""
    if target.family == "hls":
        from ..hls.hls_source import HlsSource

        hls: Source = HlsSource(target.url, config=config, clock=clock, emit=emit, fetcher=fetcher)
        return hls
    if fetcher is not None:
        fetcher.close()
    # Imported per family so that an HLS start compiles and runs only the
    # modules it plays with (each module costs start-up time).
    from .libav import LibavSource

    return LibavSource(target, config, clock, emit)
