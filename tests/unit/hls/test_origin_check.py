"""``OriginCheck`` on its own: when a VOD origin counts as away (every copy's
playlist failing as an outage makes it fail), when it does not (one copy
answers, a refusal, a slow transfer, reconnecting off), that it is asked once
per run of failures, and that the outage watch says "failing" exactly while
it is being asked, or from the first failure once it is away."""

from __future__ import annotations

import pytest

from player.clock import ManualClock
from player.errors import NetworkError, PlaylistError
from player.fetch import HttpStatusError
from player.hls.live_edge import OutageWatch
from player.hls.origin_check import OriginCheck
from player.hls.slow_transfer import SlowTransfer

REFUSED = NetworkError("connection refused by http://o/")
COPIES = ("http://a/index.m3u8", "http://b/index.m3u8")


class Origin:
    """Answers or fails each playlist URL as told; records what was asked
    and what the watch said meanwhile."""

    def __init__(self, watch: OutageWatch, failing: dict[str, Exception]) -> None:
        self.watch = watch
        self.failing = failing
        self.asked: list[tuple[str, float | None]] = []

    def __call__(self, url: str) -> object:
        self.asked.append((url, self.watch.failing_since))
        error = self.failing.get(url)
        if error is not None:
            raise error
        return object()


def setup(
    failing: dict[str, Exception], bound: float = 30.0
) -> tuple[ManualClock, OutageWatch, Origin, OriginCheck]:
    clock = ManualClock()
    watch = OutageWatch(bound)
    origin = Origin(watch, failing)
    return clock, watch, origin, OriginCheck(watch, clock, origin)


def test_every_copy_failing_is_the_origin_away_from_the_first_failure() -> None:
    clock, watch, origin, check = setup({u: REFUSED for u in COPIES})
    clock.advance(5.0)
    check.failed()  # the segment's first try
    clock.advance(2.0)
    assert check.away(REFUSED, COPIES)
    assert [u for u, _ in origin.asked] == list(COPIES)
    # read() waited while it was asked, and the outage counts from the first failure
    assert [since for _, since in origin.asked] == [5.0, 5.0]
    assert watch.failing_since == 5.0 and watch.playlist_failed
    assert watch.tolerated(REFUSED)


@pytest.mark.parametrize(
    "answer",
    [
        None,  # the playlist loads
        HttpStatusError(404, COPIES[1]),  # a refusal is an answer
        PlaylistError("no #EXTM3U header"),  # so is a bad playlist
    ],
)
def test_a_copy_that_answers_is_not_an_outage(answer: Exception | None) -> None:
    failing: dict[str, Exception] = {COPIES[0]: REFUSED}
    if answer is not None:
        failing[COPIES[1]] = answer
    _, watch, origin, check = setup(failing)
    check.failed()
    assert not check.away(REFUSED, COPIES)
    assert len(origin.asked) == 2
    # "failing" only while it was asked: read()'s own bound applies again
    assert all(since is not None for _, since in origin.asked)
    assert watch.failing_since is None


def test_asked_once_per_run_of_failures_unless_asked_again() -> None:
    _, _, origin, check = setup({})
    check.failed()
    assert not check.away(REFUSED, COPIES[:1])
    assert not check.away(REFUSED, COPIES[:1])  # a retry failing: the same answer
    assert len(origin.asked) == 1
    assert not check.away(REFUSED, COPIES[:1], again=True)  # the retries are over
    assert len(origin.asked) == 2
    check.worked()
    assert not check.away(REFUSED, COPIES[:1])  # a new run of failures
    assert len(origin.asked) == 3


@pytest.mark.parametrize(
    ("exc", "bound"),
    [
        (HttpStatusError(404, "http://a/s1.ts"), 30.0),  # this segment is missing
        (HttpStatusError(403, "http://a/s1.ts"), 30.0),
        (SlowTransfer("segment 1 abandoned: arriving at 2.0 kB/s"), 30.0),  # bytes arrive
        (REFUSED, 0.0),  # outages are not ridden out
    ],
)
def test_failures_that_say_nothing_of_an_outage_ask_nothing(
    exc: NetworkError, bound: float
) -> None:
    _, watch, origin, check = setup({u: REFUSED for u in COPIES}, bound=bound)
    check.failed()
    assert not check.away(exc, COPIES)
    assert origin.asked == [] and watch.failing_since is None
