"""LL-HLS pieces for renditions and open-ended preload hints: parsing a hint
without BYTERANGE-LENGTH, walking a rendition part by part
(``RenditionCursor.next_step``), and ``HttpFetcher.open_range`` (a body read
as the origin writes it) over httpx.MockTransport."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator

import httpx
import pytest

from player.clock import ManualClock
from player.errors import NetworkError
from player.fetch import FetchAborted, HttpStatusError, ResponseTooLarge
from player.hls.live_playlist import hint_position, open_hint
from player.hls.playlist import MediaPlaylist, PreloadHint
from player.hls.playlist_parser import parse_playlist
from player.hls.rendition import RenditionCursor, RenditionStep, RenditionWait
from player.http_fetcher import HttpFetcher

HEAD = """#EXTM3U
#EXT-X-VERSION:9
#EXT-X-TARGETDURATION:2
#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.5
#EXT-X-PART-INF:PART-TARGET=0.5
"""


def playlist(body: str, first: int = 3) -> MediaPlaylist:
    pl = parse_playlist(HEAD + f"#EXT-X-MEDIA-SEQUENCE:{first}\n" + body, "http://h/a0/live.m3u8")
    assert isinstance(pl, MediaPlaylist)
    return pl


BYTE_PARTS = """#EXT-X-PART:DURATION=0.5,URI="s3.ts",BYTERANGE=1000@0,INDEPENDENT=YES
#EXT-X-PART:DURATION=0.5,URI="s3.ts",BYTERANGE=1200
#EXT-X-PART:DURATION=0.5,URI="s3.ts",BYTERANGE=1000
#EXT-X-PART:DURATION=0.5,URI="s3.ts",BYTERANGE=1000
#EXTINF:2.0,
s3.ts
#EXT-X-PART:DURATION=0.5,URI="s4.ts",BYTERANGE=900@0,INDEPENDENT=YES
#EXT-X-PART:DURATION=0.5,URI="s4.ts",BYTERANGE=800
"""


# ---------------------------------------------------------------- hints


def test_hint_without_length_is_the_rest_of_the_resource() -> None:
    pl = playlist(BYTE_PARTS + '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="s4.ts",BYTERANGE-START=1700\n')
    assert pl.preload_hints == (
        PreloadHint("PART", "http://h/a0/s4.ts", byterange_start=1700, byterange_length=None),
    )
    assert pl.trailing_parts[-1].byterange is not None
    assert pl.trailing_parts[-1].byterange.end == 1700  # the hint continues the listed parts
    seq, idx, hint = open_hint(pl) or (None, None, None)
    assert (seq, idx) == (4, 2) and hint is pl.preload_hints[0]
    # never also taken for a whole part of PART-TARGET (the length is unknown)
    assert hint_position(pl) is None


@pytest.mark.parametrize(
    "tag",
    [
        '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="s4.ts",BYTERANGE-START=1700,BYTERANGE-LENGTH=800',
        '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="p9.ts"',
        '#EXT-X-PRELOAD-HINT:TYPE=MAP,URI="init.mp4",BYTERANGE-START=0',
    ],
)
def test_hints_with_an_end_are_not_open_ended(tag: str) -> None:
    assert open_hint(playlist(BYTE_PARTS + tag + "\n")) is None


def test_hint_past_the_byte_range_limit_is_not_used() -> None:
    tag = '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="s4.ts",BYTERANGE-START=999999999999'
    assert open_hint(playlist(BYTE_PARTS + tag + "\n")) is None


# ---------------------------------------------------------------- walking parts


def audio_playlist(produced: int, hint: str = "uri") -> MediaPlaylist:
    """An audio rendition like the test origin's: 0.5 s parts ``p<n>.ts``,
    4 to a segment, segments ``s<m>.ts`` from 3 on, parts listed for all."""
    lines = []
    complete = produced // 4
    for m in range(3, complete):
        lines += [f'#EXT-X-PART:DURATION=0.5,URI="p{n}.ts"' for n in range(4 * m, 4 * m + 4)]
        lines += ["#EXTINF:2.0,", f"s{m}.ts"]
    lines += [f'#EXT-X-PART:DURATION=0.5,URI="p{n}.ts"' for n in range(4 * complete, produced)]
    if hint == "uri":
        lines.append(f'#EXT-X-PRELOAD-HINT:TYPE=PART,URI="p{produced}.ts"')
    elif hint == "open":
        lines.append('#EXT-X-PRELOAD-HINT:TYPE=PART,URI="s.ts",BYTERANGE-START=10')
    return playlist("\n".join(lines) + "\n")


def anchored(pl: MediaPlaylist) -> RenditionCursor:
    cursor = RenditionCursor(pl)
    cursor.anchor_live(5, 10.0, None)  # segment 5 starts at 10 s on our timeline
    return cursor


def uris(cursor: RenditionCursor, n: int) -> list[str]:
    out = []
    for _ in range(n):
        step = cursor.next_step()
        assert isinstance(step, RenditionStep)
        item = step.item or step.segment
        assert item is not None
        out.append(item.uri.rsplit("/", 1)[1] + ("*" if step.hint else ""))
        cursor.advance(step)
    return out


def test_whole_segments_then_parts_then_the_hint_then_a_blocking_wait() -> None:
    cursor = anchored(audio_playlist(produced=30))  # segments 3..6, parts p28, p29
    cursor.next_time = 10.0
    assert uris(cursor, 5) == ["s5.ts", "s6.ts", "p28.ts", "p29.ts", "p30.ts*"]
    assert cursor.next_time == pytest.approx(15.5)
    # nothing more listed: wait for part 3 of segment 7 (p31)
    assert cursor.next_step() == RenditionWait(7, 3)
    cursor.update(audio_playlist(produced=32))  # p30, p31 listed; segment 7 complete
    assert cursor.next_time == pytest.approx(15.5)  # the hint was as long as guessed
    assert uris(cursor, 2) == ["p31.ts", "p32.ts*"]


def test_a_time_inside_a_segment_starts_at_its_part() -> None:
    cursor = anchored(audio_playlist(produced=30))
    cursor.next_time = 13.0  # segment 6 = 12..14 s: its part 2 (p26)
    assert uris(cursor, 2) == ["p26.ts", "p27.ts"]
    step = cursor.next_step()
    assert isinstance(step, RenditionStep) and step.start == pytest.approx(14.0)


def test_parts_no_longer_listed_are_taken_from_the_segment_with_a_cut() -> None:
    cursor = anchored(audio_playlist(produced=30))
    cursor.next_time = 14.0
    assert uris(cursor, 1) == ["p28.ts"]  # part 0 of segment 7, being produced
    # much later: segment 7 is complete and listed without its parts
    lines = [f"#EXTINF:2.0,\ns{m}.ts" for m in range(5, 9)]
    cursor.update(playlist("\n".join(lines) + "\n", first=5))
    step = cursor.next_step()
    assert isinstance(step, RenditionStep) and step.segment is not None
    assert step.segment.uri.endswith("s7.ts") and step.part is None
    assert step.cut == pytest.approx(14.5, abs=0.01)  # p28 is in hand already


def test_past_the_listed_edge_waits_without_settling_on_a_part() -> None:
    cursor = anchored(audio_playlist(produced=30))
    cursor.next_time = 17.0  # a second past what this playlist lists
    assert cursor.next_step() == RenditionWait(7, 2)
    cursor.update(audio_playlist(produced=34))
    assert uris(cursor, 1) == ["p34.ts*"]  # 17 s = segment 8, part 2: p34, hinted


def test_open_ended_hint_is_a_wait_that_names_it() -> None:
    cursor = anchored(audio_playlist(produced=30, hint="open"))
    cursor.next_time = 15.0
    step = cursor.next_step()
    assert isinstance(step, RenditionWait) and (step.sequence, step.part) == (7, 2)
    assert step.open_hint is not None and step.open_hint.byterange_start == 10


def test_hints_off_waits_instead() -> None:
    cursor = anchored(audio_playlist(produced=30))
    cursor.next_time = 15.0
    assert cursor.next_step(hints=False) == RenditionWait(7, 2)


def test_part_boundaries_for_an_audio_switch() -> None:
    cursor = anchored(audio_playlist(produced=30))
    assert cursor.boundary_at_or_after(10.3) == pytest.approx(12.0)
    assert cursor.boundary_at_or_after(10.3, parts=True) == pytest.approx(10.5)
    assert cursor.boundary_at_or_after(12.3) is None  # segment 7 is not complete
    assert cursor.boundary_at_or_after(14.2, parts=True) == pytest.approx(14.5)  # trailing
    assert cursor.boundary_at_or_after(15.2, parts=True) is None


# ---------------------------------------------------------------- open_range


def make(handler: object, clock: ManualClock | None = None) -> HttpFetcher:
    return HttpFetcher(clock=clock or ManualClock(), transport=httpx.MockTransport(handler))  # type: ignore[arg-type]


PAYLOAD = bytes(range(256)) * 8


def pieces(data: bytes, size: int) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


def test_open_range_reads_what_is_asked_as_it_arrives() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["range"])
        a = int(request.headers["range"][6:-1])
        return httpx.Response(
            206,
            headers={"content-range": f"bytes {a}-{len(PAYLOAD) - 1}/{len(PAYLOAD)}"},
            content=pieces(PAYLOAD[a:], 100),
        )

    stream = make(handler).open_range("http://h/s4.ts", 1000, max_bytes=10_000)
    assert seen == ["bytes=1000-"]
    assert stream.read(150) == PAYLOAD[1000:1150] and stream.offset == 1150
    assert stream.read(500) == PAYLOAD[1150:1650] and stream.offset == 1650
    with pytest.raises(NetworkError, match="ended 2000 bytes short"):
        stream.read(len(PAYLOAD) - 1650 + 2000)


def test_open_range_ignored_skips_to_the_offset() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=pieces(PAYLOAD, 300))

    stream = make(handler).open_range("http://h/s4.ts", 700, max_bytes=10_000)
    assert stream.offset == 700 and stream.read(400) == PAYLOAD[700:1100]


def test_open_range_ignored_past_the_cap_is_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=PAYLOAD)

    with pytest.raises(NetworkError, match="ignored the byte range"):
        make(handler).open_range("http://h/s4.ts", 1500, max_bytes=1000)


def test_open_range_from_another_offset_is_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(206, headers={"content-range": "bytes 0-99/100"}, content=b"x" * 100)

    with pytest.raises(NetworkError, match="got them from 0"):
        make(handler).open_range("http://h/s4.ts", 50, max_bytes=1000)


def test_open_range_cap_status_and_coding() -> None:
    def big(request: httpx.Request) -> httpx.Response:
        return httpx.Response(206, content=pieces(PAYLOAD, 256))

    stream = make(big).open_range("http://h/s4.ts", 0, max_bytes=1000)
    with pytest.raises(ResponseTooLarge, match="over the 1000 byte cap"):
        stream.read(1500)
    with pytest.raises(HttpStatusError):
        make(lambda r: httpx.Response(416)).open_range("http://h/s.ts", 5, max_bytes=100)

    def coded(request: httpx.Request) -> httpx.Response:
        body = gzip.compress(PAYLOAD)
        return httpx.Response(206, headers={"content-encoding": "gzip"}, content=body)

    with pytest.raises(NetworkError, match="content-coded"):
        make(coded).open_range("http://h/s.ts", 0, max_bytes=100)


def test_open_range_deadline_and_cancel() -> None:
    clock = ManualClock()

    def slow(request: httpx.Request) -> httpx.Response:
        def body() -> Iterator[bytes]:
            for piece in pieces(PAYLOAD, 100):
                clock.advance(1.0)  # the origin writes a piece a second
                yield piece

        return httpx.Response(206, content=body())

    stream = make(slow, clock).open_range("http://h/s.ts", 0, max_bytes=10_000, timeout=5.0)
    assert stream.read(300) == PAYLOAD[:300]
    with pytest.raises(NetworkError, match="timed out"):
        stream.read(1000)
    cancel = threading.Event()
    stream = make(slow, clock).open_range("http://h/s.ts", 0, max_bytes=10_000, cancel=cancel)
    cancel.set()
    with pytest.raises(FetchAborted):
        stream.read(10)
