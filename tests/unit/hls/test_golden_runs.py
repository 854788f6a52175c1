"""Golden runs: ``HlsSource`` on a scripted origin and a ``ManualClock``, its
log (requests, events with the ABR's inputs and rule, packets read, the ABR
timeline) compared byte for byte with ``tests/golden/*.log``.

The media is made with PyAV (``lab.demo_hls``), whose bundled FFmpeg makes
the same bytes on every machine for one PyAV version; the log's header holds
the media's hash, so a PyAV upgrade shows as that, not as a riddle."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from lab.demo_hls import make_hls_demo
from player.clock import ManualClock
from player.errors import NetworkError
from player.events import Event
from player.hls.hls_source import HlsConfig, HlsSource
from tests.support.clocked_run import PacedReader, ThreadsStarted, drive
from tests.support.fake_fetcher import FakeFetcher, Reply
from tests.support.golden import Golden

ORIGIN = "http://origin.test/"
RUNGS = ((320, 180, 150_000), (480, 270, 600_000))


@pytest.fixture(scope="module")
def ladder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("golden") / "ladder"
    make_hls_demo(root, seconds=4, loops=3, rungs=RUNGS)
    return root


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            h.update(path.relative_to(root).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def _event_line(event: Event) -> str:
    fields = dataclasses.asdict(event)
    fields.pop("t")
    body = " ".join(f"{k}={_fmt(v)}" for k, v in fields.items())
    return f"event {type(event).__name__} {body}"


def run_log(root: Path, link: Callable[[float], float], title: str) -> str:
    """One run, its log as text."""
    clock = ManualClock()
    origin = FakeFetcher(clock)
    origin.serve_directory(ORIGIN, root, ttfb=0.05)
    origin.set_link(link)
    #: (requests completed before it, clock time, event)
    events: list[tuple[int, float, Event]] = []
    src = HlsSource(
        ORIGIN + "master.m3u8",
        clock=clock,
        fetcher=origin,
        emit=lambda e: events.append((len(origin.requests), clock.now(), e)),
        hls=HlsConfig(buffer_target=6.0),
        rand=lambda: 0.5,
    )
    # the loader and the reader, and the requests the loader starts ahead
    # while each lasts (a subtitle playlist's beside the first rung's)
    early = ThreadsStarted("hls-early-", prefix=True)
    reader = PacedReader(src, clock)
    try:
        drive(clock, lambda: 2 + early.alive(), lambda: reader.done, max_seconds=120)
        reader.join()
    finally:
        src.close()
    # the loader's own order (requests, and the events between them), merged
    # by clock time with the reader's; ties go to the loader
    lines: list[tuple[float, int, int, str]] = []
    seq = 0
    pending = list(events)
    for i, r in enumerate(origin.requests):
        while pending and pending[0][0] <= i:
            _, t, e = pending.pop(0)
            lines.append((t, 0, seq, _event_line(e)))
            seq += 1
        where = r.url.removeprefix(ORIGIN)
        lines.append((r.t, 0, seq, f"fetch {r.kind} {where} -> {r.outcome}"))
        seq += 1
    for _, t, e in pending:
        lines.append((t, 0, seq, _event_line(e)))
        seq += 1
    audio = 0
    for i, p in enumerate(reader.packets):
        if p.stream.kind == "audio":
            audio += 1
            continue
        flags = ("K" if p.keyframe else "") + ("D" if p.discontinuity else "")
        lines.append((reader.read_at[i], 1, i, f"read video pts={_fmt(p.pts)} {flags}".rstrip()))
    out = [f"# {title}", f"# media {_digest(root)} (lab.demo_hls, rungs {RUNGS})"]
    out += [f"{t:8.3f} {text}" for t, _, _, text in sorted(lines)]
    out.append(f"# audio packets read: {audio}")
    out.append("# ABR timeline (t, estimate b/s, selected b/s, buffer s, marker)")
    for entry in src.timeline():
        out.append(
            f"{entry.t:8.3f} {entry.estimate_bps:.0f} {entry.selected_bitrate} "
            f"{entry.buffer:.3f} {entry.marker or '-'} {entry.detail}".rstrip()
        )
    return "\n".join(out) + "\n"


def squeeze(t: float) -> float:
    """4 Mb/s, 0.25 Mb/s from 4 s to 9 s, then 4 Mb/s again."""
    return 0.25e6 if 4.0 <= t < 9.0 else 4e6


def test_a_squeezed_link_gives_the_golden_run(ladder: Path, golden: Golden) -> None:
    log = run_log(ladder, squeeze, "two-rung VOD, 6 s buffer, link squeezed from 4 to 9 s")
    golden.check("hls_vod_squeeze.log", log)


def test_the_run_is_the_same_every_time(ladder: Path) -> None:
    first = run_log(ladder, squeeze, "a")
    assert run_log(ladder, squeeze, "a") == first
    assert "VariantSwitched" in first and "read video" in first


def live_playlist(t: float, *, window: int = 4) -> str:
    """A live window over the ladder's two 2 s segments played in a loop:
    segment ``n`` is published once the clock passes ``2 (n + 1)`` seconds
    (from a start 8 s into the stream), each loop after a discontinuity."""
    newest = int(t // 2) + 3
    first = max(0, newest - window + 1)
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        "#EXT-X-TARGETDURATION:2",
        f"#EXT-X-MEDIA-SEQUENCE:{first}",
        f"#EXT-X-DISCONTINUITY-SEQUENCE:{(first + 1) // 2}",
    ]
    for n in range(first, newest + 1):
        if n % 2 == 0 and n > first:
            lines.append("#EXT-X-DISCONTINUITY")
        lines += ["#EXTINF:2.000000,", f"s{n % 2:03d}.ts?n={n}"]
    return "\n".join(lines) + "\n"


def live_log(root: Path) -> str:
    clock = ManualClock()
    origin = FakeFetcher(clock)
    for k in (0, 1):
        body = (root / "r0" / f"s{k:03d}.ts").read_bytes()
        for n in range(k, 40, 2):
            origin.serve(f"{ORIGIN}live/s{k:03d}.ts?n={n}", body, ttfb=0.05, duration=0.2)
    origin.serve_live(
        ORIGIN + "live/index.m3u8",
        lambda t: Reply(body=live_playlist(t).encode(), ttfb=0.02),
    )
    origin.outage(9.0, 13.0, "refused")
    events: list[tuple[int, float, Event]] = []
    src = HlsSource(
        ORIGIN + "live/index.m3u8",
        clock=clock,
        fetcher=origin,
        emit=lambda e: events.append((len(origin.requests), clock.now(), e)),
        rand=lambda: 0.5,
    )
    reader = PacedReader(src, clock)
    try:
        # the reader would play for ever: stop it after 24 s of the clock
        drive(clock, 2, lambda: reader.done or clock.now() >= 24.0, max_seconds=60)
    finally:
        reader.stop()
        src.close()
    with contextlib.suppress(NetworkError):
        reader.join()  # stopped while pacing, or its read interrupted by the close
    out = [
        "# live window of 4 segments, origin refusing connections from 9 s to 13 s",
        f"# media {_digest(root / 'r0')} (lab.demo_hls rung 0)",
    ]
    loader: list[tuple[float, int, str]] = []
    pending = list(events)
    for i, r in enumerate(origin.requests):
        while pending and pending[0][0] <= i:
            _, t, e = pending.pop(0)
            loader.append((t, len(loader), _event_line(e)))
        loader.append(
            (r.t, len(loader), f"fetch {r.kind} {r.url.removeprefix(ORIGIN)} -> {r.outcome}")
        )
    loader += [(t, len(loader) + j, _event_line(e)) for j, (_, t, e) in enumerate(pending)]
    out += [f"{t:8.3f} {text}" for t, _, text in sorted(loader)]
    keys = [
        (reader.read_at[i], p)
        for i, p in enumerate(reader.packets)
        if p.stream.kind == "video" and (p.keyframe or p.discontinuity)
    ]
    out.append("# video keyframes read (clock time, pts, D: after a break)")
    out += [f"{t:8.3f} {_fmt(p.pts)}{' D' if p.discontinuity else ''}" for t, p in keys]
    return "\n".join(out) + "\n"


def test_a_live_outage_gives_the_golden_run(ladder: Path, golden: Golden) -> None:
    log = live_log(ladder)
    assert "Reconnecting" in log and "Reconnected" in log
    assert live_log(ladder) == log
    golden.check("hls_live_outage.log", log)
