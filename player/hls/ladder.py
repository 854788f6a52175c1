"""The ladder's rungs as the loader meets them: each rung's media playlist
(from the copy in use: its URI or a redundant backup), the moves to a backup
copy, the penalty box's exclusions and re-admissions, and what a live switch
carries over (blocking-reload parameters from a rendition report)."""

from __future__ import annotations

import logging

from ..errors import NetworkError, PlayerError, PlaylistError
from ..events import VariantInfo
from ..fetch import FetchAborted
from ..redact import redact_url
from ..retry import PLAYLIST_RETRY, RetryPolicy
from ..warning_text import WarningCode
from .downloads import Downloads
from .live_edge import Track, switch_params
from .live_playlist import LiveReloader
from .loader_state import LoaderState
from .penalty_box import PenaltyBox
from .playlist import Variant

__all__ = ["Ladder"]

log = logging.getLogger("player.hls.hls_source")


class Ladder:
    """The rungs' playlists and copies; ``penalty`` holds the rungs that
    failed lately."""

    def __init__(self, state: LoaderState, downloads: Downloads, penalty: PenaltyBox) -> None:
        self._s = state
        self._downloads = downloads
        self._penalty = penalty
        #: rung → blocking-reload parameters from a rendition report (LL switch)
        self.switch_params: dict[int, dict[str, str]] = {}

    def variants(self) -> tuple[VariantInfo, ...]:
        return tuple(self.variant_info(i, v) for i, v in enumerate(self._s.ladder))

    def track(
        self, rung: int, *, reload: bool = False, retry: RetryPolicy = PLAYLIST_RETRY
    ) -> Track:
        track = self._s.tracks.get(rung)
        if track is not None and not reload:
            return track
        variant = self._s.ladder[rung]
        # from the copy in use (a redundant stream after a failover) onwards
        first = self._s.copy.get(rung, 0)
        urls = (variant.uri, *variant.backups)[first:]
        last: PlayerError | None = None
        params = self.switch_params.pop(rung, None)
        for n, u in enumerate(urls):
            try:
                pl = self._downloads.media_playlist(
                    u, blocking=params if u == variant.uri else None, retry=retry
                )
                self._s.copy[rung] = first + n
                break
            except (NetworkError, PlaylistError) as exc:
                if isinstance(exc, FetchAborted):
                    raise
                last = exc
        else:
            assert last is not None
            raise last
        if track is None:
            track = Track(
                pl, LiveReloader(stuck_factor=self._s.hls.stuck_factor), self._s.clock.now()
            )
            self._s.tracks[rung] = track
        else:
            track.playlist = pl
            track.loaded_at = self._s.clock.now()
        track.reloader.update(pl, self._s.clock.now())
        return track

    def to_backup(self, rung: int, exc: PlayerError) -> bool:
        """Move ``rung`` to its next redundant copy (same variant, another
        URI) after a segment kept failing on this one; False when none is left.
        The same time is then fetched from the copy's playlist."""
        variant = self._s.ladder[rung]
        copies = (variant.uri, *variant.backups)
        current = self._s.copy.get(rung, 0)
        if current + 1 >= len(copies):
            return False
        self._s.copy[rung] = current + 1
        self._s.tracks.pop(rung, None)
        self._s.warn(
            WarningCode.REDUNDANT_FAILOVER,
            variant=rung,
            reason=exc,
            url=redact_url(copies[current + 1]),
        )
        return True

    def readmit(self, rung: int, why: str) -> None:
        """``rung`` is back in the ladder, from its first copy and a fresh
        playlist (the copy it failed on may have been a backup)."""
        if rung != self._s.rung:
            self._s.copy.pop(rung, None)
            self._s.tracks.pop(rung, None)
        log.info("variant %d re-admitted: %s", rung, why)
        with self._s.cond:
            self._s.mark("readmit", f"variant {rung} re-admitted: {why}")

    def excluded(self) -> frozenset[int]:
        """The variants out of the ABR's choices now; those whose time in the
        penalty box is up are re-admitted first."""
        for rung in self._penalty.release_due(self._s.clock.now()):
            self.readmit(rung, f"{self._penalty.seconds:g} s after it failed")
        return self._penalty.rungs

    def prepare_live_switch(self, old: int, new: int) -> None:
        """A live rung's playlist is stale once we leave it: drop it. In LL-HLS
        the current playlist's EXT-X-RENDITION-REPORT for the new rung says how
        far it is, so the first request for it blocks for exactly that and the
        answer is fresh."""
        self._s.tracks.pop(new, None)
        current = self._s.tracks.get(old)
        if current is None:
            return
        params = switch_params(current.playlist, self._s.ladder[new].uri, self._s.ll)
        if params is not None:
            self.switch_params[new] = params

    @staticmethod
    def variant_info(i: int, v: Variant) -> VariantInfo:
        return VariantInfo(
            index=i,
            bandwidth=v.bandwidth,
            width=v.width,
            height=v.height,
            codecs=v.codecs,
            frame_rate=v.frame_rate,
            name=f"{v.height}p" if v.height else f"{v.bandwidth // 1000} kb/s",
        )

    def edge_sequence(self) -> int:
        track = self._s.tracks.get(self._s.rung) if self._s.rung is not None else None
        return track.playlist.last_sequence if track is not None else -1
