"""The comparison table: one row of figures per stream, from the streams'
reports, as the terminal, the CSV and the window show it."""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from typing import Any

from .latency import headline

__all__ = [
    "COLUMNS",
    "cell_text",
    "comparison",
    "format_table",
    "stream_outcome",
    "table_csv",
    "table_row",
]

#: (key, label) of every column, in the order shown
COLUMNS: tuple[tuple[str, str], ...] = (
    ("index", "#"),
    ("protocol", "protocol"),
    ("status", "status"),
    ("ttff_s", "first frame (s)"),
    ("latency_s", "latency (s)"),
    ("latency_kind", "latency is"),
    ("stalls", "stalls"),
    ("stall_s", "stalled (s)"),
    ("video_kbps", "video (kb/s)"),
    ("resolution", "resolution"),
    ("rung", "rung played"),
    ("abr_policy", "ABR policy"),
    ("dropped", "frames dropped"),
    ("av_p95_ms", "A/V p95 (ms)"),
    ("reconnects", "reconnects"),
    ("errors", "errors"),
    ("url", "url"),
    ("reason", "why it failed"),
)


def stream_outcome(report: dict[str, Any], fatal: str | None) -> tuple[bool, str | None]:
    """(played, why not): a stream played when it showed a frame (or sounded,
    audio only) and did not fail for good."""
    if fatal:
        return False, fatal
    frames = report.get("frames") or {}
    if frames.get("presented", 0) > 0 or report.get("time_to_first_audio_s") is not None:
        return True, None
    return False, "nothing played before the end of the run"


def _median_latency(samples: list[dict[str, Any]]) -> tuple[float | None, str]:
    """The median over the run of the headline figure, and its label: end to
    end from the samples that had it (a stream gets its first RTCP sender
    report a few seconds in), else to the live edge."""
    for kind in ("end to end", "to live edge"):
        values = [
            s["latency_s"]
            for s in samples
            if s.get("latency_kind") == kind and s.get("latency_s") is not None
        ]
        if values:
            return round(statistics.median(values), 3), kind
    return None, "-"


def _rung(report: dict[str, Any]) -> str:
    cmp = report.get("compare") or {}
    variants = cmp.get("variants") or []
    seen = Counter(s.get("rung") for s in cmp.get("samples", []) if s.get("rung") is not None)
    if not variants or not seen:
        return "-"
    parts = []
    total = sum(seen.values())
    for rung, count in seen.most_common():
        v = variants[rung] if isinstance(rung, int) and rung < len(variants) else {}
        name = f"{v.get('height')}p" if v.get("height") else f"#{rung}"
        parts.append(f"{name} {round(100 * count / total)}%")
    return ", ".join(parts)


def table_row(report: dict[str, Any]) -> dict[str, Any]:
    cmp = report.get("compare") or {}
    samples = cmp.get("samples") or []
    latency, kind = _median_latency(samples)
    if latency is None:
        # No samples (a very short run): the report's own final figure.
        latency, kind = headline(report.get("latency"))
    media = report.get("media") or {}
    video = media.get("video") or {}
    heights = [s["height"] for s in samples if s.get("height")]
    height = Counter(heights).most_common(1)[0][0] if heights else video.get("height")
    width = video.get("width") if video.get("height") == height else None
    resolution = f"{width}x{height}" if width and height else (f"{height}p" if height else "-")
    frames = report.get("frames") or {}
    played = cmp.get("played", True)
    return {
        "index": cmp.get("index", 0) + 1,
        "url": report.get("url"),
        "protocol": report.get("protocol") or "-",
        "status": "played" if played else "FAILED",
        "reason": cmp.get("failure"),
        "ttff_s": report.get("time_to_first_frame_s"),
        "latency_s": latency,
        "latency_kind": kind,
        "stalls": report.get("rebuffer_count", 0),
        "stall_s": report.get("rebuffer_seconds", 0.0),
        "video_kbps": (report.get("bitrate_kbps") or {}).get("video"),
        "resolution": resolution,
        "rung": _rung(report),
        # which rule chose the rungs: like is compared with like only under one
        "abr_policy": (report.get("abr") or {}).get("policy"),
        "dropped": frames.get("dropped", 0),
        "av_p95_ms": (report.get("av_offset_ms") or {}).get("p95"),
        "reconnects": report.get("reconnects", 0),
        "errors": len(report.get("errors") or []),
    }


def comparison(streams: list[dict[str, Any]]) -> dict[str, Any]:
    rows = [table_row(r) for r in streams]
    failed = [row["index"] for row in rows if row["status"] != "played"]

    def best(key: str) -> int | None:
        have = [r for r in rows if isinstance(r.get(key), int | float) and r["status"] == "played"]
        return min(have, key=lambda r: r[key])["index"] if have else None

    return {
        "all_played": not failed,
        "failed": failed,
        "table": rows,
        "best": {"ttff": best("ttff_s"), "latency": best("latency_s")},
    }


def cell_text(value: Any) -> str:
    """One table cell as text: '-' for nothing, 3 decimals below 100."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


def format_table(summary: dict[str, Any]) -> str:
    """The table for a terminal: one column per stream, one line per figure;
    the URLs and any failure under it."""
    rows = summary.get("table") or []
    lines: list[list[str]] = []
    for key, label in COLUMNS:
        if key in ("url", "reason", "index"):
            continue
        lines.append([label, *(cell_text(r.get(key)) for r in rows)])
    head = ["", *(f"stream {r['index']}" for r in rows)]
    widths = [max(len(line[i]) for line in [head, *lines]) for i in range(len(head))]
    out = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
           for line in [head, *lines]]  # fmt: skip
    for r in rows:
        out.append(f"stream {r['index']}: {r['url']}")
        if r["status"] != "played":
            out.append(f"  FAILED: {r['reason']}")
    return "\n".join(out)


def table_csv(summary: dict[str, Any]) -> str:
    """The table as CSV: a header, then one line per stream."""
    buf = io.StringIO()
    keys = [k for k, _ in COLUMNS]
    writer = csv.DictWriter(buf, fieldnames=keys, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in summary.get("table") or []:
        writer.writerow({k: "" if row.get(k) is None else row[k] for k in keys})
    return buf.getvalue()
