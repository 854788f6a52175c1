"""Live streams after a stall: the time lost is won back. A real GStreamer
RTSP server sends a live pattern (RTCP sender reports on the wall clock) over
TCP, or ffmpeg packages live HLS (EXT-X-PROGRAM-DATE-TIME), through a proxy
the test holds for a while; then the player gets the backlog in one burst.
With stall recovery (the default) the end-to-end latency is back at what it
was before the stall within 5 s of playing again; without, it stays behind."""

from __future__ import annotations

import contextlib
import statistics
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from player import BufferingChanged, Event, Player, StatsUpdated
from player.config import AudioConfig, LatencyConfig, OpenOptions
from player.metrics import STALL_JOIN_S
from player.stats import SessionStats
from tests.support.live_packager import LivePackager
from tests.support.player_probe import TEST_CONFIG
from tests.support.servers import NginxRtmpServer, RtspServer
from tests.support.stall_proxy import StallProxy

STALL_S = 1.5
#: longer than the 0.5 s buffer plus a segment (1 s) that may be on its way
HLS_STALL_S = 3.0
#: the issue's target: back within 100 ms of the mode's latency within 5 s
TOLERANCE_S = 0.1
#: Below where it was is no loss; running dry is, and shows as a second stall
#: after playing again (asserted: no stall after resuming). A bound below
#: "before" cannot tell the two apart: "before" may sit up to the recovery's
#: start (0.08 s) over the buffer the loop settles on, plus the figure's
#: jitter (RTMP's is the distance to the newest packet, bursty over TCP); on
#: a loaded 2-core machine RTMP read 0.78 s before and 0.51-0.65 s after,
#: playing on. Where the loop lands is asserted exactly, on the
#: ManualClock, in tests/unit/test_stall_recovery_loop.py.
RECOVERY_S = 5.0


def _latency(stats: SessionStats) -> float | None:
    """End to end where the stream says its wall clock; RTMP cannot, so the
    distance to the newest packet received."""
    figure, _kind = stats.latency.headline()
    return figure


class _Run:
    """The stats samples (session time, end-to-end latency) and when playback
    resumed after the stall."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, float]] = []
        self.cond = threading.Condition()
        self.stalled_at: float | None = None
        self.resumed_at: float | None = None
        #: when stalls began after playing again (the buffer ran dry); one
        #: that begins within STALL_JOIN_S of a restart is the same stall, as
        #: the report counts it (a stream restarts on its first frame and may
        #: starve again a tick later)
        self.stalls_after: list[float] = []
        self._last_resume: float | None = None

    def on_event(self, e: Event) -> None:
        with self.cond:
            if isinstance(e, StatsUpdated) and e.stats.state == "playing":
                latency = _latency(e.stats)
                if latency is not None:
                    self.samples.append((e.t, latency))
            elif isinstance(e, BufferingChanged) and e.rebuffer:
                if e.buffering and self.stalled_at is None:
                    self.stalled_at = e.t
                elif e.buffering and self._last_resume is not None:
                    if e.t - self._last_resume >= STALL_JOIN_S:
                        self.stalls_after.append(e.t)
                    self._last_resume = None
                elif not e.buffering and self.stalled_at is not None:
                    self.resumed_at = self.resumed_at or e.t
                    self._last_resume = e.t
            self.cond.notify_all()

    def wait(self, predicate: Any, timeout: float) -> None:
        with self.cond:
            assert self.cond.wait_for(predicate, timeout), (self.samples, self.stalled_at)


def _stall_and_watch(
    recover: bool, protocol: str = "rtsp", rtmp: tuple[str, int] | None = None
) -> tuple[float, list[float], list[dict[str, Any]]]:
    """(latency before the stall, latencies from 5 s after playing again, the
    report's catch-up events); fails if the buffer ran dry after resuming."""
    config = replace(
        TEST_CONFIG,
        audio=AudioConfig(enabled=protocol == "rtmp"),
        latency=LatencyConfig(stall_recovery=recover),
    )
    run = _Run()
    with contextlib.ExitStack() as stack:
        if protocol == "rtsp":
            server = stack.enter_context(RtspServer(None, live_delay=0.2))
            proxy = stack.enter_context(StallProxy(server.port))
            url = f"rtsp://127.0.0.1:{proxy.port}/test"
        elif protocol == "rtmp":
            assert rtmp is not None
            name, port = rtmp
            proxy = stack.enter_context(StallProxy(port))
            url = f"rtmp://127.0.0.1:{proxy.port}/live/{name}"
        else:
            packager = stack.enter_context(LivePackager())
            upstream = int(packager.url.split(":")[2].split("/")[0])
            proxy = stack.enter_context(StallProxy(upstream))
            url = packager.url.replace(f":{upstream}/", f":{proxy.port}/")
        player = Player(config)
        player.subscribe(run.on_event)
        try:
            player.open(url, OpenOptions(rtsp_transport="tcp"))
            # sender reports come within a few seconds: settle, then 3 samples
            run.wait(lambda: len(run.samples) >= 6, 30)
            before = statistics.median(v for _, v in run.samples[-3:])
            proxy.stall(STALL_S if protocol == "rtsp" else HLS_STALL_S)
            run.wait(lambda: run.resumed_at is not None, 30)
            assert run.resumed_at is not None
            after_from = run.resumed_at + RECOVERY_S
            run.wait(lambda: sum(t >= after_from for t, _ in run.samples) >= 3, 30)
            report = player.report()
        finally:
            player.close()
    after = [v for t, v in run.samples if t >= after_from]
    assert not run.stalls_after, (
        "the buffer ran dry after the stall",
        run.resumed_at,
        run.stalls_after,
        [e for e in report["timeline"] if e.get("type") not in ("video_size",)],
    )
    catch_ups = [e for e in report["timeline"] if e.get("type") == "catch_up"]
    return before, after, catch_ups


def test_rtsp_latency_is_back_where_it_was_within_5_s_of_a_stall() -> None:
    before, after, catch_ups = _stall_and_watch(recover=True)
    assert catch_ups, "no catch-up after the stall"
    assert all(0.0 < v <= before + TOLERANCE_S for v in after), (
        before,
        after,
        catch_ups,
    )


def test_without_recovery_the_stall_stays_in_the_latency() -> None:
    # The failure this guards against (issue 11: "a run that stalls once stays
    # 0.5-3 s behind for the rest of the stream"), shown on RTSP, where a
    # stall's whole backlog arrives at once. (HLS is no such control: its
    # loader fetches the missed segments faster than real time, so without
    # recovery it keeps only 0.27-0.31 s of a 3 s stall, too close to any
    # threshold to tell the two modes apart in every run.)
    before, after, catch_ups = _stall_and_watch(recover=False, protocol="rtsp")
    assert catch_ups == []
    assert min(after) >= before + STALL_S / 2, (before, after)


def test_hls_latency_is_back_where_it_was_within_5_s_of_a_stall() -> None:
    before, after, catch_ups = _stall_and_watch(recover=True, protocol="hls")
    # The loader fetches the missed segments faster than real time, so a
    # stall may leave less behind than the catch-up's threshold, and then no
    # catch-up runs: the latency where it was is what is asserted.
    assert all(0.0 < v <= before + TOLERANCE_S for v in after), (
        before,
        after,
        catch_ups,
    )


def test_rtmp_with_audio_is_back_where_it_was_within_5_s_of_a_stall(
    audio_device: str, rtmp_server: NginxRtmpServer, av_file: Path
) -> None:
    # played fast with its audio through atempo, or jumped with it
    publisher = rtmp_server.publish(av_file, "catchup", loop=True)
    publisher.wait_until_live(timeout=20.0)
    try:
        before, after, catch_ups = _stall_and_watch(
            recover=True, protocol="rtmp", rtmp=("catchup", rtmp_server.port)
        )
    finally:
        publisher.stop()
    # The stall ends in a reconnect, which starts at the live edge (nothing
    # to win back), or the catch-up wins it back: either way the latency is
    # where it was. (Before issue 13 the start waited for the audio device
    # to run and a catch-up won that wait back: that was the catch-up this
    # test saw, not the stall's.)
    assert all(0.0 < v <= before + TOLERANCE_S for v in after), (
        before,
        after,
        catch_ups,
    )
