"""``--otlp ENDPOINT``: the probe's figures (the same as ``--metrics-port``
serves) pushed to an OpenTelemetry collector as OTLP/HTTP protobuf, every
``interval`` seconds and once more when the run ends.

It needs ``heureum[otlp]`` (the generated OTLP classes and protobuf), which
is imported only here, only with the flag: the frozen build leaves it out."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .metrics_http import FIGURES, StreamStats, figure_value
from .redact import redact_url
from .stats import SessionStats

__all__ = [
    "DEFAULT_INTERVAL",
    "INSTALL_HINT",
    "OtlpPusher",
    "encode_request",
    "metrics_url",
    "start_for_cli",
]

INSTALL_HINT = "pip install 'heureum[otlp]'"
#: the OTLP/HTTP path of metrics, added to an endpoint given without a path
METRICS_PATH = "/v1/metrics"
#: a probe's figures change by the second; a collector wants them less often
DEFAULT_INTERVAL = 10.0
SCOPE = "heureum.probe"

Streams = Callable[[], Sequence[tuple[int, str, SessionStats]]]


def metrics_url(endpoint: str) -> str:
    """The URL to post to: ``endpoint`` as given when it has a path, else
    with ``/v1/metrics`` (OTLP's base endpoint rule). ValueError with the
    reason for anything but an http(s) URL."""
    parts = urlsplit(endpoint.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http:// or https:// URL: {redact_url(endpoint)!r}")
    if parts.path in ("", "/"):
        parts = parts._replace(path=METRICS_PATH)
    return urlunsplit(parts)


def _unit(name: str) -> str:
    if name.endswith("_seconds"):
        return "s"
    if name.endswith("_bits_per_second"):
        return "bit/s"
    if name.endswith("_lines"):
        return "{line}"
    return "1"


def encode_request(
    streams: Sequence[StreamStats], *, start_ns: int, now_ns: int, version: str
) -> bytes:
    """One ``ExportMetricsServiceRequest``: gauges as OTLP gauges, counters
    as cumulative monotonic sums; a figure a stream cannot give is left out
    (absent, never 0), as on the Prometheus endpoint."""
    from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
        ExportMetricsServiceRequest,
    )
    from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
    from opentelemetry.proto.metrics.v1.metrics_pb2 import AggregationTemporality

    def attr(key: str, value: str) -> Any:
        return KeyValue(key=key, value=AnyValue(string_value=value))

    request = ExportMetricsServiceRequest()
    resource_metrics = request.resource_metrics.add()
    resource_metrics.resource.attributes.extend(
        [attr("service.name", "heureum"), attr("service.version", version)]
    )
    scope_metrics = resource_metrics.scope_metrics.add()
    scope_metrics.scope.name = SCOPE
    scope_metrics.scope.version = version
    for name, help_text, kind, read in FIGURES:
        points = []
        for s in streams:
            value = figure_value(read, s.stats)
            if value is not None:
                points.append((s, value))
        if not points:
            continue
        metric = scope_metrics.metrics.add(name=name, description=help_text, unit=_unit(name))
        if kind == "counter":
            metric.sum.is_monotonic = True
            metric.sum.aggregation_temporality = (
                AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE
            )
            data = metric.sum.data_points
        else:
            data = metric.gauge.data_points
        for s, value in points:
            point = data.add(start_time_unix_nano=start_ns, time_unix_nano=now_ns, as_double=value)
            protocol = s.stats.protocol
            point.attributes.extend(
                [attr("stream", str(s.index + 1)), attr("url", s.url), attr("protocol", protocol)]
            )
    data_bytes: bytes = request.SerializeToString()
    return data_bytes


class OtlpPusher:
    """Posts ``streams()``'s figures to ``url`` on a thread. A collector that
    does not answer is said once per outage on stderr; the run goes on."""

    def __init__(
        self,
        url: str,
        streams: Streams,
        *,
        interval: float = DEFAULT_INTERVAL,
        prog: str = "heureum",
        timeout: float = 5.0,
    ) -> None:
        from . import __version__

        self.url = url
        self._streams = streams
        self._interval = interval
        self._prog = prog
        self._timeout = timeout
        self._version = __version__
        self._start_ns = time.time_ns()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._failing = False
        self.sent = 0

    def push(self) -> bool:
        import httpx

        streams = [StreamStats(*entry) for entry in self._streams()]
        body = encode_request(
            streams, start_ns=self._start_ns, now_ns=time.time_ns(), version=self._version
        )
        try:
            response = httpx.post(
                self.url,
                content=body,
                headers={"Content-Type": "application/x-protobuf"},
                timeout=self._timeout,
            )
            response.raise_for_status()
        except httpx.HTTPError as exc:
            if not self._failing:
                self._failing = True
                reason = str(exc) or type(exc).__name__
                print(
                    f"{self._prog}: warning: cannot send metrics to {redact_url(self.url)}: "
                    f"{redact_url(reason)}; trying again every {self._interval:g} s",
                    file=sys.stderr,
                    flush=True,
                )
            return False
        self._failing = False
        self.sent += 1
        return True

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.push()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="heureum-otlp", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread and push the figures once more: the run's last."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self._timeout + 1)
            self._thread = None
        self.push()


def start_for_cli(
    endpoint: str, streams: Streams, prog: str, interval: float = DEFAULT_INTERVAL
) -> OtlpPusher | None:
    """The pusher, started; None after one line on stderr saying why not (the
    extra is not installed, the endpoint is not an http(s) URL)."""
    try:
        # the generated classes bring protobuf with them
        import opentelemetry.proto.metrics.v1.metrics_pb2  # noqa: F401
    except ImportError:
        print(
            f"{prog}: error: --otlp needs the OpenTelemetry extra: {INSTALL_HINT}",
            file=sys.stderr,
        )
        return None
    try:
        url = metrics_url(endpoint)
    except ValueError as exc:
        print(f"{prog}: error: --otlp: {exc}", file=sys.stderr)
        return None
    pusher = OtlpPusher(url, streams, interval=interval, prog=prog)
    pusher.start()
    print(
        f"{prog}: metrics sent to {redact_url(url)} every {interval:g} s (OTLP/HTTP)",
        file=sys.stderr,
    )
    return pusher
