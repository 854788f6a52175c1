"""``HlsConfig``: the HLS engine's own settings (beside ``PlayerConfig``)."""

from __future__ import annotations

from dataclasses import dataclass

from .penalty_box import DEFAULT_PENALTY_S
from .playlist import MAX_SEGMENTS

__all__ = ["HlsConfig"]


@dataclass(frozen=True)
class HlsConfig:
    max_segments: int = MAX_SEGMENTS
    max_segment_bytes: int = 64 * 1024 * 1024
    #: seconds fetched ahead of the play position; None: ``BufferConfig.max_seconds``
    buffer_target: float | None = None
    stuck_factor: float = 3.0
    max_timeline_entries: int = 20_000
    #: consecutive segments that fail to demux before the error is fatal
    max_bad_segments: int = 3
    #: consecutive segments that fail to load from every variant and copy (VOD,
    #: or live behind the edge), each skipped as a gap, before the error is
    #: fatal (no progress is made)
    max_failed_segments: int = 3
    #: seconds a segment transfer has delivered for (from its first byte) before
    #: its rate is judged (slow-segment)
    slow_after: float = 2.0
    #: seconds a variant whose segment failed on every copy stays out of the
    #: ABR's choices before it is re-admitted (``penalty_box``)
    variant_penalty: float = DEFAULT_PENALTY_S
    #: LL-HLS: fetch partial segments (and preload hints) at the live edge and
    #: aim for PART-HOLD-BACK, when the playlist offers them (hls.js's default)
    low_latency: bool = True
    #: ask for playlist delta updates (_HLS_skip=YES) when CAN-SKIP-UNTIL allows
    delta_updates: bool = True
    #: live: seconds the fetch position may fall behind the target latency
    #: before it jumps ahead to it (None: ``live.max_live_lag``'s default)
    max_live_lag: float | None = None
