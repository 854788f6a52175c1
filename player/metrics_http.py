"""``--metrics-port``: headless and compare runs as long-lived probes, their
figures exposed for Prometheus (``prometheus-client``), read from the live
sessions at every scrape, labelled by stream and protocol."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .stats import SessionStats, from_report

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
    stats: SessionStats


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


def _rate(kbps: float | None) -> float | None:
    return None if kbps is None else kbps * 1000


def _height(s: SessionStats) -> int | None:
    video = s.media.video if s.media is not None else None
    return None if video is None else video.height


Read = Callable[[SessionStats], object]

#: (name, help, kind, how to read it from the stats)
_FIGURES: tuple[tuple[str, str, str, Read], ...] = (
    ("heureum_up", "1 while the stream plays or buffers, 0 once it failed or ended",
     "gauge", lambda s: 1 if s.state in ("playing", "buffering", "paused") else 0),
    ("heureum_time_to_first_frame_seconds", "open to the first video frame shown",
     "gauge", lambda s: s.time_to_first_frame_s),
    ("heureum_latency_end_to_end_seconds",
     "wall clock minus the capture time of the frame on screen (live, with a wall clock)",
     "gauge", lambda s: s.latency.end_to_end_s),
    ("heureum_latency_to_live_edge_seconds", "newest media known minus the frame on screen",
     "gauge", lambda s: s.latency.to_live_edge_s),
    ("heureum_stalls", "stalls after the first frame", "counter",
     lambda s: s.rebuffer_count if s.opened else None),
    ("heureum_stall_seconds", "time stalled after the first frame", "counter",
     lambda s: s.rebuffer_seconds if s.opened else None),
    ("heureum_video_bitrate_bits_per_second", "video bytes over the media time demuxed",
     "gauge", lambda s: _rate(s.bitrate_kbps.video)),
    ("heureum_input_bitrate_bits_per_second", "bytes read over wall time", "gauge",
     lambda s: _rate(s.bitrate_kbps.input) if s.opened else None),
    ("heureum_rung_index", "the HLS rung at the playback position", "gauge",
     lambda s: None if s.abr is None else s.abr.playing_index),
    ("heureum_video_height_lines", "the height of the video being decoded", "gauge", _height),
    ("heureum_frames_presented", "video frames shown", "counter",
     lambda s: s.frames.presented if s.opened else None),
    ("heureum_frames_dropped", "video frames dropped (late, not decoded, catch-up)", "counter",
     lambda s: s.frames.dropped if s.opened else None),
    ("heureum_errors", "errors reported, fatal or not", "counter", lambda s: len(s.errors)),
    ("heureum_reconnects", "reconnections", "counter",
     lambda s: s.reconnects if s.opened else None),
)  # fmt: skip


#: the figures every probe exports (Prometheus here, OTLP in ``player.otlp``)
FIGURES = _FIGURES


def figure_value(read: Read, stats: SessionStats | Mapping[str, Any]) -> float | None:
    """A figure of ``stats`` (or of a JSON report read back) as a number; None
    when the stream cannot give it."""
    return _num(read(stats if isinstance(stats, SessionStats) else from_report(stats)))


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
                protocol = s.stats.protocol
                family.add_metric([str(s.index + 1), s.url, protocol], value)
        yield family


class MetricsEndpoint:
    """An HTTP endpoint serving ``/metrics`` from ``streams()`` at each scrape."""

    def __init__(
        self, listen: str, streams: Callable[[], Sequence[tuple[int, str, SessionStats]]]
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
    streams: Callable[[], Sequence[tuple[int, str, SessionStats]]],
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
