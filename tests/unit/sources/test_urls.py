from __future__ import annotations

from pathlib import Path

import pytest

from player.errors import ErrorCode, FileError, FormatError, UnsupportedError
from player.sources.urls import classify, protocol_whitelist


def test_families() -> None:
    assert classify("http://h/a.mp4").family == "http"
    assert classify("https://h/a.m3u8?x=1").family == "hls"
    assert classify("rtsp://h/cam").family == "rtsp"
    assert classify("rtmp://h/live/x").family == "rtmp"


def test_local_files(tmp_path: Path) -> None:
    f = tmp_path / "a.mp4"
    f.write_bytes(b"x")
    assert classify(str(f)).family == "file"
    assert classify(f.as_uri()).url == str(f)
    with pytest.raises(FileError, match="File not found") as missing:
        classify(str(tmp_path / "missing.mp4"))
    assert missing.value.kind == "file" and missing.value.code == ErrorCode.FILE_NOT_FOUND
    with pytest.raises(FileError, match="folder") as folder:
        classify(str(tmp_path))
    assert folder.value.code == ErrorCode.FILE_IS_FOLDER


@pytest.mark.parametrize("url", ["ftp://h/x", "concat:a|b", "data:text/plain,x", "gopher://x"])
def test_unsupported_schemes(url: str) -> None:
    with pytest.raises((UnsupportedError, FormatError)):
        classify(url)


def test_whitelists_stay_in_family() -> None:
    assert protocol_whitelist(classify("https://h/a.mp4")) == "https,tls,tcp"
    assert "file" not in protocol_whitelist(classify("http://h/a.mp4"))
    rtsp = protocol_whitelist(classify("rtsp://h/x"))
    assert set(rtsp.split(",")) >= {"rtsp", "rtp", "udp", "tcp"}
    assert "http" not in rtsp.split(",")
    assert "http" in protocol_whitelist(classify("rtsp://h/x"), "http").split(",")
    assert protocol_whitelist(classify("rtmp://h/x")) == "rtmp,tcp"
