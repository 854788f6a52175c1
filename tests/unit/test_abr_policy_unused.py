"""A policy asked for (``OpenOptions.abr_policy``) on a stream without rungs
is said unused, once, as the stream opens: the stream's protocol named, the
default (None) silent, an adaptive stream (which uses it) silent. The
engine's open on a ``ManualClock``; the source is a stand-in that reports
what a real one found (end to end: ``tests/e2e/test_abr_policy_unused.py``)."""

from __future__ import annotations

from typing import Any

import pytest

from player.clock import ManualClock
from player.config import DEFAULT_CONFIG, AbrPolicyName, OpenOptions
from player.engine import Session
from player.events import Event, VariantInfo, WarningRaised
from player.levels import Levels
from player.source_api import SourceInfo
from player.sources import Target
from tests.support.sessions import live_hls, live_rtmp, live_rtsp, video_file


class _Source:
    """What ``open_source`` asks of a source: it opens to ``info``."""

    def __init__(self, info: SourceInfo) -> None:
        self.info = info

    def open(self) -> SourceInfo:
        return self.info

    def close(self) -> None:
        pass


class _Ladder(_Source):
    """An adaptive source (the ``Adaptive`` capability): a ladder to choose on."""

    def variants(self) -> tuple[VariantInfo, ...]:
        return (VariantInfo(0, 300_000, 320, 180),)

    def abr_status(self) -> Any:
        return None

    @property
    def started_at(self) -> float:
        return 0.0

    def timeline(self) -> list[Any]:
        return []

    def pin_height(self, height: int | None) -> None:
        pass

    def pin_variant(self, index: int) -> None:
        pass

    def set_max_resolution(self, width: int | None, height: int | None) -> None:
        pass


def _open(source: _Source, policy: AbrPolicyName | None) -> list[WarningRaised]:
    events: list[Event] = []
    url = source.info.media.url
    options = OpenOptions(abr_policy=policy)
    session = Session(url, options, DEFAULT_CONFIG, ManualClock(), None, events.append, Levels())

    def make(target: Target) -> Any:
        session.source = source  # type: ignore[assignment]
        return source

    session.demux.make_source = make  # type: ignore[method-assign]
    # only make_source (replaced) reads the target
    target = Target(url, source.info.media.protocol, "file", url)
    opened: object = session.demux.open_source(target)
    assert opened is source
    return [e for e in events if isinstance(e, WarningRaised)]


@pytest.mark.parametrize(
    ("info", "named"),
    [(live_rtsp(), "RTSP"), (live_rtmp(), "RTMP"), (video_file(), "a local file")],
)
def test_a_policy_asked_for_without_rungs_is_said_unused(info: SourceInfo, named: str) -> None:
    (warning,) = _open(_Source(info), "mpc")
    assert warning.code == "abr-policy-unused"
    assert dict(warning.params) == {"policy": "mpc", "protocol": named}
    assert warning.message == (
        f"the ABR policy mpc is not used: ABR applies to HLS only, and this stream is "
        f"{named}; it plays as it is"
    )


def test_the_default_policy_says_nothing() -> None:
    assert _open(_Source(live_rtsp()), None) == []


def test_a_stream_with_rungs_uses_the_policy_and_says_nothing() -> None:
    assert _open(_Ladder(live_hls(6.0)), "mpc") == []
