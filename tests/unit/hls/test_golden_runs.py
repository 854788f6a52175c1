"""Golden runs: ``HlsSource`` on a scripted origin and a ``ManualClock``, its
log (requests, events with the ABR's inputs and rule, packets read, the ABR
timeline) compared byte for byte with ``tests/golden/*.log``.

The media is made with PyAV (``lab.demo_hls``), whose bundled FFmpeg makes
the same bytes on every machine for one PyAV version; the log's header holds
the media's hash, so a PyAV upgrade shows as that, not as a riddle."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from lab.demo_hls import make_hls_demo
from player.clock import ManualClock
from player.events import Event
from player.hls.source import HlsConfig, HlsSource
from tests.support.clocked_run import PacedReader, drive
from tests.support.fake_fetcher import FakeFetcher
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
    reader = PacedReader(src, clock)
    try:
        drive(clock, 2, lambda: reader.done, max_seconds=120)
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
