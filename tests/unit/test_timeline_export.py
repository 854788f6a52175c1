from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from player.timeline_export import CSV_COLUMNS, write_timeline

REPORT: dict[str, Any] = {
    "schema": "heureum.report/1",
    "url": "https://***@cdn.example/a.m3u8",
    "timeline": [
        {"t": 0.5, "type": "state", "state": "playing"},
        {"t": 3.0, "type": "switch", "to_index": 0, "bandwidth": 400000, "rule": "abandon"},
        {"t": 4.0, "type": "stall_start"},
    ],
}
ABR: list[dict[str, Any]] = [
    {"t": 1.0, "estimate_bps": 5e6, "selected_bitrate": 3000000, "buffer": 4.0, "marker": None},
    {"t": 3.0, "estimate_bps": 7e5, "selected_bitrate": 400000, "buffer": 2.5, "marker": "switch",
     "detail": "abandon"},
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
