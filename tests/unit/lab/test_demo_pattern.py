"""The built-in demo's pure parts: the bandwidth pattern, the pictures, and
the cache that an interrupted first run cannot break."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lab import demo_hls
from lab.demo_hls import DEMO_PATTERN, RUNGS, BandwidthPattern, _Painter, _text_mask, _yuv


def test_pattern_squeezes_below_the_middle_rung_and_recovers_within_a_minute() -> None:
    bps = [DEMO_PATTERN.bits_per_second(t) for t in range(61)]
    generous = max(bps)
    assert generous > 2 * RUNGS[-1][2]  # room to climb to the top rung
    squeezed = [t for t, b in enumerate(bps) if b < RUNGS[1][2]]
    assert squeezed, "never squeezed below the second rung"
    start, end = squeezed[0], squeezed[-1]
    assert 5 <= start <= 15  # after the climb, while the buffer is still short
    assert squeezed == list(range(start, end + 1))  # one squeeze
    assert 20 <= end - start + 1 <= 35  # long enough to drain the buffer, short enough...
    assert end < 45 and bps[end + 1] == generous  # ...to climb back before a minute
    assert DEMO_PATTERN(10.0) == DEMO_PATTERN.bits_per_second(10.0) / 8  # bytes/s


def test_scaled_pattern_runs_the_same_steps_faster() -> None:
    fast = DEMO_PATTERN.scaled(0.25)
    for t in (0.0, 3.0, 9.0, 20.0, 50.0, 200.0):
        assert fast.bits_per_second(t * 0.25) == DEMO_PATTERN.bits_per_second(t)
    steps = BandwidthPattern(((0.0, 1e6), (5.0, 2e6)), period=10.0)
    assert [steps.bits_per_second(t) for t in (0, 4.9, 5, 9.9, 10, 15)] == [
        1e6,
        1e6,
        2e6,
        2e6,
        1e6,
        2e6,
    ]


def _planes(buf: Any, w: int, h: int) -> tuple[Any, Any, Any]:
    chroma = buf[h:].reshape(2, h // 2, w // 2)
    return buf[:h], chroma[0], chroma[1]


@pytest.mark.parametrize(("w", "h"), [(416, 234), (1280, 720)])
def test_each_rung_shows_its_border_name_and_a_bar_each_second(w: int, h: int) -> None:
    painter = _Painter(w, h, (40, 200, 80))
    y, u, v = _planes(painter.paint(1).copy(), w, h)
    assert y.shape == (h, w) and u.shape == (h // 2, w // 2)
    green = _yuv((40, 200, 80))
    assert (y[0, w // 2], u[0, w // 4], v[0, w // 4]) == green
    assert (y[h // 2, w - 1], u[h // 4, w // 2 - 1]) == (green[0], green[1])
    # The label box: the name in white on black, below the top border.
    e = painter.edge
    box = y[2 * e : 2 * e + painter.label.shape[0], 2 * e : 2 * e + painter.label.shape[1]]
    assert np.array_equal(box == 235, painter.label)
    # A white bar at each whole second (with the beep), not between.
    bar_row = int(h * 0.95)
    assert not (y[bar_row, e : w - e] == 235).all()  # frame 1: no bar
    y0 = _planes(painter.paint(24).copy(), w, h)[0]
    assert (y0[bar_row, e : w - e] == 235).all()
    # Moving content: two frames a second apart differ.
    assert np.mean(np.abs(y.astype(int) - y0.astype(int))) > 5


def test_text_mask_draws_the_glyphs() -> None:
    mask = _text_mask("10", 2)
    assert mask.shape == (14, 22)  # 7 rows, 5 + 1 + 5 columns, scaled twice
    assert mask[:, 12:].sum() > mask[:, :10].sum()  # "0" has more ink than "1"


def test_an_interrupted_first_run_leaves_no_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HEUREUM_CACHE_DIR", str(tmp_path))

    def half_made(root: Path, **_: Any) -> Path:
        (root / "r0").mkdir(parents=True)
        (root / "r0" / "s000.ts").write_bytes(b"\x47" * 188)
        raise KeyboardInterrupt

    monkeypatch.setattr(demo_hls, "make_hls_demo", half_made)
    with pytest.raises(KeyboardInterrupt):
        demo_hls._build_cached(demo_hls.demo_root(), None)
    assert list(tmp_path.iterdir()) == []


def test_a_finished_build_replaces_older_versions(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HEUREUM_CACHE_DIR", str(tmp_path))
    (tmp_path / "hls-demo-v1" / "r0").mkdir(parents=True)
    (tmp_path / "other").mkdir()

    def made(root: Path, **_: Any) -> Path:
        root.mkdir(parents=True)
        (root / "master.m3u8").write_text("#EXTM3U\n")
        return root / "master.m3u8"

    monkeypatch.setattr(demo_hls, "make_hls_demo", made)
    root = demo_hls.demo_root()
    demo_hls._build_cached(root, None)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["other", root.name])
    assert (root / "master.m3u8").read_text() == "#EXTM3U\n"


def test_subtitle_tips_cover_one_loop_and_repeat_with_it(tmp_path: Path) -> None:
    from player.hls.playlist import MediaPlaylist
    from player.hls.playlist_parser import parse_playlist
    from player.hls.webvtt import parse_webvtt

    folder = tmp_path / "subs" / "ko"
    demo_hls._write_subtitles(folder, 3, loop_seconds=14.0, loops=2)
    media = parse_playlist((folder / "index.m3u8").read_text(), "http://h/subs/ko/index.m3u8")
    assert isinstance(media, MediaPlaylist) and media.endlist
    assert [round(s.duration, 3) for s in media.segments] == [6.0, 6.0, 2.0] * 2
    assert sum(1 for s in media.segments if s.discontinuity) == 1
    cues = [
        [(c.start, c.end, c.text) for c in parse_webvtt(p.read_bytes()).cues]
        for p in sorted(folder.glob("s*.vtt"))
    ]
    first, second = demo_hls.TIPS[0], demo_hls.TIPS[1]
    assert cues[0] == [(first[0], first[1], first[3])]  # Korean, loop time
    # A cue across a segment boundary is in both segments; none past the loop.
    assert cues[1] == [(first[0], first[1], first[3]), (second[0], second[1], second[3])]
    assert cues[2] == [(second[0], second[1], second[3])]
    assert "화질" in cues[2][0][2]
