"""``hls.downloads.Downloads`` wired to a ``FakeFetcher`` on a ``ManualClock``,
its reports kept for assertions (the backoff waits go through the clock)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from player.abr.estimator import BandwidthEstimator
from player.clock import ManualClock
from player.hls.downloads import Downloads
from player.hls.hint_streams import HintStreams
from tests.support.fake_fetcher import FakeFetcher

__all__ = ["ORIGIN", "Rig"]

ORIGIN = "http://origin.test/"


@dataclass
class Rig:
    """A ``Downloads`` wired to a scripted origin; what it reports is kept."""

    clock: ManualClock = field(default_factory=ManualClock)
    meter: BandwidthEstimator = field(default_factory=BandwidthEstimator)
    failures: list[tuple[str, str, float | None]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    decrypted: list[tuple[bytes, bytes, bytes]] = field(default_factory=list)
    worked: int = 0
    received: int = 0

    def __post_init__(self) -> None:
        self.origin = FakeFetcher(self.clock)
        cancel = threading.Event()
        streams = HintStreams(
            self.origin,
            cancel,
            max_bytes=1 << 20,
            check_stop=lambda: None,
            warn=lambda code, /, **params: self.warnings.append(code),
            received=lambda: None,
            stats={"streamed_parts": 0},
        )
        self.downloads = Downloads(
            self.origin,
            cancel,
            self.meter,
            streams,
            max_segments=1000,
            rand=lambda: 0.5,  # no jitter: the policy's base delays exactly
            sleep=self.clock.sleep,
            check_stop=lambda: None,
            received=self._received,
            failed=lambda exc, kind, delay: self.failures.append((str(exc), kind, delay)),
            worked=self._worked,
            warn=lambda code, /, **params: self.warnings.append(code),
            decrypt=self._decrypt,
        )

    def _received(self) -> None:
        self.received += 1

    def _worked(self) -> None:
        self.worked += 1

    def _decrypt(self, data: bytes, key: bytes, iv: bytes) -> bytes:
        self.decrypted.append((data, key, iv))
        return data.upper()
