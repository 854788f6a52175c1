"""``--otlp``: a real run pushing to a loopback OTLP/HTTP receiver started
here, which decodes the posted protobuf; the figures are checked against the
report the same run writes."""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.metrics.v1.metrics_pb2 import AggregationTemporality

from player.metrics_http import FIGURES, figure_value
from player.otlp import INSTALL_HINT
from tests.e2e.test_cli import heureum
from tests.support.servers import free_port


class Receiver:
    """An OTLP/HTTP metrics receiver on loopback: every POST kept decoded."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, str, ExportMetricsServiceRequest]] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                request = ExportMetricsServiceRequest.FromString(body)
                with receiver._lock:
                    receiver.posts.append((self.path, self.headers["Content-Type"], request))
                reply = ExportMetricsServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def _points(request: ExportMetricsServiceRequest) -> dict[tuple[str, str], tuple[str, Any]]:
    """{(metric, stream): (kind, data point)} of one push."""
    out: dict[tuple[str, str], tuple[str, Any]] = {}
    for rm in request.resource_metrics:
        for sm in rm.scope_metrics:
            for metric in sm.metrics:
                kind = metric.WhichOneof("data")
                for point in getattr(metric, kind).data_points:
                    attrs = {a.key: a.value.string_value for a in point.attributes}
                    out[(metric.name, attrs["stream"])] = (kind, point)
    return out


def test_headless_pushes_the_reports_figures(
    receiver: Receiver, av_file: Path, tmp_path: Path
) -> None:
    report_path = tmp_path / "r.json"
    result = heureum(
        "--headless", "--no-audio", "--otlp", receiver.url, "--otlp-interval", "0.5",
        "--report", str(report_path), str(av_file),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"metrics sent to {receiver.url}/v1/metrics every 0.5 s" in result.stderr
    report = json.loads(report_path.read_text())
    posts = list(receiver.posts)
    assert len(posts) >= 4  # a 4 s file, every 0.5 s, and the last one at the end
    sent = {(path, ctype) for path, ctype, _ in posts}
    assert sent == {("/v1/metrics", "application/x-protobuf")}
    last = posts[-1][2]
    resource = {a.key: a.value.string_value for a in last.resource_metrics[0].resource.attributes}
    assert resource["service.name"] == "heureum"
    points = _points(last)
    # the same figures the Prometheus endpoint gives for this run, no more
    expected = {name for name, _, _, read in FIGURES if figure_value(read, report) is not None}
    assert {name for name, _ in points} == expected
    kinds = {name: kind for name, _, kind, _ in FIGURES}
    for (name, stream), (kind, point) in points.items():
        assert stream == "1"
        assert kind == ("sum" if kinds[name] == "counter" else "gauge")
        attrs = {a.key: a.value.string_value for a in point.attributes}
        assert attrs["protocol"] == "file" and attrs["url"] == report["url"]
    # the values are the report's
    assert points[("heureum_frames_presented", "1")][1].as_double == report["frames"]["presented"]
    assert points[("heureum_time_to_first_frame_seconds", "1")][1].as_double == pytest.approx(
        report["time_to_first_frame_s"]
    )
    assert points[("heureum_video_height_lines", "1")][1].as_double == 360
    assert points[("heureum_stalls", "1")][1].as_double == report["rebuffer_count"]
    assert points[("heureum_up", "1")][1].as_double == 0  # ended
    # counters are cumulative from one start time, and grew over the run
    shown = [_points(p[2]).get(("heureum_frames_presented", "1")) for p in posts]
    values = [s[1].as_double for s in shown if s is not None]
    assert values == sorted(values) and values[0] < values[-1]
    sums = [m for m in last.resource_metrics[0].scope_metrics[0].metrics if m.HasField("sum")]
    assert sums and all(
        m.sum.is_monotonic
        and m.sum.aggregation_temporality
        == AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE
        for m in sums
    )
    starts = {s[1].start_time_unix_nano for s in shown if s is not None}
    assert len(starts) == 1


def test_compare_pushes_every_stream(receiver: Receiver, av_file: Path) -> None:
    result = heureum(
        "compare", str(av_file), str(av_file), "--duration", "2", "--no-audio",
        "--otlp", f"{receiver.url}/custom/path",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    path, _, last = receiver.posts[-1]
    assert path == "/custom/path"  # an endpoint with a path is used as given
    points = _points(last)
    assert points[("heureum_frames_presented", "1")][1].as_double > 0
    assert points[("heureum_frames_presented", "2")][1].as_double > 0


def test_a_collector_that_is_down_is_one_warning_and_the_run_goes_on(av_file: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = heureum(
        "--headless", "--no-audio", "--duration", "2", "--otlp", url, "--otlp-interval", "0.5",
        str(av_file),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "cannot send metrics to" in warnings[0]
    assert "presented=" in result.stdout


def test_a_bad_endpoint_is_one_usage_line(av_file: Path) -> None:
    result = heureum("--headless", "--no-audio", "--otlp", "ftp://collector", str(av_file))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "heureum: error: --otlp: not an http:// or https:// URL: 'ftp://collector'"
    ]


def test_without_the_extra_one_line_says_how_to_install(
    av_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """As on a plain ``pip install heureum``: the generated classes are missing."""
    from player.cli import main

    monkeypatch.setitem(sys.modules, "opentelemetry.proto.metrics.v1.metrics_pb2", None)
    # main() sets up the root logger on this (captured, soon closed) stderr:
    # the tests after this one must get the logging they had.
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    monkeypatch.setattr(root, "level", root.level)
    code = main(["--headless", "--no-audio", "--otlp", "http://127.0.0.1:4318", str(av_file)])
    assert code == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [f"heureum: error: --otlp needs the OpenTelemetry extra: {INSTALL_HINT}"]
