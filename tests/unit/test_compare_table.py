"""The comparison table from reports (no I/O): outcomes, medians, rungs."""

from __future__ import annotations

from typing import Any

from player.compare import pick_rung
from player.compare_table import comparison, format_table, stream_outcome, table_csv, table_row
from player.events import VariantInfo

LADDER = (
    VariantInfo(0, 300_000, 320, 180),
    VariantInfo(1, 1_200_000, 640, 360),
    VariantInfo(2, 1_000_000, 640, 360),
    VariantInfo(3, 4_000_000, 1920, 1080),
)


def _report(index: int, **over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "url": f"rtsp://cam{index}/live",
        "protocol": "rtsp",
        "time_to_first_frame_s": 0.5 + index,
        "rebuffer_count": index,
        "rebuffer_seconds": 0.25 * index,
        "frames": {"presented": 100, "dropped": index},
        "bitrate_kbps": {"video": 800.0},
        "av_offset_ms": {"p95": 12.5},
        "reconnects": 0,
        "errors": [],
        "media": {"video": {"width": 640, "height": 360}},
        "latency": {"end_to_end_s": None, "to_live_edge_s": 0.4},
        "compare": {"index": index, "played": True, "failure": None, "samples": []},
    }
    base.update(over)
    return base


def test_pick_rung_takes_the_tallest_under_the_cap_and_the_richest_of_equals() -> None:
    assert pick_rung(LADDER, 720) == 1
    assert pick_rung(LADDER, 360) == 1
    assert pick_rung(LADDER, 1080) == 3
    assert pick_rung(LADDER, 100) == 0  # none fits: the lowest
    assert pick_rung((), 720) is None


def test_outcome_needs_a_frame_or_sound_and_no_fatal_error() -> None:
    played = {"frames": {"presented": 3}}
    silent = {"frames": {"presented": 0}, "time_to_first_audio_s": None}
    assert stream_outcome(played, None) == (True, None)
    assert stream_outcome(played, "Connection refused") == (False, "Connection refused")
    assert stream_outcome(silent, None) == (False, "nothing played before the end of the run")


def test_the_latency_column_is_the_median_of_the_label_most_samples_had() -> None:
    samples = [
        {"latency_s": 0.9, "latency_kind": "to live edge", "rung": 1, "height": 360},
        {"latency_s": 1.5, "latency_kind": "end to end", "rung": 1, "height": 360},
        {"latency_s": 1.1, "latency_kind": "end to end", "rung": 0, "height": 180},
        {"latency_s": 1.3, "latency_kind": "end to end", "rung": 1, "height": 360},
    ]
    variants = [vars(v) for v in LADDER]
    row = table_row(
        _report(0, compare={"index": 0, "played": True, "samples": samples, "variants": variants})
    )
    assert row["latency_s"] == 1.3 and row["latency_kind"] == "end to end"
    assert row["rung"] == "360p 75%, 180p 25%"
    assert row["resolution"] == "640x360"


def test_without_samples_the_final_figure_is_used_and_labelled() -> None:
    row = table_row(_report(0))
    assert row["latency_s"] == 0.4 and row["latency_kind"] == "to live edge"


def test_summary_table_text_and_csv_name_the_failed_stream() -> None:
    failed = _report(
        1,
        frames={"presented": 0, "dropped": 0},
        time_to_first_frame_s=None,
        compare={"index": 1, "played": False, "failure": "Connection refused", "samples": []},
    )
    summary = comparison([_report(0), failed])
    assert summary["all_played"] is False and summary["failed"] == [2]
    assert summary["best"] == {"ttff": 1, "latency": 1}
    text = format_table(summary)
    assert text.splitlines()[0].split() == ["stream", "1", "stream", "2"]
    assert "FAILED: Connection refused" in text
    lines = table_csv(summary).splitlines()
    assert lines[0].startswith("index,protocol,status,ttff_s,latency_s")
    assert lines[2].split(",")[2] == "FAILED"
    assert len(lines) == 3


def test_the_table_says_which_abr_policy_chose_each_streams_rungs() -> None:
    hls = _report(0, protocol="hls", abr={"policy": "mpc"})
    summary = comparison([hls, _report(1)])
    assert [row["abr_policy"] for row in summary["table"]] == ["mpc", None]
    policy_line = next(x for x in format_table(summary).splitlines() if x.startswith("ABR policy"))
    assert policy_line.split()[2:] == ["mpc", "-"]
