"""How the glass-to-glass benchmark turns its figures into issue 11's
verdicts and its summaries (pure: no window, no stream)."""

from __future__ import annotations

from typing import Any

from benchmarks.glass_to_glass import _beside_report, _per_second, verdicts


def _run(protocol: str, player: str, glass: int, first: float, minus: int) -> dict[str, Any]:
    return {
        "protocol": protocol,
        "player": player,
        "run": 1,
        "glass_median_ms": glass,
        "report": {"time_to_first_frame_s": first},
        "report_vs_glass": {"minus_glass_median_ms": minus},
    }


def test_rtsp_targets_differ_by_mode_and_misses_are_named() -> None:
    lines = verdicts(
        [
            _run("rtsp-udp", "heureum", 900, 0.4, -3),
            _run("rtsp-tcp", "heureum --low-latency", 420, 1.1, 150),
            _run("hls", "heureum", 3600, 0.3, 20),
            {"protocol": "rtsp-udp", "player": "mpv", "glass_median_ms": 5000},
            {"protocol": "rmtp", "player": "heureum", "error": "no clock read"},
        ]
    )
    assert lines == [
        "  rtsp-udp heureum (pass 1) glass median: 900 ms (target <= 1000) met",
        "  rtsp-udp heureum (pass 1) first frame: 0.4 s (target <= 0.8) met",
        "  rtsp-udp heureum (pass 1) |report - glass|: 3 ms (target <= 100) met",
        "  rtsp-tcp heureum --low-latency (pass 1) glass median: 420 ms (target <= 300) MISSED",
        "  rtsp-tcp heureum --low-latency (pass 1) first frame: 1.1 s (target <= 0.8) MISSED",
        "  rtsp-tcp heureum --low-latency (pass 1) |report - glass|: 150 ms (target <= 100) MISSED",
        "  hls heureum (pass 1) |report - glass|: 20 ms (target <= 100) met",
    ]


def test_the_report_is_paired_with_the_glass_at_the_same_moment() -> None:
    # glass: 500 ms until t=10, then 800 ms; the report lags the change by nothing
    samples = [(10.0 + i * 0.02, 500.0 if i < 50 else 800.0) for i in range(100)]
    lines = [
        {"wall": 10.5, "latency": {"end_to_end_s": 0.52, "to_live_edge_s": 0.1}},
        {"wall": 11.5, "latency": {"end_to_end_s": 0.79, "to_live_edge_s": 0.3}},
        {"wall": 30.0, "latency": {"end_to_end_s": 9.0}},  # after the run: left out
        {"wall": 11.0, "latency": {"end_to_end_s": None, "end_to_end_reason": "x"}},
    ]
    beside = _beside_report(lines, samples)
    assert beside == {
        "pairs": 2,
        "end_to_end_median_ms": 655,
        "minus_glass_median_ms": 5,  # +20 and -10
        "minus_glass_p95_abs_ms": 20,
        "to_live_edge_median_ms": 200,
    }
    assert _beside_report([], samples) is None


def test_per_second_medians_show_a_stall() -> None:
    samples = [(100.0 + i * 0.25, 300.0 if i < 8 else 2300.0) for i in range(16)]
    assert _per_second(samples) == [300, 300, 2300, 2300]
    assert _per_second([]) == []
