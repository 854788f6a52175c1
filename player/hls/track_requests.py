"""The user's audio and subtitle track choices: checked when asked for,
applied by the loader thread (an audio switch replaces what was queued past
the new track's next boundary, so it is heard at once), and the renditions
following the groups of the rung in use."""

from __future__ import annotations

from collections import deque

from ..source_api import DemuxPacket
from .followers import FollowerIO, Renditions
from .loader_state import LoaderState
from .packet_queue import PacketQueue
from .rendition import RenditionTrack

__all__ = ["TrackRequests"]


class TrackRequests:
    """Track changes between ``request`` (any thread) and ``apply`` (the
    loader thread), through ``state.requests``."""

    def __init__(
        self,
        state: LoaderState,
        renditions: Renditions,
        io: FollowerIO,
        packets: PacketQueue,
    ) -> None:
        self._s = state
        self._renditions = renditions
        self._io = io
        self._packets = packets

    def start(self) -> None:
        """At the open: the renditions of the rung chosen first, with the
        tracks asked for before it."""
        r = self._renditions
        r.live, r.ll = self._s.live, self._s.ll
        with self._s.cond:
            requests = dict(self._s.requests)
        if "audio" in requests:
            r.audio_index = r.valid(requests.pop("audio"), audio=True)
        if "subtitles" in requests:
            r.subtitle_index = r.valid(requests.pop("subtitles"), audio=False)
        with self._s.cond:
            self._s.requests = requests
        r.start(self.group("AUDIO"), self.group("SUBTITLES"), self._s.next_time)

    def first_playlists(self) -> list[str]:
        """The rendition playlists ``start`` will load for the tracks followed
        from the start: the default audio rendition's and, when one is on by
        default, the subtitle rendition's (none for a kind a track was asked
        for, whose choice may warn: left to ``start``)."""
        r = self._renditions
        with self._s.cond:
            asked = set(self._s.requests)
        out: list[str] = []
        if "audio" not in asked and r.audio_index is not None:
            uri = r.audio_tracks[r.audio_index].for_group(self.group("AUDIO")).uri
            if uri is not None:
                out.append(uri)
        if "subtitles" not in asked and r.subtitle_index is not None:
            uri = r.subtitle_tracks[r.subtitle_index].for_group(self.group("SUBTITLES")).uri
            if uri is not None:
                out.append(uri)
        return out

    def group(self, kind: str) -> str | None:
        if self._s.rung is None or not self._s.ladder:
            return None
        v = self._s.ladder[self._s.rung]
        return v.audio_group if kind == "AUDIO" else v.subtitles_group

    def apply(self) -> None:
        """Track changes the user asked for (loader thread)."""
        with self._s.cond:
            requests, self._s.requests = self._s.requests, {}
        r = self._renditions
        if "subtitles" in requests:
            index = r.valid(requests["subtitles"], audio=False)
            r.cues.clear()
            r.subtitle_index = index
            with self._s.cond:
                pos = self._s.position if self._s.position is not None else self._s.read_pts
                fetched = self._s.fetched_until
            start = pos if pos is not None else self._s.next_time
            r.start_subtitles(self.group("SUBTITLES"), start)
            r.follow_subtitles(fetched)
        if "audio" in requests:
            self._set_audio(r.valid(requests["audio"], audio=True))

    def _set_audio(self, index: int | None) -> None:
        """Switch the audio track. What has been queued past the new track's
        first boundary after what read() handed out is replaced (read() holds
        there meanwhile), so the switch is heard at once, timestamps continuous."""
        switched = self._renditions.switch_audio(index, self.group("AUDIO"), self._s.next_time)
        if switched is None:
            return
        f, frontier = switched
        generation = self._s.generation
        with self._s.cond:
            # the boundary and the hold in one step, so read() cannot pass it meanwhile
            front = self._s.read_front
            if front is None:
                front = self._s.position if self._s.position is not None else self._s.next_time
            boundary = f.cursor.boundary_at_or_after(front + 0.1, parts=self._s.ll)
            if boundary is None or boundary >= frontier - 1e-3:
                return  # nothing fetched past the boundary: the next segments bring it
            self._s.hold_at = boundary
            kept: deque[DemuxPacket] = deque()
            for p in self._s.queue:
                t = p.pts if p.pts is not None else p.dts
                if p.stream.kind == "audio" and t is not None and t >= boundary - 1e-3:
                    self._s.queued_bytes -= p.size
                else:
                    kept.append(p)
            self._s.queue = kept
            self._s.cond.notify_all()
        f.cursor.next_time = boundary
        try:
            while f.cursor.next_time < frontier - 1e-3:
                got = f.follow_audio(self._io, frontier, cut=boundary - 1e-3, one=True)
                with self._s.cond:
                    if generation != self._s.generation:
                        return
                    self._packets.merge_locked(got)
                    self._s.hold_at = f.cursor.next_time
                    self._s.cond.notify_all()
        finally:
            with self._s.cond:
                self._s.hold_at = None
                self._s.cond.notify_all()

    def regroup(self) -> None:
        self._renditions.regroup(self.group("AUDIO"), self.group("SUBTITLES"))

    def request(self, kind: str, index: int | None, tracks: list[RenditionTrack]) -> None:
        with self._s.cond:
            known = self._s.opened.is_set()
            if index is not None and (index < 0 or (known and index >= len(tracks))):
                raise ValueError(f"no {kind} track {index}")
            self._s.requests[kind] = index
            if kind == "subtitles" and index is None:
                self._renditions.subtitle_index = None  # off at once, whatever the loader is doing
            self._s.cond.notify_all()
