"""Live HLS: a sliding window written in real time by FFmpeg, and a stalled playlist."""

from __future__ import annotations

import itertools
import shutil
import threading
from pathlib import Path

import pytest

from lab.origin import ThrottleServer
from player.errors import NetworkError
from player.hls.hls_source import HlsConfig, HlsSource
from tests.support import hls_media

pytestmark = pytest.mark.integration


def test_live_sliding_window(tmp_path: Path) -> None:
    proc = hls_media.live_writer(tmp_path, seconds=30)
    try:
        ready = threading.Event()
        for _ in range(100):  # wait for ffmpeg's first playlist (external process)
            if (tmp_path / "live.m3u8").exists() and len(list(tmp_path.glob("*.ts"))) >= 3:
                break
            ready.wait(0.1)
        with ThrottleServer(tmp_path) as srv:
            src = HlsSource(srv.url("live.m3u8"))
            try:
                info = src.open()
                assert info.media.is_live and info.media.duration is None
                assert not info.media.seekable
                video: list[float] = []
                while len(video) < 25 * 4:  # 4 s of live video
                    p = src.read()
                    assert p is not None
                    if p.stream.kind == "video" and p.dts is not None:
                        video.append(p.dts)
                assert video[0] == pytest.approx(0.0, abs=0.3)
                assert all(b > a for a, b in itertools.pairwise(video))
                assert any(r.startswith("/live.m3u8") for r in srv.requests[1:])
            finally:
                src.close()
    finally:
        proc.kill()
        proc.wait(5)


def test_stalled_live_playlist_is_reported(tmp_path: Path) -> None:
    src_dir = hls_media.ts_vod()
    for n in ("s000.ts", "s001.ts", "s002.ts"):
        shutil.copy(src_dir / n, tmp_path / n)
    (tmp_path / "live.m3u8").write_text(
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n"
        "#EXTINF:2,\ns000.ts\n#EXTINF:2,\ns001.ts\n#EXTINF:2,\ns002.ts\n"
    )
    with ThrottleServer(tmp_path) as srv:
        src = HlsSource(srv.url("live.m3u8"), hls=HlsConfig(stuck_factor=1.0))
        try:
            src.open()
            with pytest.raises(NetworkError, match="has not advanced"):
                while src.read() is not None:
                    pass
            reloads = [r for r in srv.requests if r.startswith("/live.m3u8")]
            assert 2 <= len(reloads) <= 6  # half-target-duration reloads, not a busy loop
        finally:
            src.close()
