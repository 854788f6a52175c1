"""The fault table: issue 10's faults on the project's fault-injecting server
(``tests/support/faulty_http.py``), each played headless to its end or its
error in real time with the shipped network settings, one row per case.

The cases are the issue's (one bad HLS segment: a stall, a 404 once or for
good, resets, wrong Content-Lengths, a trickle, a run of missing segments, a
progressive file reset mid-body) and three that later work added: a variant
that fails once and whether it comes back, a VOD origin that goes away for
15 s and comes back, and a live segment that resets on every try while the
live window moves on. Each row says how far
playback got, how it ended and after how long, the gaps, and what the
server saw (for the variant: segments fetched from the top rung after its
failure).

    .venv/bin/python -m benchmarks.faults [--only SUBSTRING] [--json FILE]

About 4-5 minutes in all (every case plays in real time).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from player.config import BufferConfig, PlayerConfig
from tests.support import hls_media, media
from tests.support.fault_play import FAULT_CONFIG, FaultRun, play_to_end
from tests.support.faulty_http import FaultyHttpServer, SegmentFault

__all__ = ["CASES", "Case", "Row", "main", "run_case"]


@dataclass(frozen=True)
class Case:
    name: str
    #: the media the server serves (a folder, made and cached by the test fixtures)
    root: Callable[[], Path]
    #: scripts the faults on the server and returns the URL to play
    setup: Callable[[FaultyHttpServer, Path], str]
    #: what to count on the server afterwards: (label, fnmatch pattern); a
    #: pattern with "{after}" counts the top rung's segments after the failure
    count: tuple[tuple[str, str], ...] = ()
    timeout: float = 60.0
    config: PlayerConfig = FAULT_CONFIG


@dataclass
class Row:
    case: str
    reached: float
    read_until: float
    outcome: str
    seconds: float
    error: str | None
    gaps: int
    warnings: list[str]
    counts: dict[str, int]

    def text(self) -> str:
        end = f"{self.outcome} at {self.seconds:.1f} s"
        if self.error:
            end += f": {self.error[:70]}"
        counts = ", ".join(f"{k} {v}" for k, v in self.counts.items())
        gaps = f"{self.gaps} gap{'s' if self.gaps != 1 else ''}"
        return f"{self.reached:.1f} s played, {end}; {gaps}" + (f"; {counts}" if counts else "")


def _vod16() -> Path:
    return hls_media.ts_vod(16.0)


def _fault(pattern: str, fault: SegmentFault) -> Callable[[FaultyHttpServer, Path], str]:
    def setup(srv: FaultyHttpServer, root: Path) -> str:
        srv.add_fault(pattern, fault)
        return srv.hls("index.m3u8")

    return setup


def _no_ranges_stall(srv: FaultyHttpServer, root: Path) -> str:
    srv.ranges = False
    srv.add_fault("s004.ts", SegmentFault("pause", after=30_000, seconds=7.0, times=None))
    return srv.hls("index.m3u8")


def _missing_5_to_14(srv: FaultyHttpServer, root: Path) -> str:
    srv.add_fault("s00[5-9].ts", SegmentFault("status", status=404, times=None))
    srv.add_fault("s01[0-4].ts", SegmentFault("status", status=404, times=None))
    return srv.hls("index.m3u8")


def _progressive_reset(srv: FaultyHttpServer, root: Path) -> str:
    file = media.make_av_file(seconds=20.0, crf=30)
    return srv.reset_after(800_000, file.name, rate=250_000)


def _progressive_root() -> Path:
    return media.make_av_file(seconds=20.0, crf=30).parent


def _variant_once(srv: FaultyHttpServer, root: Path) -> str:
    """The top rung's s002 is gone for good; everything else is there."""
    srv.add_fault("v1/s002.ts", SegmentFault("status", status=404, times=None))
    return srv.hls("master.m3u8")


def _origin_down(srv: FaultyHttpServer, root: Path) -> str:
    """The whole origin answers 503 for 15 s from 6 s into the session."""
    srv.outage(6.0, 15.0)
    return srv.hls("index.m3u8")


def _live_reset(srv: FaultyHttpServer, root: Path) -> str:
    srv.add_fault("s006.ts", SegmentFault("reset", after=20_000, times=None))
    return srv.live()


CASES: tuple[Case, ...] = (
    Case(
        "7 s stall inside s004, ranges honoured",
        _vod16,
        _fault("s004.ts", SegmentFault("pause", after=30_000, seconds=7.0, times=None)),
        (("s004 requests", "s004.ts"),),
    ),
    Case("same, server ignores ranges", _vod16, _no_ranges_stall, (("s004 requests", "s004.ts"),)),
    Case(
        "stall in s001 (2 s buffered)",
        _vod16,
        _fault("s001.ts", SegmentFault("pause", after=30_000, seconds=7.0, times=None)),
    ),
    Case(
        "404 on the first request of s003",
        _vod16,
        _fault("s003.ts", SegmentFault("status", status=404, times=1)),
    ),
    Case(
        "404 on the first request of every segment",
        _vod16,
        _fault("s*.ts", SegmentFault("status", status=404, times=1)),
    ),
    Case(
        "reset on every try of s003",
        _vod16,
        _fault("s003.ts", SegmentFault("reset", after=20_000, times=None)),
        (("s003 requests", "s003.ts"),),
    ),
    Case(
        "Content-Length 50 kB too long",
        _vod16,
        _fault("s003.ts", SegmentFault("long-length", times=None)),
    ),
    Case(
        "Content-Length half the body",
        _vod16,
        _fault("s003.ts", SegmentFault("short-length", times=None)),
    ),
    Case(
        "s003 missing, single variant",
        _vod16,
        _fault("s003.ts", SegmentFault("status", status=404, times=None)),
    ),
    Case(
        "s003 trickling at 2 kB/s",
        _vod16,
        _fault("s003.ts", SegmentFault("trickle", rate=2000, times=None)),
        timeout=120.0,
    ),
    Case("30 s VOD, segments 5-14 404", lambda: hls_media.ts_vod(30.0), _missing_5_to_14),
    Case("progressive MP4, reset at byte 800 000", _progressive_root, _progressive_reset),
    Case(
        "2-rung 60 s ladder, top rung's s002 404 for good",
        lambda: hls_media.muxed_ladder_vod(60.0),
        _variant_once,
        (("top-rung segments after s002", "v1/s0{after}.ts"), ("low-rung segments", "v0/s*.ts")),
        timeout=90.0,
        # a 10 s buffer: the 30 s penalty ends with the stream's second half still to fetch
        config=replace(FAULT_CONFIG, buffer=BufferConfig(max_seconds=10.0)),
    ),
    Case(
        "30 s VOD, origin down (503) for 15 s, 4 s buffered",
        lambda: hls_media.ts_vod(30.0),
        _origin_down,
        timeout=90.0,
        config=replace(FAULT_CONFIG, buffer=BufferConfig(max_seconds=4.0)),
    ),
    Case(
        "live window, s006 reset on every try",
        lambda: hls_media.ts_vod(24.0),
        _live_reset,
        (("s006 requests", "s006.ts"), ("s007 requests", "s007.ts")),
    ),
)


def _count(srv: FaultyHttpServer, pattern: str) -> int:
    if "{after}" not in pattern:
        return len(srv.hits(pattern))
    return sum(len(srv.hits(pattern.replace("{after}", f"{n:02d}"))) for n in range(3, 30))


def run_case(case: Case) -> Row:
    root = case.root()
    with FaultyHttpServer(root) as srv:
        url = case.setup(srv, root)
        run: FaultRun = play_to_end(url, timeout=case.timeout, config=case.config)
        counts = {label: _count(srv, pattern) for label, pattern in case.count}
    abr = run.report.get("abr")
    gaps = abr.get("segment_gaps", 0) if isinstance(abr, dict) else 0
    return Row(
        case=case.name,
        reached=round(run.reached, 1),
        read_until=round(run.read_until, 1),
        outcome=run.outcome,
        seconds=round(run.seconds, 1),
        error=run.error,
        gaps=int(gaps or 0),
        warnings=sorted({w.code for w in run.warnings}),
        counts=counts,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run the cases whose name contains this")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args(argv)
    cases = [c for c in CASES if not args.only or args.only in c.name]
    rows: list[Row] = []
    print("| fault | result | warnings |")
    print("|---|---|---|")
    for case in cases:
        row = run_case(case)
        rows.append(row)
        print(f"| {row.case} | {row.text()} | {', '.join(row.warnings) or '-'} |", flush=True)
    if args.json is not None:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
