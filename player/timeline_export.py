"""A session's timeline for testers' tools: JSON (the report plus every ABR
sample and marker) or CSV (one row per sample or event), written atomically."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .capabilities import TimelineEntry
from .report import write_json_atomic, write_text_atomic

__all__ = ["CSV_COLUMNS", "timeline_rows", "write_timeline"]

CSV_COLUMNS = ("t", "kind", "estimate_bps", "selected_bitrate", "buffer_s", "marker", "detail")


def timeline_rows(report: dict[str, Any], abr: Sequence[TimelineEntry]) -> list[dict[str, Any]]:
    """ABR samples and markers merged with the session's events, by time."""
    rows: list[dict[str, Any]] = []
    for entry in abr:
        # rounded as ``TimelineEntry.as_dict`` rounds for the JSON export:
        # both exports of one session show the same figures
        rows.append(
            {
                "t": round(entry.t, 3),
                "kind": "abr",
                "estimate_bps": round(entry.estimate_bps),
                "selected_bitrate": entry.selected_bitrate,
                "buffer_s": round(entry.buffer, 3),
                "marker": entry.marker or "",
                "detail": entry.detail,
            }
        )
    for event in report.get("timeline", []):
        detail = {k: v for k, v in event.items() if k not in ("t", "type")}
        rows.append(
            {
                "t": event.get("t"),
                "kind": "event",
                "estimate_bps": event.get("estimate_bps", ""),
                "selected_bitrate": event.get("bandwidth", ""),
                "buffer_s": event.get("buffer", ""),
                "marker": event.get("type", ""),
                "detail": "; ".join(f"{k}={v}" for k, v in detail.items()),
            }
        )
    rows.sort(key=lambda r: float(r["t"]) if isinstance(r["t"], int | float) else 0.0)
    return rows


def write_timeline(path: str | Path, report: dict[str, Any], abr: Sequence[TimelineEntry]) -> Path:
    """``.csv`` → CSV rows; anything else → JSON ``{"report", "abr_timeline"}``
    (each entry as ``TimelineEntry.as_dict`` gives it)."""
    target = Path(path)
    if target.suffix.lower() == ".csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(timeline_rows(report, abr))
        return write_text_atomic(target, buf.getvalue())
    entries = [entry.as_dict() for entry in abr]
    return write_json_atomic(target, {"report": report, "abr_timeline": entries})
