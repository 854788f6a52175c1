"""The read() side of ``HlsSource``: the packet queue the loader fills and
the demux thread drains, how long read() waits for it (a slow download is
not a dead one), and the loader's wait for room in the buffer."""

from __future__ import annotations

import heapq
from collections import deque

from ..errors import NetworkError
from ..redact import redact_url
from ..source_api import DemuxPacket
from .live_edge import OutageWatch
from .loader_state import GRACE, LoaderState
from .segment_demux import dts_key

__all__ = ["PacketQueue"]

#: read timeouts without a byte after which read() gives up, however busy
#: the loader is: one retry of a stalled segment fits, and a dead origin is
#: still one clear error within 10 s (the README's bound)
_STALL_READS = 2


class PacketQueue:
    """Hands out the loader's packets in decode order; ``outage`` lets a
    live outage stretch read()'s patience to the outage's bound."""

    def __init__(self, state: LoaderState, outage: OutageWatch) -> None:
        self._s = state
        self._outage = outage

    def clear_for_seek(self, position: float) -> None:
        """Drop what was queued and point the buffer at ``position`` (the
        loader is cancelled and moved there)."""
        s = self._s
        with s.cond:
            s.generation += 1
            s.rungs_at.clear()
            s.queue.clear()
            s.queued_bytes = 0
            s.seek_request = max(0.0, position)
            s.position = max(0.0, position)
            s.read_pts = None
            s.read_front = None
            s.hold_at = None
            s.fetched_until = max(0.0, position)
            s.ended = False
            s.cancel.set()
            s.cond.notify_all()

    def read(self) -> DemuxPacket | None:
        timeout = self._s.config.network.read_timeout
        if self._s.live and self._s.tracks:
            timeout += 2 * max(t.playlist.target_duration for t in self._s.tracks.values())
        with self._s.cond:
            started = self._s.clock.now()
            while not self._readable_locked():
                if self._s.interrupted:
                    raise NetworkError("reading the HLS stream was interrupted")
                if self._s.error is not None:
                    raise self._s.error
                if self._s.ended and not self._s.queue:
                    return None
                waited = self._s.clock.now() - started
                if not self._s.stalled and self._s.position is not None and waited >= 0.25:
                    self._s.stalled = True
                    self._s.mark("stall", "no segment data ahead of playback")
                # a slow download is not a dead one: the timeout counts from the
                # later of this call, the last bytes the loader received and the
                # end of what it is known to be busy with; a grace lets the
                # loader's own read timeout (the same length) and its retry
                # act first: only the loader knows the segment is being retried
                now = self._s.clock.now()
                last = self._s.progress_at
                # The cap on the busy time counts from the later of the last
                # bytes and the request under way: a VOD loader that waited
                # for room in a full buffer, then met an origin that holds
                # its requests, hit the cap as its request timed out, before
                # it could say it was retrying (a race lost under load).
                since = max(last, self._s.asked_at)
                deadline = max(
                    started + timeout,
                    last + GRACE + timeout,
                    min(self._s.busy_until + timeout, since + _STALL_READS * timeout),
                )
                failing = self._outage.failing_since
                if failing is not None:
                    # a live outage: the loader retries, bounded, and fails itself
                    deadline = max(deadline, failing + self._outage.bound + timeout)
                if now >= deadline:
                    raise NetworkError(
                        f"no HLS data for {timeout:g} s from {redact_url(self._s.url)}"
                    )
                # wakes for anything the checks above read; the timeout
                # paces the stall mark and the idle deadline
                self._s.clock.wait_for(self._s.cond, self._read_wakes_locked, 0.05)
            self._s.stalled = False
            pkt = self._s.queue.popleft()
            self._s.queued_bytes -= pkt.size
            if pkt.pts is not None:
                self._s.read_pts = pkt.pts
            t = pkt.dts if pkt.dts is not None else pkt.pts
            if t is not None and (self._s.read_front is None or t > self._s.read_front):
                self._s.read_front = t
            self._s.cond.notify_all()
            return pkt

    def open_wakes_locked(self) -> bool:
        return (
            self._s.opened.is_set()
            or self._s.error is not None
            or self._s.interrupted
            or self._s.ended
        )

    def _read_wakes_locked(self) -> bool:
        return (
            self._readable_locked()
            or self._s.interrupted
            or self._s.error is not None
            or (self._s.ended and not self._s.queue)
        )

    def _readable_locked(self) -> bool:
        if not self._s.queue:
            return False
        if self._s.hold_at is None:
            return True
        head = self._s.queue[0]
        t = head.dts if head.dts is not None else head.pts
        return t is None or t < self._s.hold_at

    def wait_for_room(self) -> bool:
        with self._s.cond:
            max_bytes = self._s.config.buffer.max_bytes
            while not self._s.stop.is_set() and not self._s.interrupted:
                if self._s.seek_request is not None or self._s.requests:
                    return False
                if self._has_room_locked(max_bytes):
                    return True
                self._s.clock.wait_for(
                    self._s.cond,
                    lambda: (
                        self._s.stop.is_set()
                        or self._s.interrupted
                        or self._s.seek_request is not None
                        or bool(self._s.requests)
                        or self._has_room_locked(max_bytes)
                    ),
                    0.1,
                )
        return False

    def _has_room_locked(self, max_bytes: int) -> bool:
        return (
            self._s.buffer_level_locked() < self._s.buffer_target
            and self._s.queued_bytes < max_bytes
        )

    def merge_locked(self, packets: list[DemuxPacket]) -> None:
        if not packets:
            return
        merged = list(heapq.merge(self._s.queue, sorted(packets, key=dts_key), key=dts_key))
        self._s.queue = deque(merged)
        self._s.queued_bytes += sum(p.size for p in packets)

    def playing_variant(self) -> int | None:
        """The rung of the media at the playback position (None before any)."""
        with self._s.cond:
            position = self._s.position if self._s.position is not None else 0.0
            for start, rung in reversed(self._s.rungs_at):
                if start <= position + 1e-3:
                    return rung
            return self._s.rungs_at[0][1] if self._s.rungs_at else None
