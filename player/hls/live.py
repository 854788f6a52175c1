"""Live playlist timing (RFC 8216 §6.3.4, §6.3.3): when to reload, where to
start, when a playlist is stuck. Pure: times come in as arguments."""

from __future__ import annotations

from dataclasses import dataclass

from .playlist import MediaPlaylist

__all__ = ["LiveReloader", "live_start_index", "target_latency"]


def target_latency(pl: MediaPlaylist, low_latency: bool = True) -> float:
    """How far behind the live edge to play: PART-HOLD-BACK in low-latency mode,
    else HOLD-BACK, else 3 target durations."""
    sc = pl.server_control
    if low_latency and sc.part_hold_back is not None and pl.part_target is not None:
        return sc.part_hold_back
    if sc.hold_back is not None:
        return sc.hold_back
    return 3 * pl.target_duration


def live_start_index(pl: MediaPlaylist, low_latency: bool = False) -> int:
    """Index into ``pl.segments`` to start a live stream at."""
    if not pl.segments:
        return 0
    if pl.start_offset is not None:
        offset = pl.start_offset
        total = pl.duration
        position = offset if offset >= 0 else total + offset
        position = max(0.0, min(position, total))
        for i, s in enumerate(pl.segments):
            if s.end > position:
                return i
        return len(pl.segments) - 1
    hold = target_latency(pl, low_latency)
    acc = 0.0
    for i in range(len(pl.segments) - 1, -1, -1):
        acc += pl.segments[i].duration
        if acc >= hold:
            return i
    return 0


@dataclass
class LiveReloader:
    """Reload delays and stuck detection for one live media playlist.

    After a reload that changed the playlist, wait one target duration (or one
    part target in LL-HLS); after an unchanged one, half of it. A playlist
    whose last segment has not advanced for ``stuck_factor`` target durations
    is stuck (Exo uses 3.5; the anchors 3).
    """

    stuck_factor: float = 3.0
    min_delay: float = 0.1
    _last_seq: float | None = None
    _last_change: float | None = None
    _changed: bool = True

    def update(self, pl: MediaPlaylist, now: float) -> bool:
        """Record a reload; returns whether the playlist advanced."""
        seq = pl.last_sequence + (len(pl.trailing_parts) / 1000.0 if pl.trailing_parts else 0)
        changed = self._last_seq is None or seq != self._last_seq
        if changed:
            self._last_change = now
        self._last_seq = seq
        self._changed = changed
        return changed

    def delay(self, pl: MediaPlaylist) -> float:
        base = pl.part_target if pl.part_target else pl.target_duration
        return max(self.min_delay, base if self._changed else base / 2)

    def stuck(self, pl: MediaPlaylist, now: float) -> bool:
        if pl.endlist or self._last_change is None:
            return False
        return now - self._last_change > self.stuck_factor * pl.target_duration
