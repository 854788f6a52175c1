"""LL-HLS without I/O: where to start, what is ahead, what a preload hint
stands for, and delta updates merged into the last full playlist."""

from __future__ import annotations

import pytest

from player.errors import PlaylistError
from player.hls.live_playlist import (
    LiveReloader,
    duration_ahead,
    hint_position,
    ll_start,
    merge_delta,
    part_at,
    target_latency,
    uses_parts,
)
from player.hls.playlist import MediaPlaylist
from player.hls.playlist_parser import parse_media_playlist

URL = "http://h/v0/live.m3u8"
HEAD = (
    "#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-TARGETDURATION:2\n"
    "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.5,CAN-SKIP-UNTIL=12\n"
    "#EXT-X-PART-INF:PART-TARGET=0.5\n"
)


def parts(first: int, n: int) -> str:
    return "".join(
        f'#EXT-X-PART:DURATION=0.5,URI="p{i}.ts"{",INDEPENDENT=YES" if i % 2 == 0 else ""}\n'
        for i in range(first, first + n)
    )


def ll(first_seq: int, n_segments: int, trailing: int, *, hint: bool = True) -> MediaPlaylist:
    """``n_segments`` complete 2 s segments (the last two with their parts
    listed), then ``trailing`` parts of the next one."""
    text = HEAD + f"#EXT-X-MEDIA-SEQUENCE:{first_seq}\n"
    for m in range(first_seq, first_seq + n_segments):
        if m >= first_seq + n_segments - 2:
            text += parts(4 * m, 4)
        text += f"#EXTINF:2,\ns{m}.ts\n"
    nxt = first_seq + n_segments
    text += parts(4 * nxt, trailing)
    if hint:
        text += f'#EXT-X-PRELOAD-HINT:TYPE=PART,URI="p{4 * nxt + trailing}.ts"\n'
    return parse_media_playlist(text, URL)


def test_ll_playlist_model() -> None:
    pl = ll(10, 5, 3)
    assert uses_parts(pl) and pl.part_target == 0.5 and target_latency(pl, True) == 1.5
    assert pl.last_sequence == 14 and len(pl.trailing_parts) == 3
    assert [len(s.parts) for s in pl.segments] == [0, 0, 0, 4, 4]
    assert pl.server_control.can_block_reload and pl.server_control.can_skip_until == 12


@pytest.mark.parametrize(
    ("trailing", "hold", "start"),
    [
        (3, 1.5, (15, 0)),  # exactly 1.5 s of trailing parts, part 0 independent
        (2, 1.5, (14, 2)),  # (15,1) (15,0) (14,3): 1.5 s, but part 3 is not independent
        (0, 1.5, (14, 0)),
        (1, 3.0, (13, 2)),
        (3, 100.0, (10, 0)),  # longer than the playlist: its start
    ],
)
def test_start_at_an_independent_part_hold_back_from_the_end(
    trailing: int, hold: float, start: tuple[int, int]
) -> None:
    assert ll_start(ll(10, 5, trailing), hold) == start


def test_no_parts_no_ll_start() -> None:
    pl = parse_media_playlist(HEAD + "#EXTINF:2,\na.ts\n#EXTINF:2,\nb.ts\n", URL)
    assert ll_start(pl, 1.5) is None and not uses_parts(pl)


def test_duration_ahead_and_part_at() -> None:
    pl = ll(10, 5, 3)
    assert duration_ahead(pl, 10, 0) == pytest.approx(10 + 1.5)
    assert duration_ahead(pl, 14, 2) == pytest.approx(1.0 + 1.5)
    assert duration_ahead(pl, 15, 1) == pytest.approx(1.0)
    assert duration_ahead(pl, 15, 3) == 0.0
    assert duration_ahead(pl, 16, 0) == 0.0
    p = part_at(pl, 14, 3)
    assert p is not None and p.uri.endswith("p59.ts") and not p.independent
    p = part_at(pl, 15, 2)
    assert p is not None and p.uri.endswith("p62.ts") and p.independent
    assert part_at(pl, 15, 3) is None and part_at(pl, 12, 0) is None  # parts not listed


def test_hint_position() -> None:
    pl = ll(10, 5, 3)
    pos = hint_position(pl)
    assert pos is not None and pos[:2] == (15, 3) and pos[2].uri.endswith("p63.ts")
    pos = hint_position(ll(10, 5, 0))
    assert pos is not None and pos[:2] == (15, 0)  # the next segment's first part
    assert hint_position(ll(10, 5, 3, hint=False)) is None
    open_ended = parse_media_playlist(
        HEAD + parts(0, 1) + '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="all.ts",BYTERANGE-START=100\n',
        URL,
    )
    assert hint_position(open_ended) is None  # not fetched (ExoPlayer does not either)


def test_merge_delta_update() -> None:
    old = ll(10, 5, 3)
    delta_text = (
        HEAD
        + "#EXT-X-MEDIA-SEQUENCE:11\n#EXT-X-SKIP:SKIPPED-SEGMENTS=3\n"
        + parts(56, 4)
        + "#EXTINF:2,\ns14.ts\n#EXT-X-DISCONTINUITY\n"
        + parts(60, 4)
        + "#EXTINF:2,\ns15.ts\n"
        + parts(64, 1)
    )
    delta = parse_media_playlist(delta_text, URL)
    assert delta.skipped_segments == 3 and delta.first_sequence == 14
    merged = merge_delta(old, delta)
    assert merged.skipped_segments == 0 and merged.media_sequence == 11
    assert [s.sequence for s in merged.segments] == [11, 12, 13, 14, 15]
    assert [s.uri.rsplit("/", 1)[1] for s in merged.segments][:3] == ["s11.ts", "s12.ts", "s13.ts"]
    assert [s.start for s in merged.segments] == [0.0, 2.0, 4.0, 6.0, 8.0]
    assert [s.discontinuity_sequence for s in merged.segments] == [0, 0, 0, 0, 1]
    assert len(merged.segments[2].parts) == 4  # kept from the old playlist
    assert len(merged.trailing_parts) == 1 and merged.last_sequence == 15
    # the segments skipped must be ones we have; else ask for the whole playlist
    with pytest.raises(PlaylistError, match="does not have"):
        merge_delta(ll(13, 2, 0), delta)
    assert merge_delta(old, old) is old


def test_reloader_reports_whether_a_reload_changed_anything() -> None:
    r = LiveReloader()
    a = ll(10, 5, 3)
    changed = []
    for pl, now in ((a, 0.0), (a, 0.5), (ll(10, 5, 4), 1.0)):  # a new part counts
        r.update(pl, now)
        changed.append(r.changed)
    assert changed == [True, False, True]
    assert r.delay(a) == 0.5  # a part target in LL-HLS
