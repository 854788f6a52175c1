"""How long the control loop sleeps before its next tick.

It ticks every ``TICK`` while anything may need it soon: buffering, a live
stream (catch-up and latency steering act on the buffer level), the input's
end reached (the ends of audio and video are polled), subtitles (their cues
are timed by the tick), an ``--end`` position, or a buffer close to empty.
Otherwise (VOD playing steadily, well ahead) a stall cannot begin within
``QUIET_TICK``: the streams hold more than that many seconds of media, so it
ticks five times less often. Every message posted to the loop (a seek, a
pause, the end of the input or of the video) wakes it at once, whatever the
tick; stats keep their one-second period.
"""

from __future__ import annotations

__all__ = ["QUIET_MARGIN", "QUIET_TICK", "TICK", "next_wait"]

TICK = 0.02
QUIET_TICK = 0.1
#: media seconds ahead, beyond one quiet tick's worth, below which the loop
#: ticks fast (a decoder that falls behind empties the queues before the
#: demuxed end tells it)
QUIET_MARGIN = 0.5


def next_wait(
    *,
    playing: bool,
    live: bool,
    eos: bool,
    subtitles: bool,
    end_position: bool,
    buffered: float,
    speed: float,
    until_stats: float,
) -> float:
    """Seconds to the next tick; ``until_stats``: to the next stats update."""
    if not playing or live or eos or subtitles or end_position:
        return TICK
    if buffered < QUIET_TICK * max(speed, 1.0) + QUIET_MARGIN:
        return TICK
    return max(TICK, min(QUIET_TICK, until_stats))
