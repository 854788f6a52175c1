"""The presenter thread: takes decoded frames in order, holds each until the
master clock reaches it, drops the late ones and hands the rest to the video
sink; the first frame after a start or a seek (the preroll) anchors the clocks.

What it learns for the session (the preroll frame shown, the end of the
video, a jump to the live edge and its end, a frame stepped to, a jump in
the timestamps) it posts to the control loop, which owns those fields and
the clocks: it times no frame against clocks the loop has yet to move."""

from __future__ import annotations

import logging
from functools import partial

from .commands import EdgeJump, EdgeReached, FrameStepped, PrerollShown, Resynced, VideoEnded
from .edge_jump import edge_target, frame_period
from .events import PlayerState
from .queues import EOS
from .session_clocks import SessionClocks
from .sync import SyncAction, decide_frame
from .video_sink import VideoFrame

__all__ = ["Presenter"]

log = logging.getLogger(__name__)


class Presenter:
    """Runs on its own thread (``run``), on the session ``s``."""

    def __init__(self, s: SessionClocks) -> None:
        self.s = s
        #: the first frame a jump to the live edge passed over (None: no jump)
        self._jump_from: float | None = None
        #: the serial whose preroll frame was shown (the loop may not have
        #: applied it yet: the next frame of it is no preroll)
        self._prerolled = -1
        #: the serial whose end was posted
        self._ended = -1
        #: the edge-jump request (``SessionState.edge_jumps``) whose edge
        #: was reached (the loop may not have cleared it yet)
        self._reached = -1
        #: the jump target last posted, while a jump to the edge goes on
        self._jumped_to: float | None = None
        #: that jump's number in the inbox, until the loop applied it
        self._jump_number: int | None = None

    def run(self) -> None:
        try:
            self._loop()
        except Exception as exc:
            log.exception("presenter crashed")
            self.s.fail_from_thread(exc)

    def _loop(self) -> None:
        s = self.s
        sync = s.config.sync
        while not s.stopping.is_set():
            item = s.frames.peek(0.05)
            if item is None:
                continue
            if item.serial != s.serial:
                s.frames.pop_if(item)
                continue
            if item.value is EOS:
                if self._ended != item.serial:
                    self._ended = item.serial
                    s.post(VideoEnded(item.serial))
                s.wait(0.05)
                continue
            frame = item.value
            assert isinstance(frame, VideoFrame)
            if (
                s.edge_jump_pending
                and self._reached != s.edge_jumps
                and self._behind_edge(frame.pts)
            ):
                s.frames.pop_if(item)
                s.metrics.on_frames_dropped("catchup")
                continue
            if s.preroll and self._prerolled != item.serial:
                if s.inbox.pending_seek() is not None:
                    # a seek is queued for the loop (given while the source
                    # opened, before the loop ran): this frame is from before
                    # it, and the first picture is the seek's
                    s.wait(0.05)
                    continue
                s.frames.pop_if(item)
                self._show(frame, None)
                self._prerolled = item.serial
                s.post(PrerollShown(item.serial, frame.pts))
                continue
            if self._jump_number is not None:
                # a jump's clocks move on the loop: no frame is timed against
                # the old ones meanwhile
                if not s.wait_until(partial(s.inbox.applied, self._jump_number), 0.05):
                    continue
                self._jump_number = None
            if s.skip_before is not None and frame.pts < s.skip_before:
                s.frames.pop_if(item)
                s.metrics.on_frames_dropped("catchup")
                continue
            if s.state != PlayerState.PLAYING:
                if s.step_requests > 0:
                    s.frames.pop_if(item)
                    self._show(frame, None)
                    # the loop takes the request and pins the clocks on it
                    self._move_clocks(FrameStepped(item.serial, frame.pts))
                    continue
                s.wait(0.05)
                continue
            if sync.untimed:
                s.frames.pop_if(item)
                self._show(frame, None)
                continue
            master = s.position()
            if master is None:
                s.wait(0.005)
                continue
            nxt = s.frames.peek_second()
            next_pts = nxt.pts if nxt is not None and nxt.serial == item.serial else None
            decision = decide_frame(
                frame.pts,
                master,
                speed=s.speed,
                late_threshold=sync.late_drop_threshold,
                resync_threshold=sync.resync_threshold,
                next_pts=next_pts,
                since_last_shown=s.clock.now() - s.last_shown_at,
            )
            if decision.action == SyncAction.WAIT:
                s.wait(min(decision.wait, 0.05))
                continue
            s.frames.pop_if(item)
            if decision.action == SyncAction.DROP:
                s.metrics.on_frames_dropped("late")
                continue
            if decision.action == SyncAction.RESYNC:
                if s.audio_is_master():
                    # Audio defines time: a frame far from it is damaged, not a jump.
                    s.metrics.on_frames_dropped("late")
                    continue
                self._move_clocks(Resynced(item.serial, frame.pts))
                self._show(frame, None)
                continue
            now_master = s.position()
            self._show(frame, (frame.pts - now_master) if now_master is not None else None)

    def _move_clocks(self, move: FrameStepped | Resynced) -> None:
        """Has the loop pin the clocks on a frame (a step, a resync), and
        returns once it has (or the session stops): no frame after it is
        timed against clocks the loop has not yet moved. Where no loop runs
        elsewhere to move them (it has ended), they are moved here."""
        s = self.s
        number = s.inbox.post_to_loop(move)
        if number is None:
            if isinstance(move, FrameStepped):
                s.stepped(move.pts, pin=True)
            else:
                s.pin_clock(move.pts, keep_running=True)
            return
        s.wake()
        applied = partial(s.inbox.applied, number)
        while not s.wait_until(applied, 0.05):
            pass

    def _behind_edge(self, pts: float) -> bool:
        """Low-latency RTSP/RTMP after an open or reconnect: whether the frame
        at ``pts`` is older than the newest received (``edge_jump``);
        the first that is not ends the jump and is shown (the preroll frame,
        after an open). The target moves on as more of the burst is read."""
        s = self.s
        target = edge_target(s.newest_video_pts, frame_period(s.info))
        if target is None or pts >= target:
            self._reached = s.edge_jumps
            s.post(EdgeReached(self._reached))
            self._jumped_to = None
            if self._jump_from is not None:
                skipped = round(pts - self._jump_from, 3)
                s.metrics.on_event("catch_up", action="edge", to=round(pts, 3), skipped=skipped)
                self._jump_from = None
            return False
        if self._jump_from is None:
            self._jump_from = pts
        posted = self._jumped_to
        skip = s.skip_before
        if (posted is None or posted < target) and (skip is None or skip < target):
            # the loop drops what is before it, and after a reconnect moves
            # the clocks there (see ``Session._edge_jump``)
            self._jumped_to = target
            self._jump_number = s.post(EdgeJump(s.serial, target))
        return True

    def _show(self, frame: VideoFrame, av_offset: float | None) -> None:
        # Counted before the sink sees it: whoever stops on the sink's count
        # (``--frames``) then reads a report that has at least as many.
        s = self.s
        s.metrics.on_presented(av_offset, (frame.width, frame.height))
        sink = s.sink
        if sink is not None:
            try:
                sink.present(frame)
            except Exception as exc:
                log.warning("video sink failed: %s", exc)
        s.last_shown_pts = frame.pts
        s.last_shown_at = s.clock.now()
