"""``--metrics-port``: headless and compare runs as long-lived probes, their
figures exposed for Prometheus (``prometheus-client``), read from the live
sessions at every scrape, labelled by stream and protocol."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "FIGURES",
    "MetricsEndpoint",
    "StreamStats",
    "figure_value",
    "parse_listen",
    "start_for_cli",
    "stream_families",
]

DEFAULT_HOST = "127.0.0.1"


@dataclass(frozen=True)
class StreamStats:
    """One stream at scrape time: its labels and its ``Player.stats()``."""

    index: int
    url: str
    stats: dict[str, Any]


def parse_listen(text: str) -> tuple[str, int]:
    """``PORT`` (loopback only) or ``HOST:PORT``; ValueError with the reason."""
    host, sep, port_text = text.rpartition(":")
    if not sep:
        host, port_text = DEFAULT_HOST, text
    try:
        port = int(port_text)
    except ValueError:
        raise ValueError(f"not a port: {text!r}") from None
    if not 0 < port < 65536:
        raise ValueError(f"a port is 1 to 65535, not {port}")
    return (host.strip("[]") or DEFAULT_HOST), port


def _num(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _dig(stats: dict[str, Any], *keys: str) -> Any:
    here: Any = stats
    for key in keys:
        if not isinstance(here, dict):
            return None
        here = here.get(key)
    return here


#: (name, help, kind, how to read it from the stats)
_FIGURES: tuple[tuple[str, str, str, Callable[[dict[str, Any]], object]], ...] = (
    ("heureum_up", "1 while the stream plays or buffers, 0 once it failed or ended",
     "gauge", lambda s: 1 if s.get("state") in ("playing", "buffering", "paused") else 0),
    ("heureum_time_to_first_frame_seconds", "open to the first video frame shown",
     "gauge", lambda s: s.get("time_to_first_frame_s")),
    ("heureum_latency_end_to_end_seconds",
     "wall clock minus the capture time of the frame on screen (live, with a wall clock)",
     "gauge", lambda s: _dig(s, "latency", "end_to_end_s")),
    ("heureum_latency_to_live_edge_seconds", "newest media known minus the frame on screen",
     "gauge", lambda s: _dig(s, "latency", "to_live_edge_s")),
    ("heureum_stalls", "stalls after the first frame", "counter",
     lambda s: s.get("rebuffer_count")),
    ("heureum_stall_seconds", "time stalled after the first frame", "counter",
     lambda s: s.get("rebuffer_seconds")),
    ("heureum_video_bitrate_bits_per_second", "video bytes over the media time demuxed",
     "gauge", lambda s: None if (v := _num(_dig(s, "bitrate_kbps", "video"))) is None
     else v * 1000),
    ("heureum_input_bitrate_bits_per_second", "bytes read over wall time", "gauge",
     lambda s: None if (v := _num(_dig(s, "bitrate_kbps", "input"))) is None else v * 1000),
    ("heureum_rung_index", "the HLS rung at the playback position", "gauge",
     lambda s: _dig(s, "abr", "playing_index")),
    ("heureum_video_height_lines", "the height of the video being decoded", "gauge",
     lambda s: _dig(s, "media", "video", "height")),
    ("heureum_frames_presented", "video frames shown", "counter",
     lambda s: _dig(s, "frames", "presented")),
    ("heureum_frames_dropped", "video frames dropped (late, not decoded, catch-up)", "counter",
     lambda s: _dig(s, "frames", "dropped")),
    ("heureum_errors", "errors reported, fatal or not", "counter",
     lambda s: len(s.get("errors") or [])),
    ("heureum_reconnects", "reconnections", "counter", lambda s: s.get("reconnects")),
)  # fmt: skip


#: the figures every probe exports (Prometheus here, OTLP in ``player.otlp``)
FIGURES = _FIGURES


def figure_value(read: Callable[[dict[str, Any]], object], stats: dict[str, Any]) -> float | None:
    """A figure of ``stats`` as a number; None when the stream cannot give it."""
    return _num(read(stats))


def stream_families(streams: Sequence[StreamStats]) -> Iterator[Any]:
    """The metric families for ``streams``: figures a stream cannot give are
    left out (absent, never 0)."""
    from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

    labels = ["stream", "url", "protocol"]
    for name, help_text, kind, read in _FIGURES:
        family: Any = (
            CounterMetricFamily(name, help_text, labels=labels)
            if kind == "counter"
            else GaugeMetricFamily(name, help_text, labels=labels)
        )
        for s in streams:
            value = _num(read(s.stats))
            if value is not None:
                protocol = str(s.stats.get("protocol") or "")
                family.add_metric([str(s.index + 1), s.url, protocol], value)
        yield family


class MetricsEndpoint:
    """An HTTP endpoint serving ``/metrics`` from ``streams()`` at each scrape."""

    def __init__(
        self, listen: str, streams: Callable[[], Sequence[tuple[int, str, dict[str, Any]]]]
    ) -> None:
        self.host, self.port = parse_listen(listen)
        self._streams = streams
        self._server: Any = None

    def describe(self) -> list[Any]:
        return []  # families are built at scrape time

    def collect(self) -> Iterator[Any]:
        yield from stream_families([StreamStats(*entry) for entry in self._streams()])

    def start(self) -> None:
        """Listen now. OSError (port taken, address not ours) is the caller's
        to report; nothing is retried."""
        from prometheus_client import CollectorRegistry, start_http_server

        registry = CollectorRegistry(auto_describe=False)
        registry.register(self)
        server, _thread = start_http_server(self.port, addr=self.host, registry=registry)
        self._server = server
        self.port = int(server.server_address[1])

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def start_for_cli(
    listen: str,
    streams: Callable[[], Sequence[tuple[int, str, dict[str, Any]]]],
    prog: str,
) -> MetricsEndpoint | None:
    """The endpoint, listening; None after one line on stderr saying why not
    (a bad address, a port already taken): nothing is retried."""
    import sys

    try:
        endpoint = MetricsEndpoint(listen, streams)
    except ValueError as exc:
        print(f"{prog}: error: --metrics-port: {exc}", file=sys.stderr)
        return None
    try:
        endpoint.start()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        where = f"{endpoint.host}:{endpoint.port}"
        print(f"{prog}: error: cannot serve metrics on {where}: {reason}", file=sys.stderr)
        return None
    print(f"{prog}: metrics at http://{endpoint.host}:{endpoint.port}/metrics", file=sys.stderr)
    return endpoint
