"""The play list model: order, loop, shuffle, edits, and the M3U8/PLS formats."""

from __future__ import annotations

import random

from ui.play_queue import Loop, Playlist, PlaylistEntry, parse_m3u, parse_pls, to_m3u8


def _list(n: int, **kwargs: random.Random) -> Playlist:
    return Playlist([PlaylistEntry(f"/m/{i}.mkv", f"clip {i}") for i in range(n)], **kwargs)


def test_no_loop_stops_at_the_ends() -> None:
    p = _list(3)
    assert not p.has_previous() and p.has_next()
    assert [p.next(), p.next(), p.next()] == [p.entries[1], p.entries[2], None]
    assert p.index == 2 and p.after_end() is None


def test_loop_all_wraps_and_loop_one_repeats() -> None:
    p = _list(3)
    p.loop = Loop.ALL
    p.select(2)
    assert p.has_next() and p.next() == p.entries[0]
    assert p.previous() == p.entries[2]
    p.loop = Loop.ONE
    assert p.after_end() == p.entries[2] and p.index == 2
    assert p.next() is None  # the explicit next still stops at the end


def test_shuffle_plays_each_entry_once_starting_from_the_current() -> None:
    p = _list(8, rng=random.Random(7))
    p.select(3)
    p.set_shuffle(True)
    seen = [p.index]
    while (entry := p.next()) is not None:
        seen.append(p.index)
        assert entry is p.current
    assert seen[0] == 3 and sorted(seen) == list(range(8))
    assert seen != [3, 4, 5, 6, 7, 0, 1, 2]  # not the list's order
    p.set_shuffle(False)
    p.select(3)
    assert p.next() == p.entries[4]


def test_move_keeps_the_current_entry_current() -> None:
    p = _list(4)
    p.select(1)
    p.move(1, 3)
    assert [e.title for e in p.entries] == ["clip 0", "clip 2", "clip 3", "clip 1"]
    assert p.index == 3 and p.current is not None and p.current.title == "clip 1"
    p.move(0, 2)
    assert p.current is not None and p.current.title == "clip 1"


def test_remove_before_at_and_after_the_current() -> None:
    p = _list(4)
    p.select(2)
    p.remove(0)
    assert p.current is not None and p.current.title == "clip 2"
    p.remove(p.index)  # the playing entry: the one after it becomes current
    assert p.current is not None and p.current.title == "clip 3"
    p.remove(p.index)
    assert p.current is not None and p.current.title == "clip 1"
    p.remove(0)
    assert len(p) == 0 and p.index == -1
    assert p.current is None


def test_shuffled_order_survives_edits() -> None:
    p = _list(5, rng=random.Random(1))
    p.set_shuffle(True)
    p.remove(4)
    p.append(PlaylistEntry("/m/new.mkv"))
    seen = [p.index]
    while p.next() is not None:
        seen.append(p.index)
    assert sorted(seen) == list(range(5))


def test_m3u8_round_trip_and_pls() -> None:
    entries = [PlaylistEntry("/m/a b.mkv", "First, with a comma"), PlaylistEntry("http://h/x.ts")]
    assert parse_m3u(to_m3u8(entries)) == entries
    pls = (
        "[playlist]\nFile2=http://h/two.mp3\nTitle2=Two\nFile1=one.ogg\n"
        "Title1=One\nNumberOfEntries=2\nVersion=2\n"
    )
    assert parse_pls(pls, "/music/list.pls") == [
        PlaylistEntry("/music/one.ogg", "One"),
        PlaylistEntry("http://h/two.mp3", "Two"),
    ]
    assert parse_pls("not a play list") == []
