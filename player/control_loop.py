"""The control thread, the one owner of the session's state: at the top of
every tick it applies the commands and worker results posted to the inbox
(``commands``), in order; then it moves the state machine (buffering,
playing, ended), decides when a stall begins and ends, keeps live latency
where it belongs (catch-up, recovery after a stall, a gentle rate), and
tells the source and the subtitles where playback is."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from .capabilities import Live, PositionAware, Tracks
from .commands import Failed, NonFatal, Notice
from .edge_jump import PACED_LIVE, QUIET_REFILL_S
from .errors import ErrorCode, error_for
from .events import (
    BufferingChanged,
    EndOfStream,
    PlayerState,
    StatsUpdated,
    SubtitleChanged,
)
from .load_control import (
    RECOVER_FROM,
    RECOVER_SETTLE,
    CatchUpAction,
    LevelBefore,
    LoadControl,
    LowWater,
    catch_up,
    live_rate,
    recover_latency,
)
from .session_clocks import SessionClocks
from .session_stats import session_stats
from .tick_rate import TICK, next_wait

__all__ = ["ControlLoop"]

log = logging.getLogger(__name__)

#: playback rate while winning back latency after a stall (atempo keeps pitch)
_RECOVER_SPEED = 1.1
#: HLS: latency over its target by more than this is won back at once (less
#: is steered gently, as before)
_WIN_BACK_FROM = 0.15
#: RTSP/RTMP after a stall: won back from the win-back's settle over where it
#: was; the usual 0.08 s let a restart that landed 0.05-0.08 s over the start
#: buffer stay there, 0.1 s behind where it played before
_AFTER_STALL_FROM = RECOVER_SETTLE
_STATS_PERIOD = 1.0
#: the longest a start waits for the audio device to run (then it plays, its
#: clock held until the first sample is out, as before)
_AUDIO_START_GUARD = 2.0


class ControlLoop:
    """Runs on its own thread (``run``), on the session ``s``."""

    def __init__(self, s: SessionClocks, apply_messages: Callable[[], None]) -> None:
        self.s = s
        #: the session's ``apply_messages``: what was posted, applied here
        self._apply_messages = apply_messages
        self._subtitle: str | None = None
        #: live latency (HLS) before the last stall, and while playing normally
        self._stall_baseline: float | None = None
        self._latency_before: float | None = None
        #: default-mode RTSP/RTMP: where the buffer sat before a stall
        self._level_before = LevelBefore()
        #: HLS (not LL): the live latency held, where playing settled
        self._held_latency: float | None = None
        #: when a start, ready otherwise, began to wait for the audio device
        self._device_wait_since: float | None = None
        #: this buffering is a jump's refill: no rebuffer to the listeners
        #: either, as the report counts none (a compare run and the bitrate
        #: panel's stall markers counted one the report did not)
        self._refilling = False

    def run(self) -> None:
        try:
            self.loop()
        except Exception as exc:
            log.exception("control loop crashed")
            self.s.fail_from_thread(exc)

    def loop(self) -> None:
        s = self.s
        s.inbox.owned_by(threading.current_thread())
        try:
            self._ticks()
        finally:
            # nothing applies commands any more: their callers go on, and a
            # worker's fatal error from now on is applied on its own thread
            s.inbox.owned_by(None)
            # what a worker posted as the loop stopped (a fatal error, an
            # event, a non-fatal error) is still applied, here, in order
            for last in s.inbox.take_last():
                match last:
                    case Failed(error):
                        s.error(error, fatal=True)
                    case NonFatal(error):
                        s.error(error, fatal=False)
                    case Notice(event):
                        s.tell(event)

    def _ticks(self) -> None:
        s = self.s
        assert s.info is not None
        live = s.info.media.is_live
        recovers = live and self._recovers_latency()
        lc = LoadControl(s.config.buffer, s.config.latency, live, recovers)
        low_water = LowWater()
        has_video = s.info.video is not None
        has_audio = s.audio is not None
        last_stats = s.clock.now()
        last_percent = -1.0
        last_rate = 0.0
        # what was posted while the source opened comes first
        self._apply_messages()
        wait = TICK
        while not s.stopping.is_set():
            s.wait(wait)
            wait = TICK
            if s.stopping.is_set():
                break
            self._apply_messages()
            if s.audio_opening:
                s.take_late_audio()
                has_audio = s.audio is not None
            now_tick = s.clock.now()
            audio_finished = (
                has_audio
                and s.audio_eos_serial == s.serial
                and s.audio is not None
                and s.audio.buffer.seconds == 0
            )
            if audio_finished and not s.audio_done:
                s.audio_done = True
            state = s.state
            if state == PlayerState.PAUSED:
                # the time a pause loses is the user's: after it the mode's
                # catch-up decides, not a win-back begun before it
                self._stall_baseline = None
                self._level_before.clear()
            buffered = s.buffered()
            eos = s.demux_eos
            # The input's end is no reason to start before the first picture:
            # a short file is read whole before its first frame is decoded,
            # and a clock run then runs ahead of what is shown (and heard).
            ready_at_eos = eos and (not has_video or not s.preroll or s.video_done)
            if state != PlayerState.PLAYING:
                low_water.clear()
            if state == PlayerState.BUFFERING:
                have_frame = (not has_video) or s.last_shown_pts is not None
                if has_video and s.preroll:
                    have_frame = False
                percent = lc.percent(buffered, rebuffer=s.rebuffering)
                if lc.should_start(
                    buffered, rebuffer=s.rebuffering, eos=ready_at_eos, have_frame=have_frame
                ):
                    waited_from = self._device_wait_since
                    if self._device_runs(now_tick):
                        self.end_buffering(buffered)
                        if waited_from is not None:
                            self._after_device_wait(now_tick - waited_from)
                elif abs(percent - last_percent) >= 10:
                    last_percent = percent
                    s.emit(
                        BufferingChanged(
                            buffering=True,
                            buffered=buffered,
                            percent=percent,
                            rebuffer=self._told_rebuffer,
                        )
                    )
            elif state == PlayerState.PLAYING:
                done = (not has_video or s.video_done) and (not has_audio or s.audio_done)
                if (eos and done) or self.past_end():
                    self._finish()
                    continue
                if not eos and self._starving(has_video, has_audio):
                    self._begin_rebuffer(buffered)
                elif live and s.config.latency.low_latency:
                    if recovers:
                        self._recover_low_latency(low_water, now_tick, buffered)
                    else:
                        self._catch_up(buffered)
                elif recovers:
                    self._recover_latency(low_water, now_tick, buffered)
                elif live and now_tick - last_rate >= 0.5:
                    last_rate = now_tick
                    self._steer_live_rate(low_water, now_tick, buffered)
            now = s.clock.now()
            src = s.source
            pos = s.position()
            text_at = s.text_source
            if text_at is None and src is not None and isinstance(src, Tracks):
                text_at = src.subtitle_text
            if src is not None and pos is not None:
                if isinstance(src, PositionAware):
                    src.set_playback_position(pos)
                if text_at is not None:
                    text = text_at(pos - s.subtitle_delay)
                    if text != self._subtitle:
                        self._subtitle = text
                        s.emit(SubtitleChanged(text=text))
            if now - last_stats >= _STATS_PERIOD:
                last_stats = now
                s.emit(StatsUpdated(stats=session_stats(self.s)))
            wait = next_wait(
                playing=s.state == PlayerState.PLAYING,
                live=live,
                eos=eos,
                subtitles=self._subtitles_timed(),
                end_position=s.options.end_position is not None,
                buffered=buffered,
                speed=s.speed,
                until_stats=last_stats + _STATS_PERIOD - now,
            )

    def _subtitles_timed(self) -> bool:
        """Whether subtitles may change on a tick (it must then come often)."""
        s = self.s
        if self._subtitle is not None:
            return True
        if s.text_source is not None:
            return s.text_selected is None or s.text_selected()
        src = s.source
        return src is not None and isinstance(src, Tracks) and bool(src.subtitle_tracks())

    def _starving(self, has_video: bool, has_audio: bool) -> bool:
        s = self.s
        if (
            has_audio
            and s.audio is not None
            and not s.audio_done
            and s.audio.starved
            and len(s.audio_packets) == 0
        ):
            return True
        if has_video and not s.video_done and len(s.frames) == 0 and len(s.video_packets) == 0:
            pos = s.position()
            last = s.last_shown_pts
            if pos is not None and last is not None and pos > last + 0.5:
                return True
        return False

    def _device_runs(self, now: float) -> bool:
        """Whether the audio device takes samples at its pace (or there is
        none to wait for). A PulseAudio stream that starts may call back
        three blocks and then nothing for up to 1.8 s, or run dry hundreds
        of times in a second: a start meanwhile said playing while the clock
        held, or fed samples that were thrown away and starved at once, and
        the media piling up was jumped over when the device came."""
        s = self.s
        audio = s.audio
        if audio is None or s.audio_done or audio.running() or s.audio_joins():
            # (a picture to move: the device joins the running clock)
            self._device_wait_since = None
            return True
        since = self._device_wait_since
        if since is None:
            self._device_wait_since = now
            return False
        if now - since < _AUDIO_START_GUARD:
            return False
        log.info("the audio device does not run after %.1f s: playing anyway", now - since)
        self._device_wait_since = None
        return True

    def _after_device_wait(self, waited: float) -> None:
        """Low-latency RTSP/RTMP: what piled up while the start waited for
        the audio device (0.1-1.9 s for a new PulseAudio stream) is a
        stall's loss, won back (a jump beyond 0.5 s) to the mode's target
        as after a stall; the catch-up alone played it off 10 % fast for
        7-14 s, 0.7 s behind the glass meanwhile."""
        s = self.s
        if (
            waited >= _WIN_BACK_FROM
            and s.config.latency.low_latency
            and self._recovers_latency()
            and self._stall_baseline is None
        ):
            self._stall_baseline = s.latency_rule().target_latency

    @property
    def _told_rebuffer(self) -> bool:
        """What the listeners are told of this buffering: a rebuffer (a
        stall), unless it is a jump's refill, which the report counts as none."""
        return self.s.rebuffering and not self._refilling

    def end_buffering(self, buffered: float) -> None:
        s = self.s
        s.metrics.on_stall_end()
        s.emit(
            BufferingChanged(
                buffering=False,
                buffered=buffered,
                percent=100.0,
                rebuffer=self._told_rebuffer,
            )
        )
        s.rebuffering = False
        self._refilling = False
        if s.start_pts is None:
            # Audio only: no preroll frame anchors the timeline.
            s.start_pts = s.seek_target or 0.0
            s.clock_moved(s.start_pts)
            s.sysclock.set(s.start_pts)
            s.seek_target = None
            if s.audio is not None:
                # held there until its first sample is out, not run on the
                # system clock meanwhile (and then pulled back)
                s.audio.set_position(s.start_pts)
        if s.want_play:
            s.run_clocks(True)
            s.set_state(PlayerState.PLAYING)
        else:
            s.set_state(PlayerState.PAUSED)

    def _begin_rebuffer(self, buffered: float) -> None:
        s = self.s
        if self._stall_baseline is None:
            level = self._level_before.level(s.clock.now())
            self._stall_baseline = self._latency_before if level is None else level
        self._level_before.clear()
        s.rebuffering = True
        s.run_clocks(False)
        quiet = s.quiet_refill_until
        self._refilling = quiet is not None and s.clock.now() < quiet
        if self._refilling:
            # the buffers a jump to the live edge emptied, filling again
            s.metrics.on_event("refill", buffered=round(buffered, 3))
        else:
            s.metrics.on_stall_start()
        s.set_state(PlayerState.BUFFERING)
        s.emit(
            BufferingChanged(
                buffering=True, buffered=buffered, percent=0.0, rebuffer=self._told_rebuffer
            )
        )

    def past_end(self) -> bool:
        """mpv's --end: the play position reached ``OpenOptions.end_position``."""
        end_at = self.s.options.end_position
        if end_at is None:
            return False
        pos = self.s.position()
        return pos is not None and pos >= end_at

    def _finish(self) -> None:
        s = self.s
        s.run_clocks(False)
        if s.pending_error is not None:
            s.error(s.pending_error, fatal=True)
            return
        s.metrics.on_event("end")
        s.set_state(PlayerState.ENDED)
        s.emit(EndOfStream())
        cut = self.past_end()  # stopped by --end, not cut short
        if (
            not cut
            and s.info is not None
            and s.info.media.duration
            and s.last_shown_pts is not None
        ):
            expected = s.info.media.duration
            reached = max(s.demuxed_end.values(), default=0.0)
            if reached < expected * 0.9 - 0.5 and s.seek_target is None:
                s.error(
                    error_for(
                        ErrorCode.ENDED_EARLY, reached=f"{reached:.1f}", expected=f"{expected:.1f}"
                    ),
                    fatal=False,
                )

    def _catch_up(self, buffered: float) -> None:
        s = self.s
        rule = s.latency_rule()
        action = catch_up(buffered, s.speed, rule)
        if action == CatchUpAction.SPEED_UP:
            s.apply_speed(rule.catch_up_speed)
            s.metrics.on_event("catch_up", action="speed_up", buffered=round(buffered, 3))
        elif action == CatchUpAction.NORMAL_SPEED:
            s.apply_speed(s.user_speed)
        elif action == CatchUpAction.JUMP:
            end = min(s.demuxed_end.values(), default=None)
            if end is not None:
                target = end - rule.target_latency
                s.skip_before = target
                s.pin_clock(target, keep_running=True)
                if s.audio is not None:
                    s.audio.set_position(target)
                s.metrics.on_event("catch_up", action="jump", to=round(target, 3))

    def _recovers_latency(self) -> bool:
        info = self.s.info
        return (
            self.s.config.latency.stall_recovery
            and info is not None
            and info.media.protocol in PACED_LIVE
            and not info.extra.get("live_target_latency")
        )

    def _recover_latency(self, low_water: LowWater, now: float, buffered: float) -> None:
        """Default-mode RTSP/RTMP: back to the start buffer after any backlog,
        and after a stall back where the buffer sat before it (the start
        buffer at most), within 5 s; see ``load_control.recover_latency``."""
        s = self.s
        if s.user_speed != 1.0:
            return  # the user's own speed: theirs to choose
        least = low_water.add(now, buffered)
        if not low_water.settled(now):
            return
        keep = s.config.buffer.live_start_seconds
        baseline = self._stall_baseline
        if baseline is None:
            self._level_before.add(now, least)
            self._win_back(least - keep, buffered, low_water)
            return
        keep = min(keep, baseline)
        excess = least - keep
        if excess <= _AFTER_STALL_FROM and s.speed < _RECOVER_SPEED:
            self._stall_baseline = None  # back where it was
            return
        self._win_back(excess, buffered, low_water, keep=keep, start=_AFTER_STALL_FROM)

    def _recover_low_latency(self, low_water: LowWater, now: float, buffered: float) -> None:
        """Low-latency RTSP/RTMP: ``catch_up`` keeps the buffer under its
        target, but a stall's backlog short of ``catch_up_threshold`` over it
        (0.6 s behind where 40 ms was played) stayed for good. After a stall
        the least buffered over a second is won back to what it was before
        the stall, as the default mode wins it back to its start buffer."""
        s = self.s
        least = low_water.add(now, buffered)
        settled = low_water.settled(now)
        baseline = self._stall_baseline
        if baseline is None:
            if settled:
                self._latency_before = least
            self._catch_up(buffered)
            return
        if not settled or s.user_speed != 1.0:
            return  # a second's low water first; the user's own speed is theirs
        excess = least - baseline
        if excess > _WIN_BACK_FROM or s.speed >= _RECOVER_SPEED:
            self._win_back(excess, buffered, low_water, keep=baseline)
        else:
            self._stall_baseline = None  # paid back: caught up as before

    def _win_back(
        self,
        excess: float,
        buffered: float,
        low_water: LowWater,
        keep: float | None = None,
        start: float = RECOVER_FROM,
    ) -> None:
        """Plays ``excess`` seconds of latency away fast (from ``start`` over),
        or jumps over it within what is buffered (keeping ``keep``, else the
        start buffer)."""
        s = self.s
        if keep is None:
            keep = s.config.buffer.live_start_seconds
        action = recover_latency(excess, s.speed, fast=_RECOVER_SPEED, start=start)
        if action == CatchUpAction.SPEED_UP:
            s.apply_speed(_RECOVER_SPEED)
            s.metrics.on_event("catch_up", action="speed_up", excess=round(excess, 3))
        elif action == CatchUpAction.NORMAL_SPEED:
            s.apply_speed(s.user_speed)
            s.metrics.on_event("catch_up", action="normal_speed", excess=round(excess, 3))
        elif action == CatchUpAction.JUMP:
            pos = s.position()
            skip = min(excess, buffered - keep)
            if pos is None or skip <= 0:
                return  # nothing buffered to jump into: played fast instead
            # forward by what was never short over the last second: the
            # buffer left is the usual one, and cannot run dry for the jump
            target = pos + skip
            s.skip_before = target
            # what was decoded ahead (1 s of sound at most) may all lie
            # before the target: the output's refill is the jump's, no stall
            s.quiet_refill_until = s.clock.now() + QUIET_REFILL_S
            s.pin_clock(target, keep_running=True)
            if s.audio is not None:
                s.audio.set_position(target)
            if s.speed != s.user_speed:
                s.apply_speed(s.user_speed)
            low_water.clear()
            s.metrics.on_event(
                "catch_up", action="jump", to=round(target, 3), skipped=round(skip, 3)
            )

    def _steer_live_rate(self, low_water: LowWater, now: float, buffered: float) -> None:
        """Sources that publish a live target latency get their latency held
        by a gentle rate change, unless the user chose a speed of their own:
        LL-HLS its PART-HOLD-BACK, HLS where it settled (playing began
        HOLD-BACK from the end, or nearer: then HOLD-BACK); a stall's loss
        (the least latency over the last second more than 0.15 s over where
        it was before) is won back as for RTSP."""
        s = self.s
        info = s.info
        src = s.source
        if info is None or src is None or s.user_speed != 1.0:
            return
        target = info.extra.get("live_target_latency")
        if not isinstance(target, int | float) or not isinstance(src, Live):
            return
        latency = src.live_latency()
        if latency is None:
            return
        # What a stall cost is measured against where the latency sat before
        # it, not against HOLD-BACK: a program date may carry delay from
        # upstream that no playing fast removes, and the playlist's end is
        # only known a segment at a time.
        least = low_water.add(now, float(latency))
        settled = low_water.settled(now)
        baseline = self._stall_baseline
        if settled and baseline is None:
            self._latency_before = least
        if s.config.latency.stall_recovery and settled and baseline is not None:
            excess = least - baseline
            if excess > _WIN_BACK_FROM or s.speed >= _RECOVER_SPEED:
                self._win_back(excess, buffered, low_water)
                return
            self._stall_baseline = None  # paid back: steered gently again
        held = float(target)
        if not info.extra.get("low_latency"):
            # HOLD-BACK is a distance from the playlist's end, where playing
            # began; the program date also carries the packager's own delay (a
            # segment and more) that no playing fast removes. Steered onto
            # HOLD-BACK by the date, a 1 s-segment stream played 3 % fast for
            # a minute, its latency falling 10-30 ms a second (or running
            # dry). So the date latency playing began at is held (as mpv's
            # stays), and only drift from it is steered away. LL-HLS's parts
            # leave little between the two: PART-HOLD-BACK is held as before.
            if self._held_latency is None:
                if not settled or baseline is not None:
                    return
                self._held_latency = max(held, least)
            held = self._held_latency
        rate = live_rate(float(latency), held)
        if abs(rate - s.speed) >= 0.005:
            s.apply_speed(rate)
            s.metrics.on_event("live_rate", rate=round(rate, 3), latency=round(latency, 3))
