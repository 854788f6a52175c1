from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from player.capabilities import TimelineEntry
from player.timeline_export import CSV_COLUMNS, write_timeline
from tests.support.golden import Golden

REPORT: dict[str, Any] = {
    "schema": "heureum.report/1",
    "url": "https://***@cdn.example/a.m3u8",
    "timeline": [
        {"t": 0.5, "type": "state", "state": "playing"},
        {"t": 3.0, "type": "switch", "to_index": 0, "bandwidth": 400000, "rule": "abandon"},
        {"t": 4.0, "type": "stall_start"},
    ],
}
ABR: list[TimelineEntry] = [
    TimelineEntry(t=1.0, estimate_bps=5e6, selected_bitrate=3000000, buffer=4.0),
    TimelineEntry(t=3.0, estimate_bps=7e5, selected_bitrate=400000, buffer=2.5, marker="switch",
                  detail="abandon"),
]  # fmt: skip


def test_csv_has_every_sample_and_event_in_time_order(tmp_path: Path) -> None:
    path = write_timeline(tmp_path / "t.csv", REPORT, ABR)
    with path.open() as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    assert len(rows) == 5
    times = [float(r["t"]) for r in rows]
    assert times == sorted(times)
    switch = next(r for r in rows if r["kind"] == "event" and r["marker"] == "switch")
    assert switch["selected_bitrate"] == "400000" and "rule=abandon" in switch["detail"]
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


def test_json_keeps_the_report_and_the_samples(tmp_path: Path) -> None:
    path = write_timeline(tmp_path / "t.json", REPORT, ABR)
    data = json.loads(path.read_text())
    assert data["report"]["schema"] == "heureum.report/1"
    assert data["abr_timeline"][1]["marker"] == "switch"


#: the golden files' session: ABR entries with unrounded times, estimates and
#: buffers, an unmeasured start, markers with and without a detail (one with
#: commas, quoted in the CSV), on the source's clock ``OFFSET`` s after the
#: session's; and events with and without ABR figures
GOLDEN_REPORT: dict[str, Any] = {
    "schema": "heureum.report/1",
    "url": "https://***@cdn.example/a.m3u8",
    "timeline": [
        {"t": 0.5, "type": "state", "state": "playing"},
        {"t": 3.0, "type": "switch", "to_index": 0, "bandwidth": 400000, "rule": "abandon",
         "estimate_bps": 700000, "buffer": 2.5},
        {"t": 4.0, "type": "stall_start"},
    ],
}  # fmt: skip
GOLDEN_ENTRIES = (
    TimelineEntry(0.8004, 1_000_000.0, 400_000, 0.0, measured=False),
    TimelineEntry(1.23456, 5_123_456.7, 3_000_000, 4.00049),
    TimelineEntry(2.9996, 700_000.4, 400_000, 2.5, marker="switch", detail="abandon: 7.0 s left"),
    TimelineEntry(4.0, 650_000.0, 400_000, 0.0, marker="stall"),
    TimelineEntry(5.5, 640_000.0, 400_000, 1.25, marker="gap", detail="segment 7, a,b"),
)
OFFSET = 0.25


@pytest.mark.parametrize("name", ["timeline_export.csv", "timeline_export.json"])
def test_both_exports_keep_their_bytes(tmp_path: Path, name: str, golden: Golden) -> None:
    """The golden files were written by the export as it was when the timeline
    was a list of dicts (``as_dict`` with the offset added, then rounded):
    typed entries with the offset applied give the same bytes."""
    entries = [replace(e, t=e.t + OFFSET) for e in GOLDEN_ENTRIES]
    path = write_timeline(tmp_path / name, GOLDEN_REPORT, entries)
    golden.check(name, path.read_bytes().decode("utf-8"))


def test_the_csv_and_the_json_show_the_same_figures(tmp_path: Path) -> None:
    entries = [replace(e, t=e.t + OFFSET) for e in GOLDEN_ENTRIES]
    with write_timeline(tmp_path / "t.csv", {}, entries).open() as fh:
        rows = list(csv.DictReader(fh))
    shown = json.loads(write_timeline(tmp_path / "t.json", {}, entries).read_text())
    assert len(rows) == len(shown["abr_timeline"]) == len(entries)
    for row, entry in zip(rows, shown["abr_timeline"], strict=True):
        assert float(row["t"]) == entry["t"]
        assert int(row["estimate_bps"]) == entry["estimate_bps"]
        assert int(row["selected_bitrate"]) == entry["selected_bitrate"]
        assert float(row["buffer_s"]) == entry["buffer"]
        assert row["marker"] == (entry["marker"] or "") and row["detail"] == entry["detail"]
