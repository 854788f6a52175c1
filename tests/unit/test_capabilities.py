"""``capabilities``: optional source features are typed protocols, checked
with ``isinstance``; the adaptive state is one frozen value."""

from __future__ import annotations

import dataclasses
from typing import get_args

import pytest

from player.capabilities import AbrStatus, Adaptive, Live, PositionAware, Tracks
from player.clock import ManualClock
from player.config import DEFAULT_CONFIG, AbrPolicyName
from player.hls.hls_source import HlsSource
from player.sources.libav import LibavSource
from player.sources.urls import classify
from tests.support.fake_fetcher import FakeFetcher


def test_the_hls_source_has_every_capability_and_libav_tracks_only() -> None:
    hls = HlsSource("http://o.test/a.m3u8", fetcher=FakeFetcher(ManualClock()))
    for capability in (Adaptive, Live, Tracks, PositionAware):
        assert isinstance(hls, capability), capability.__name__
    libav = LibavSource(classify("rtsp://127.0.0.1:1/cam"), DEFAULT_CONFIG)
    for capability in (Adaptive, Live, PositionAware):
        assert not isinstance(libav, capability), capability.__name__
    # a file's several audio streams; none before it opens
    assert isinstance(libav, Tracks) and libav.audio_tracks() == ()


def test_an_unopened_hls_source_reports_an_empty_ladder() -> None:
    status = HlsSource("http://o.test/a.m3u8", fetcher=FakeFetcher(ManualClock())).abr_status()
    # Nothing fetched: an empty ladder and the meter's default, not a
    # measurement; the default policy is named.
    assert status == AbrStatus(
        None, None, None, status.estimate_bps, 0.0, 0, estimate_measured=False, policy="mpc"
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        status.variants = 3  # type: ignore[misc]


def test_the_status_goes_to_the_stats_shape_and_back() -> None:
    status = AbrStatus(
        variant_index=2,
        playing_index=1,
        variant_bandwidth=1_390_400,
        estimate_bps=4_123_456.7,
        buffer_s=12.34567,
        variants=4,
        segment_gaps=1,
        slow_segments=2,
        estimate_measured=False,
        policy="mpc",
    )
    entry = status.as_dict()
    assert entry == {
        "variant_index": 2,
        "playing_index": 1,
        "variant_bandwidth": 1_390_400,
        "estimate_bps": 4_123_457,
        "buffer_s": 12.346,
        "variants": 4,
        "segment_gaps": 1,
        "slow_segments": 2,
        "estimate_measured": False,
        "policy": "mpc",
    }
    back = AbrStatus.from_stats({"abr": entry})
    assert back == dataclasses.replace(status, estimate_bps=4_123_457.0, buffer_s=12.346)


def test_reading_stats_without_an_adaptive_entry_or_with_odd_values() -> None:
    assert AbrStatus.from_stats({"state": "playing"}) is None
    assert AbrStatus.from_stats({"abr": "nonsense"}) is None
    # an old report without playing_index: the fetched rung is taken as playing
    old = AbrStatus.from_stats({"abr": {"variant_index": 1, "estimate_bps": 2e6}})
    assert old is not None and (old.variant_index, old.playing_index) == (1, 1)
    # a playing index reported as unknown stays unknown; booleans are not indexes
    odd = AbrStatus.from_stats({"abr": {"variant_index": True, "playing_index": None}})
    assert odd is not None and (odd.variant_index, odd.playing_index) == (None, None)
    assert odd.estimate_bps == 0.0 and odd.variants == 0
    # a report from before the policy was recorded, or a policy that is not a name
    assert old.policy is None
    numbered = AbrStatus.from_stats({"abr": {"policy": 3}})
    assert numbered is not None and numbered.policy is None
    named = AbrStatus.from_stats({"abr": {"policy": "mpc"}})
    assert named is not None and named.policy == "mpc"


@pytest.mark.parametrize("name", get_args(AbrPolicyName))
def test_the_status_names_the_policy_the_config_chose(name: AbrPolicyName) -> None:
    network = dataclasses.replace(DEFAULT_CONFIG.network, abr_policy=name)
    config = dataclasses.replace(DEFAULT_CONFIG, network=network)
    source = HlsSource("http://o.test/a.m3u8", config=config, fetcher=FakeFetcher(ManualClock()))
    assert source.abr_status().policy == name
    assert source.abr_status().as_dict()["policy"] == name
