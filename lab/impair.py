"""A profile applied by the lab's HTTP origins: the body writes throttled to
the link's rate, every answer delayed, chosen requests answered with an
error, and the origins taken down (connections refused, 503s or hanging)
during the profile's outages."""

from __future__ import annotations

import contextlib
import re
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from player.clock import Clock, SystemClock

from .origin import LowLatencyServer, ThrottleServer, _Origin
from .profile import Profile
from .throttle import Link, ThrottledWriter

__all__ = ["ImpairedFiles", "ImpairedLowLatency", "Impairment", "lane_of"]


class _Lane:
    """What one stream meets: its own link and its own request count."""

    def __init__(self, link: Link) -> None:
        self.link = link
        self.count = 0
        self.matched: dict[int, int] = {}


class Impairment:
    """The running state of one profile, shared by the origins it impairs:
    one clock and one outage schedule. Each stream (a "lane": the first part
    of its path) gets its own link at the profile's rate and its own request
    count, so every protocol in a comparison meets the same conditions."""

    def __init__(self, profile: Profile | None, clock: Clock | None = None) -> None:
        self.profile = profile
        self.clock: Clock = clock or SystemClock()
        self.start_time = self.clock.now()
        self.stop = threading.Event()
        # every wait of the profile's (delays, the outage schedule) is on this
        # condition, so ``close`` ends them at once
        self._wake = threading.Condition()
        self._lock = threading.Lock()
        self._lanes: dict[str, _Lane] = {}
        #: (lane, n, path, status) of every request answered with a profile's error
        self.errors_sent: list[tuple[str, int, str, int]] = []
        #: [start, end] clock times of the outages applied so far (end None while down)
        self.outages_applied: list[list[float | None]] = []
        self._origins: list[_Origin] = []
        self._thread: threading.Thread | None = None

    def lane(self, name: str) -> _Lane:
        with self._lock:
            lane = self._lanes.get(name)
            if lane is None:
                profile = self.profile
                rate = profile.bytes_per_second if profile is not None else (lambda _t: None)
                # the profile's time counts from the lab's start, for every lane
                link = Link(self.clock, rate, start=self.start_time)
                lane = self._lanes[name] = _Lane(link)
            return lane

    def requests(self, lane: str) -> int:
        return self.lane(lane).count

    def error_for(self, lane_name: str, path: str) -> int | None:
        """Count one request; the status the profile answers it with, if any."""
        lane = self.lane(lane_name)
        with self._lock:
            lane.count += 1
            n = lane.count
            if self.profile is None:
                return None
            for i, rule in enumerate(self.profile.errors):
                if rule.nth is not None:
                    hit = rule.nth == n
                elif rule.match is not None and re.search(rule.match, path):
                    used = lane.matched.get(i, 0)
                    hit = rule.count is None or used < rule.count
                    if hit:
                        lane.matched[i] = used + 1
                else:
                    hit = False
                if hit:
                    self.errors_sent.append((lane_name, n, path, rule.status))
                    return rule.status
        return None

    def delay(self) -> None:
        if self.profile is None or self.profile.delay_s <= 0:
            return
        with self._wake:
            self.clock.wait_for(self._wake, self.stop.is_set, self.profile.delay_s)

    # ---------------------------------------------------------------- outages

    def attach(self, origin: _Origin) -> None:
        self._origins.append(origin)

    def start(self) -> None:
        """Start the outage schedule (if the profile has outages)."""
        if self.profile is None or not self.profile.outages or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._outages, name="lab-outages", daemon=True)
        self._thread.start()

    def close(self) -> None:
        with self._wake:
            self.stop.set()
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(2)

    def _wait_until(self, t: float) -> bool:
        """Wait until clock time ``t``; False when the lab stops first."""
        with self._wake:
            left = max(0.0, t - self.clock.now())
            return not self.clock.wait_for(self._wake, self.stop.is_set, left)

    def _outages(self) -> None:
        assert self.profile is not None
        start = self.start_time
        cycle = 0
        while True:
            base = start + cycle * (self.profile.repeat_s or 0.0)
            for o in self.profile.outages:
                if not self._wait_until(base + o.at_s):
                    return
                record: list[float | None] = [self.clock.now(), None]
                self.outages_applied.append(record)
                for origin in self._origins:
                    with contextlib.suppress(RuntimeError, OSError):
                        origin.outage(None, o.mode)
                ended = self._wait_until(base + o.at_s + o.for_s)
                for origin in self._origins:
                    with contextlib.suppress(OSError):
                        origin.restore()
                record[1] = self.clock.now()
                if not ended:
                    return
            if not self.profile.repeat_s:
                return
            cycle += 1


def lane_of(path: str) -> str:
    """A request's lane: the first part of its path (``ts``, ``fmp4``, ...)."""
    return urlsplit(path).path.lstrip("/").split("/", 1)[0]


def _impaired_handle(
    origin: Any, impairment: Impairment, lane: str, h: BaseHTTPRequestHandler
) -> bool:
    """Apply the profile to one request before the origin answers it: False
    when the profile answered it (an error status)."""
    impairment.delay()
    status = impairment.error_for(lane, h.path)
    if status is not None:
        origin._status(h, status)
        return False
    link = impairment.lane(lane).link
    # a kept-alive connection's next request comes to the same handler: wrap
    # its socket once, through this request's lane (never a writer in a writer)
    raw = h.wfile.raw if isinstance(h.wfile, ThrottledWriter) else h.wfile
    h.wfile = ThrottledWriter(raw, link, impairment.stop)  # type: ignore[assignment]
    return True


class ImpairedFiles(ThrottleServer):
    """A directory served through an impairment (HLS ladders, progressive
    files); the lane is the first folder of the path."""

    def __init__(self, root: Path, impairment: Impairment, **kwargs: Any) -> None:
        super().__init__(root, **kwargs)
        self.impairment = impairment
        impairment.attach(self)

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        if _impaired_handle(self, self.impairment, lane_of(h.path), h):
            super()._handle(h)


class ImpairedLowLatency(LowLatencyServer):
    """The real-time LL-HLS origin served through an impairment (one lane)."""

    def __init__(
        self, variants: list[list[bytes]], impairment: Impairment, lane: str = "ll", **kwargs: Any
    ) -> None:
        super().__init__(variants, **kwargs)
        self.impairment = impairment
        self.lane = lane
        impairment.attach(self)

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        if _impaired_handle(self, self.impairment, self.lane, h):
            super()._handle(h)
