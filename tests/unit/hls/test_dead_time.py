"""An outage inside a download does not poison the bandwidth estimate: the
first choice after it is the rung chosen before. The loader's parts on the
ManualClock over a scripted origin (a response held back until the origin is
back, a transfer given up once the outage stalled it, a body that stalled and
went on), beside a trickle that is genuinely slow and still measured."""

from __future__ import annotations

import threading
from functools import partial

import pytest

from player.abr.estimator import BandwidthEstimator
from player.fetch import FetchResult, ProgressCallback, TransferKind, TransferStats
from player.hls.downloads import Downloads
from player.hls.hint_streams import HintStreams
from player.hls.segment_loader import Abandon
from tests.support.fake_fetcher import Reply
from tests.support.hls_loader_rig import BASE, LoaderRig, media_playlist

RATES = (800_000, 2_500_000, 5_000_000)
DURATION = 4.0


def _rig(*, link_bps: float | None, buffer: float) -> LoaderRig:
    """Three rungs of 4 s segments, each exactly its nominal size; the body
    at ``link_bps`` (None: at once, as from a loopback origin)."""
    rig = LoaderRig([(f"v{i}.m3u8", bps, ()) for i, bps in enumerate(RATES)])
    names = [f"s{k}.ts" for k in range(12)]
    for i, bps in enumerate(RATES):
        uris = [f"r{i}/{n}" for n in names]
        rig.fetcher.serve(BASE + f"v{i}.m3u8", media_playlist(uris, duration=DURATION))
        size = int(bps * DURATION / 8)
        took = size * 8 / link_bps if link_bps is not None else 0.0
        for uri in uris:
            rig.fetcher.serve(BASE + uri, bytes(size), duration=took, pieces=8)
    rig.state.rung = 1
    # a steady buffer: the choices below differ only by the estimate
    rig.state.position = 0.0
    rig.state.fetched_until = buffer
    for i in range(len(RATES)):
        rig.run(partial(rig.ladder.track, i))
    return rig


def _load(rig: LoaderRig, k: int, rung: int) -> bytes:
    seg = rig.ladder.track(rung).playlist.segments[k]
    return rig.run(lambda: rig.loader.segment_bytes(seg, rung, False))


def _settle(rig: LoaderRig, count: int) -> int:
    """``count`` segments each on the rung chosen for it; the last choice."""
    for k in range(count):
        rung = rig.choice.decide(DURATION).index
        _load(rig, k, rung)
    return rig.choice.decide(DURATION).index


def test_a_response_held_back_until_the_origin_is_back_is_no_measurement() -> None:
    # a loopback origin: bodies arrive at once, so a short transfer is timed
    # with its request; this one's request hung 8 s on an origin that was away
    rig = _rig(link_bps=None, buffer=120.0)
    before = _settle(rig, 6)
    estimate = rig.abr.meter.estimate_bps()
    assert before == 2
    body = bytes(int(RATES[before] * DURATION / 8))
    rig.fetcher.script(BASE + f"r{before}/s6.ts", Reply(body=body, ttfb=8.0, pieces=8))
    assert _load(rig, 6, before) == body
    assert rig.clock.now() == pytest.approx(8.0)
    assert rig.choice.decide(DURATION).index == before
    assert rig.abr.meter.estimate_bps() == pytest.approx(estimate)
    # nor is the hang a latency figure (the abandonment rule plans with it)
    assert rig.abr.meter.ttfb() < 1.0


def test_a_first_byte_held_back_by_an_outage_does_not_give_the_transfer_up() -> None:
    rig = _rig(link_bps=8_000_000.0, buffer=30.0)
    before = _settle(rig, 6)
    assert before == 2
    estimate = rig.abr.meter.estimate_bps()
    body = bytes(int(RATES[before] * DURATION / 8))
    # the origin sat on the request 8 s before the body came at the link's rate:
    # neither the ABR nor the slow rule count the wait (the read timeout's
    # business), so the segment is not thrown away as it arrives at full speed
    body_seconds = len(body) * 8 / 8_000_000.0
    rig.fetcher.script(
        BASE + f"r{before}/s6.ts", Reply(body=body, ttfb=8.0, duration=body_seconds, pieces=8)
    )
    assert _load(rig, 6, before) == body
    assert rig.abr.meter.estimate_bps() >= 0.9 * estimate
    assert rig.choice.decide(DURATION).index == before


def test_a_transfer_given_up_after_a_held_back_first_byte_is_measured_without_the_wait() -> None:
    rig = _rig(link_bps=8_000_000.0, buffer=30.0)
    before = _settle(rig, 6)
    assert before == 2
    body = bytes(int(RATES[before] * DURATION / 8))
    # 8 s of nothing, then a body too slow to finish before the buffer runs dry
    trickle_seconds = 60.0
    rig.fetcher.script(
        BASE + f"r{before}/s6.ts", Reply(body=body, ttfb=8.0, duration=trickle_seconds, pieces=60)
    )
    with pytest.raises(Abandon) as given_up:
        _load(rig, 6, before)
    # given up, by the slow rule or the ABR's abandonment, whichever sees it first
    assert given_up.value.decision.rule in ("slow", "abandon")
    # measured at the rate the bytes came, not diluted by the 8 s wait
    # (a piece a second, each at its second's start: a few seconds in, the
    # rate reads up to twice the trickle's; with the wait it would read a
    # third of it or less)
    trickle_bps = len(body) * 8 / trickle_seconds
    measured = rig.abr.meter.last_bps
    assert measured is not None and 0.9 * trickle_bps <= measured <= 2 * trickle_bps


def test_a_trickle_is_genuinely_slow_and_lowers_the_estimate() -> None:
    # the contrast: bytes that keep arriving, slowly, are the link's speed
    rig = _rig(link_bps=8_000_000.0, buffer=120.0)
    before = _settle(rig, 6)
    assert before == 2
    estimate = rig.abr.meter.estimate_bps()
    body = bytes(int(RATES[before] * DURATION / 8))
    # a piece a second: 20 s for a 4 s segment, never quiet for long
    rig.fetcher.script(BASE + f"r{before}/s6.ts", Reply(body=body, duration=20.0, pieces=20))
    assert _load(rig, 6, before) == body
    assert rig.abr.meter.last_bps == pytest.approx(RATES[before] * DURATION / 20.0)
    assert rig.abr.meter.estimate_bps() < 0.5 * estimate


class _StallingOrigin:
    """A ``Fetcher`` whose body stalls ``stall`` s halfway, then goes on."""

    def __init__(self, size: int, stall: float) -> None:
        self.size = size
        self.stall = stall

    def get(
        self,
        url: str,
        *,
        kind: TransferKind = "segment",
        max_bytes: int,
        byterange: tuple[int, int] | None = None,
        timeout: float | None = None,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> FetchResult:
        # twenty reads a half, 25 ms apart: 0.5 s each half, the stall between
        ttfb, step, n = 0.05, 0.025, 20
        first = [(self.size * (i + 1) // (2 * n), ttfb + step * (i + 1)) for i in range(n)]
        resumed = ttfb + step * n + self.stall
        second = [(self.size * (n + i + 1) // (2 * n), resumed + step * (i + 1)) for i in range(n)]
        arrivals = first + second
        for done, elapsed in arrivals:
            assert progress is not None and progress(done, self.size, elapsed)
        stats = TransferStats(url, kind, self.size, 0.0, ttfb, arrivals[-1][1])
        return FetchResult(url, bytes(self.size), None, stats)


def test_a_body_that_stalled_and_went_on_is_measured_while_bytes_flowed() -> None:
    size = 1_000_000
    meter = BandwidthEstimator()
    cancel = threading.Event()
    origin = _StallingOrigin(size, stall=6.0)
    downloads = Downloads(
        origin,  # type: ignore[arg-type]
        cancel,
        meter,
        HintStreams(
            origin,  # type: ignore[arg-type]
            cancel,
            max_bytes=1 << 20,
            check_stop=lambda: None,
            warn=lambda code, /, **params: None,
            received=lambda: None,
            stats={"streamed_parts": 0},
        ),
        max_segments=10,
        rand=lambda: 0.5,
        sleep=lambda seconds: None,
        check_stop=lambda: None,
        received=lambda: None,
        failed=lambda exc, kind, delay: None,
        worked=lambda: None,
        warn=lambda code, /, **params: None,
        decrypt=lambda data, key, iv: data,
    )
    for n in range(3):
        downloads.get(BASE + f"s{n}.ts", "segment", 1 << 21)
    # 1 MB in the 1 s bytes flowed (8 Mb/s, within one read's time), not
    # over the 7 s with the stall (1.1 Mb/s)
    assert meter.last_bps == pytest.approx(8_000_000, rel=0.05)
    assert meter.estimate_bps() == pytest.approx(8_000_000, rel=0.05)
