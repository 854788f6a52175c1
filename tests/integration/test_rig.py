"""The test rig itself works: media has what it claims, servers serve, faults fault."""

from __future__ import annotations

import itertools
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import httpx
import numpy as np
import pytest

from tests.support import media
from tests.support.faulty_http import FaultyHttpServer
from tests.support.servers import (
    NginxHttpServer,
    RtspServer,
    ServerError,
    probe_streams,
    wait_until,
)

# --------------------------------------------------------------------------- helpers


def _first_video_frame(url: str, options: dict[str, str] | None = None) -> Any:
    with av.open(url, options=options or {}, timeout=10.0) as c:
        for frame in c.decode(video=0):
            return frame
    raise AssertionError(f"no video frame from {url}")


# --------------------------------------------------------------------------- media


def test_av_file_streams_duration_keyframes_and_frame_numbers(av_file: Path) -> None:
    with av.open(str(av_file)) as c:
        assert c.format.name.startswith("mov")
        v, a = c.streams.video[0], c.streams.audio[0]
        assert (v.codec_context.name, v.width, v.height) == ("h264", 640, 360)
        assert v.average_rate == Fraction(30)
        assert (a.codec_context.name, a.sample_rate, a.channels) == ("aac", 48_000, 2)
        assert c.duration is not None and abs(c.duration / 1e6 - 4.0) < 0.05
        keys = [i for i, p in enumerate(p for p in c.demux(v) if p.size) if p.is_keyframe]
        assert keys == [0, 30, 60, 90]
    with av.open(str(av_file)) as c:
        for i, frame in enumerate(c.decode(video=0)):
            luma = frame.to_ndarray(format="gray").astype(np.uint8)
            assert media.read_frame_number(luma) == i
            if i == 45:
                break


def test_mp4_is_faststart(av_file: Path) -> None:
    head = av_file.read_bytes()[:4096]
    assert 0 <= head.find(b"moov") < head.find(b"mdat") or b"mdat" not in head


@pytest.mark.parametrize("container", ["mpegts", "flv", "mkv"])
def test_other_containers_decode(container: media.Container) -> None:
    path = media.make_av_file(container=container)
    with av.open(str(path)) as c:
        assert {s.type for s in c.streams} == {"video", "audio"}
        frames = sum(1 for _ in c.decode(video=0))
    assert frames == 120


def test_video_only_and_audio_only(video_only_file: Path, audio_only_file: Path) -> None:
    with av.open(str(video_only_file)) as c:
        assert [s.type for s in c.streams] == ["video"]
    with av.open(str(audio_only_file)) as c:
        assert [s.type for s in c.streams] == ["audio"]
        samples = sum(f.samples for f in c.decode(audio=0))
    assert abs(samples - 4 * 48_000) <= 1024


def test_sync_file_flashes_and_beeps_align(sync_file: Path) -> None:
    flashes = media.sync_flash_times(5.0)
    assert flashes == [1.0, 2.0, 3.0, 4.0]
    with av.open(str(sync_file)) as c:
        white = [
            float(f.time) for f in c.decode(video=0) if f.to_ndarray(format="gray").mean() > 200
        ]
    assert white == pytest.approx(flashes, abs=1e-3)

    with av.open(str(sync_file)) as c:
        chunks, t0 = [], None
        for f in c.decode(audio=0):
            if t0 is None and f.time is not None:
                t0 = float(f.time)
            chunks.append(f.to_ndarray()[0])
    assert t0 is not None and abs(t0) < 1e-3
    mono = np.concatenate(chunks)
    loud = np.flatnonzero(np.abs(mono) > 0.1)
    onsets = [float(loud[0])]
    onsets += [float(b) for a, b in itertools.pairwise(loud) if b - a > 4800]
    onset_times = [t0 + s / 48_000 for s in onsets]
    # AAC smears a little energy; the beep's audible start stays within 2 ms of the flash.
    assert onset_times == pytest.approx(flashes, abs=0.002)
    # One frame long (1/30 s), silence between beeps.
    assert len(loud) < len(flashes) * (48_000 / 30) * 1.2


def test_truncate_and_corrupt(av_file: Path) -> None:
    data = av_file.read_bytes()
    cut = media.truncate_file(av_file, 0.5)
    assert cut.read_bytes() == data[: len(data) // 2]
    bad = media.corrupt_file(av_file, 0.5, 4096, seed=1)
    bad_data = bad.read_bytes()
    assert len(bad_data) == len(data)
    mid = len(data) // 2
    assert bad_data[:mid] == data[:mid] and bad_data[mid + 4096 :] == data[mid + 4096 :]
    assert bad_data[mid : mid + 4096] != data[mid : mid + 4096]
    assert media.corrupt_file(av_file, 0.5, 4096, seed=1) == bad  # cached


def test_1080p_file_is_real_work() -> None:
    started = time.perf_counter()
    path = media.make_1080p_file(seconds=10.0)
    print(f"1080p generation/cache: {time.perf_counter() - started:.2f} s")
    with av.open(str(path)) as c:
        v = c.streams.video[0]
        assert (v.width, v.height) == (1920, 1080)
        assert c.duration is not None and abs(c.duration / 1e6 - 10.0) < 0.1
        frame = next(iter(c.decode(video=0)))
        assert frame.to_ndarray(format="gray").std() > 10  # not flat
    assert 2e6 < path.stat().st_size < 20e6


# --------------------------------------------------------------------------- nginx HTTP


def test_nginx_serves_ranges(http_server: NginxHttpServer, av_file: Path) -> None:
    data = av_file.read_bytes()
    http_server.clear_access_log()
    with httpx.Client(timeout=5.0) as client:
        r = client.get(http_server.url(av_file), headers={"Range": "bytes=100-1099"})
        assert r.status_code == 206
        assert r.headers["content-range"] == f"bytes 100-1099/{len(data)}"
        assert r.headers["content-type"] == "video/mp4"
        assert r.content == data[100:1100]
        full = client.get(http_server.url(av_file.name))
        assert full.status_code == 200 and full.content == data
        assert full.headers["accept-ranges"] == "bytes"
    # nginx logs a request after its response has gone out: the client can
    # be done before the second line is written.
    wait_until(lambda: len(http_server.access_log()) >= 2, 5.0, what="two access-log lines")
    log = http_server.access_log()
    assert [(e.status, e.range) for e in log[-2:]] == [(206, "bytes=100-1099"), (200, "")]
    assert log[-2].uri == "/" + av_file.name and log[-2].bytes_sent == 1000


def test_nginx_status_and_html(http_server: NginxHttpServer) -> None:
    with httpx.Client(timeout=5.0) as client:
        for code in (403, 404, 500):
            assert client.get(http_server.url(f"/status/{code}")).status_code == code
        assert client.get(http_server.url("/no/such/file.mp4")).status_code == 404
        html = client.get(http_server.url("/html"))
        assert html.status_code == 200
        assert html.headers["content-type"].startswith("text/html")
        assert "<html>" in html.text


def test_nginx_streaming_mime_types_and_rate_limit(tmp_path: Path) -> None:
    expected = {
        "a.m3u8": "application/vnd.apple.mpegurl",
        "a.ts": "video/mp2t",
        "a.m4s": "video/iso.segment",
        "a.mp4": "video/mp4",
        "a.vtt": "text/vtt",
        "a.xyz": "application/x-test",
    }
    for name in expected:
        (tmp_path / name).write_bytes(b"x" * 60_000)
    with (
        NginxHttpServer(tmp_path, extra_types={"xyz": "application/x-test"}) as server,
        httpx.Client(timeout=10.0) as client,
    ):
        for name, ctype in expected.items():
            assert client.head(server.url(name)).headers["content-type"] == ctype
        started = time.perf_counter()
        assert len(client.get(server.url("a.ts?rate=40000")).content) == 60_000
        assert time.perf_counter() - started > 0.9  # 60 kB at 40 kB/s


def test_nginx_global_rate_limit(tmp_path: Path) -> None:
    (tmp_path / "b.bin").write_bytes(b"y" * 50_000)
    with NginxHttpServer(tmp_path, rate_limit=50_000) as server:
        started = time.perf_counter()
        assert len(httpx.get(server.url("b.bin"), timeout=10.0).content) == 50_000
        assert time.perf_counter() - started > 0.5


# --------------------------------------------------------------------------- PyAV on every protocol


def test_pyav_over_http(http_server: NginxHttpServer, av_file: Path, ts_file: Path) -> None:
    for f in (av_file, ts_file):
        frame = _first_video_frame(http_server.url(f))
        assert (frame.width, frame.height) == (640, 360)


@pytest.mark.parametrize("transport", ["tcp", "udp"])
def test_pyav_over_rtsp(rtsp_server: RtspServer, transport: str) -> None:
    with av.open(rtsp_server.url, options={"rtsp_transport": transport}, timeout=10.0) as c:
        assert {s.type for s in c.streams} == {"video", "audio"}
        frame = next(iter(c.decode(video=0)))
    assert (frame.width, frame.height) == (640, 360)


def test_pyav_over_rtmp(rtmp_url: str) -> None:
    assert rtmp_url.startswith("rtmp://127.0.0.1:")
    frame = _first_video_frame(rtmp_url)
    assert (frame.width, frame.height) == (640, 360)


# --------------------------------------------------------------------------- RTSP lifecycle


def test_rtsp_restart_kill_and_auth(long_file: Path) -> None:
    tcp = ("-rtsp_transport", "tcp")
    with RtspServer(long_file, path="/cam", user="viewer", password="s3cret") as server:
        port = server.port
        assert server.url == f"rtsp://127.0.0.1:{port}/cam"
        assert probe_streams(server.url, extra=tcp) == []  # 401 without credentials
        assert probe_streams(server.url_with_credentials(), extra=tcp) == ["video", "audio"]
        started = time.perf_counter()
        server.restart()
        print(f"RTSP restart: {time.perf_counter() - started:.2f} s")
        assert server.port == port
        assert probe_streams(server.url_with_credentials(), extra=tcp) == ["video", "audio"]
        server.kill_hard()
        assert not server.running
        assert probe_streams(server.url_with_credentials(), extra=tcp, timeout=5.0) == []
        server.restart()
        assert server.running
        assert server.port == port  # type: ignore[unreachable,unused-ignore]


# --------------------------------------------------------------------------- faulty HTTP


def test_faulty_hang_is_detectable(faulty_http: FaultyHttpServer) -> None:
    started = time.perf_counter()
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(faulty_http.hang(), timeout=0.3)
    assert time.perf_counter() - started < 3.0
    assert [r.fault for r in faulty_http.requests] == ["hang"]


def test_faulty_stall_reset_garbage(faulty_http: FaultyHttpServer, av_file: Path) -> None:
    size = av_file.stat().st_size
    got = bytearray()
    with (
        httpx.Client(timeout=0.3) as client,
        client.stream("GET", faulty_http.stall_after(5000, av_file.name)) as r,
    ):
        assert r.status_code == 200 and int(r.headers["content-length"]) == size
        with pytest.raises(httpx.ReadTimeout):
            for chunk in r.iter_bytes():
                got += chunk
    assert bytes(got) == av_file.read_bytes()[:5000]

    with pytest.raises(httpx.ReadError):
        httpx.get(faulty_http.reset_after(2000, av_file.name), timeout=5.0)

    garbage = httpx.get(faulty_http.garbage(10_000), timeout=5.0)
    assert garbage.status_code == 200 and len(garbage.content) == 10_000
    assert httpx.get(faulty_http.file(av_file.name), timeout=5.0).content == av_file.read_bytes()


def test_faulty_stop_is_prompt_with_hanging_clients(av_file: Path) -> None:
    server = FaultyHttpServer(av_file.parent)
    server.start()
    with httpx.Client(timeout=0.2) as client:
        for url in (server.hang(), server.stall_after(100, av_file.name)):
            with pytest.raises(httpx.ReadTimeout):
                client.get(url)
    started = time.perf_counter()
    server.stop()
    assert time.perf_counter() - started < 1.0
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.hang(), timeout=1.0)


# --------------------------------------------------------------------------- audio


def test_pulse_null_sink_plays(audio_device: str) -> None:
    import subprocess

    import sounddevice as sd

    sinks = subprocess.run(
        ["pactl", "list", "short", "sinks"], capture_output=True, text=True, check=True
    ).stdout
    assert "heureum_null" in sinks
    t = np.arange(int(0.2 * 48_000), dtype=np.float32) / 48_000
    tone = (0.1 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    block = np.ascontiguousarray(np.stack([tone, tone], axis=1))
    started = time.perf_counter()
    with sd.OutputStream(device=audio_device, samplerate=48_000, channels=2, dtype="float32") as s:
        s.write(block)
    assert time.perf_counter() - started >= 0.1


def test_server_error_is_raised_for_a_bad_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.mp4"
    with pytest.raises(ServerError):
        RtspServer(missing).__enter__()
