"""Pure decoder-side frame dropping (mpv's ``framedrop=decoder``, Media3's drop
to keyframe): when decoding falls behind the master clock, do less of it, and
go back to decoding every frame once it keeps up again.

Three steps, each taken only when the one before is not enough:

1. a decoded frame already later than ``late`` is not queued (never converted
   or shown: it would only put video behind audio);
2. after ``nonref_after`` late frames in a row the decoder skips non-reference
   frames (as FFmpeg's ``skip_frame = NONREF``, told apart before decoding by
   ``nal.py`` so each is counted: B-frames nothing else points at, about half
   of an x264 stream with B-frames), which halves its work on such streams;
3. a packet later than ``keyframe_late`` starts a skip to the next keyframe:
   packets are thrown away undecoded until a keyframe not yet due (Media3
   drops to the keyframe past 500 ms; a GOP is 1-2 s of work). A source that
   never runs ahead of the clock (live at its edge) gets the first keyframe
   after ``max_skip`` seconds of skipping, whatever its time.

Recovery: after ``recover`` seconds without a late frame, every frame is
decoded again. ``max_freeze`` keeps a picture coming on a machine that can
never keep up: one frame up to ``freeze_late`` late (ITU-R BT.1359's
acceptability for sound ahead of picture) is let through when none was for
that long.

Times are plain numbers from the caller's clock (a ``ManualClock`` in tests).
Lateness is the master clock's position minus the frame's time, in seconds.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

__all__ = ["DropMode", "DropStats", "FrameDropPolicy"]


class DropMode(enum.Enum):
    NONE = "none"
    NONREF = "nonref"
    TO_KEYFRAME = "to_keyframe"


@dataclass
class DropStats:
    #: decoded, then not queued because already late
    late_after_decode: int = 0
    #: never decoded: packets skipped on the way to a keyframe
    skipped_to_keyframe: int = 0
    #: never decoded: non-reference frames the decoder was told to skip
    skipped_nonref: int = 0
    #: times the policy entered each mode (how often overload happened)
    entered: dict[str, int] = field(default_factory=dict)


@dataclass
class FrameDropPolicy:
    late: float = 0.04
    nonref_after: int = 3
    keyframe_late: float = 0.5
    max_skip: float = 2.0
    recover: float = 2.0
    max_freeze: float = 0.5
    freeze_late: float = 0.09
    mode: DropMode = DropMode.NONE
    stats: DropStats = field(default_factory=DropStats)
    _late_run: int = 0
    _last_late_at: float | None = None
    _last_kept_at: float | None = None
    _skip_since: float | None = None

    def _enter(self, mode: DropMode) -> None:
        if mode != self.mode:
            self.mode = mode
            if mode != DropMode.NONE:
                self.stats.entered[mode.value] = self.stats.entered.get(mode.value, 0) + 1

    def reset(self) -> None:
        """A seek or a new stream: what was late before says nothing now."""
        self.mode = DropMode.NONE
        self._late_run = 0
        self._last_late_at = None
        self._last_kept_at = None
        self._skip_since = None

    @property
    def skip_nonref(self) -> bool:
        """Whether the codec should skip non-reference frames now."""
        return self.mode != DropMode.NONE

    def decode_packet(self, lateness: float | None, keyframe: bool, now: float) -> bool:
        """Whether to decode a packet (False: thrown away, counted)."""
        if lateness is None:
            return True
        if self.mode == DropMode.TO_KEYFRAME:
            waited = self._skip_since is not None and now - self._skip_since >= self.max_skip
            if keyframe and (lateness <= 0 or waited):
                # Decoding starts again here, still sparing the non-reference
                # frames until the decoder has shown it keeps up.
                self.mode = DropMode.NONREF
                self._late_run = 0
                self._last_late_at = now
                self._skip_since = None
                return True
            self.stats.skipped_to_keyframe += 1
            return False
        if lateness > self.keyframe_late:
            # Too far behind for sparing frames to help: this packet, keyframe
            # or not, and every one until an on-time keyframe, is skipped.
            self._enter(DropMode.TO_KEYFRAME)
            self._last_late_at = now
            self._skip_since = now
            self.stats.skipped_to_keyframe += 1
            return False
        return True

    def keep_frame(self, lateness: float | None, now: float) -> bool:
        """Whether to queue a decoded frame for the presenter."""
        if lateness is None or lateness <= self.late:
            self._late_run = 0
            self._last_kept_at = now
            if (
                self.mode == DropMode.NONREF
                and self._last_late_at is not None
                and now - self._last_late_at >= self.recover
            ):
                self.mode = DropMode.NONE
            return True
        self._last_late_at = now
        self._late_run += 1
        if self._late_run >= self.nonref_after and self.mode == DropMode.NONE:
            self._enter(DropMode.NONREF)
        frozen = self._last_kept_at is None or now - self._last_kept_at >= self.max_freeze
        if frozen and lateness <= self.freeze_late:
            # Better a little late picture than a frozen one (the presenter
            # still times it, and the report counts its offset).
            self._last_kept_at = now
            return True
        self.stats.late_after_decode += 1
        return False

    def count_nonref_skipped(self, frames: int) -> None:
        """Non-reference frames the decoder left out."""
        if frames > 0:
            self.stats.skipped_nonref += frames

    @property
    def dropped(self) -> int:
        s = self.stats
        return s.late_after_decode + s.skipped_to_keyframe + s.skipped_nonref
