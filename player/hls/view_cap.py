"""Capping automatic rung choices to the size of the view (hls.js's
``capLevelToPlayerSize``): fetching more pixels than the view shows only
costs bandwidth."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

__all__ = ["covering_rung", "pinned_rung"]


def covering_rung(sizes: Sequence[tuple[int | None, int | None]], view: tuple[int, int]) -> int:
    """The highest index allowed for a view of ``view`` (width, height) device
    pixels, given each rung's (width, height) from lowest to highest bitrate.

    That is the first rung that covers the view in either dimension, so the
    picture is never upscaled from less than the view shows, and a
    letterboxed view (a wide window over a short picture) is capped by the
    dimension that limits the picture. Of several rungs with that same size,
    the richest is allowed. Rungs without a RESOLUTION do not cap; with no
    covering rung, the top one is allowed."""
    width, height = view
    for w, h in sizes:
        if w is not None and h is not None and (w >= width or h >= height):
            return max(j for j, size in enumerate(sizes) if size == (w, h))
    return len(sizes) - 1


class _Rung(Protocol):
    @property
    def height(self) -> int | None: ...
    @property
    def bandwidth(self) -> int: ...


def pinned_rung(ladder: Sequence[_Rung], max_height: int) -> int:
    """The position in ``ladder`` of the tallest rung at or under
    ``max_height`` lines (the richest of equal heights), else of the lowest
    bandwidth: the same rung for every stream a tester compares."""
    under = [i for i, v in enumerate(ladder) if v.height is not None and v.height <= max_height]
    if under:
        return max(under, key=lambda i: (ladder[i].height or 0, ladder[i].bandwidth))
    return min(range(len(ladder)), key=lambda i: ladder[i].bandwidth) if ladder else 0
