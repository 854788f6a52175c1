"""``heureum --headless --abr-policy mpc`` on the built-in demo's ladder (its
four rungs, served through the demo's own bandwidth pattern): the report
names the policy that ran, and every switch in it is that policy's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab.demo_hls import DEMO_PATTERN, RUNGS, make_hls_demo
from lab.origin import ThrottleServer
from tests.e2e.test_cli import heureum


@pytest.fixture(scope="module")
def demo_ladder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # the demo's rungs; 4 s of media looped 3 times keeps the encode short
    master = make_hls_demo(tmp_path_factory.mktemp("demo") / "ladder", seconds=4, loops=3)
    return master.parent


@pytest.fixture
def demo(demo_ladder: Path) -> Iterator[ThrottleServer]:
    with ThrottleServer(demo_ladder, bandwidth=DEMO_PATTERN) as server:
        yield server


def test_headless_mpc_run_reports_mpc_and_its_switches(
    demo: ThrottleServer, tmp_path: Path
) -> None:
    report = tmp_path / "r.json"
    result = heureum(
        "--headless",
        "--no-audio",
        "--abr-policy",
        "mpc",
        "--duration",
        "6",
        "--report",
        str(report),
        demo.url("master.m3u8"),
        timeout=90,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    data = json.loads(report.read_text())
    abr = data["abr"]
    assert abr["policy"] == "mpc"
    # used, so not said to be unused (as on a file: test_abr_policy_unused.py)
    assert not [w for w in data["warnings"] if w["code"] == "abr-policy-unused"]
    assert "ABR" not in result.stderr
    assert abr["variants"] == len(RUNGS)
    rules = [e["rule"] for e in data["timeline"] if e.get("type") == "switch"]
    # the first choice is the start-up rule's; every later one is MPC's plan
    # (the hybrid's rules are named throughput/bola/abandon)
    assert rules, data["timeline"]
    assert all(r.startswith(("mpc", "startup")) for r in rules), rules
    assert any(r.startswith("mpc") for r in rules), rules
