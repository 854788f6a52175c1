"""Sources own protocols: ``open_source`` picks one for a URL."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..clock import Clock
from ..config import PlayerConfig
from ..events import Event
from ..source_api import Source
from .urls import Target, classify

if TYPE_CHECKING:
    from ..hls.head_start import HeadStart

__all__ = ["Target", "classify", "make_source"]


def make_source(
    target: Target,
    config: PlayerConfig,
    clock: Clock,
    emit: Callable[[Event], None],
    head_start: HeadStart | None = None,
) -> Source:
    """A Source for ``target``: our own HLS engine for HLS, libavformat
    otherwise. ``head_start``: the first playlist's request, made as the
    open began (closed here when it is not for ``target``)."""
    if head_start is not None and (target.family != "hls" or head_start.url != target.url):
        head_start.close()
        head_start = None
    if target.family == "hls":
        from ..hls.hls_source import HlsSource

        hls: Source = HlsSource(
            target.url, config=config, clock=clock, emit=emit, head_start=head_start
        )
        return hls
    # Imported per family so that an HLS start compiles and runs only the
    # modules it plays with (each module costs start-up time).
    from .libav import LibavSource

    return LibavSource(target, config, clock, emit)
