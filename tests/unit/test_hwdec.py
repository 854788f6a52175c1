"""``hwdec``: which device type each platform offers (from PyAV's list,
injected here), and the fallback to software with one warning, tried with
PyAV's real ``HWAccel`` where a device is named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import pytest

import player.hwdec as hwdec
from player.events import WarningRaised
from player.hwdec import VideoContexts, offered_devices, platform_devices
from tests.support.media import make_av_file


def test_each_platform_offers_its_own_api_only_where_pyav_reports_it() -> None:
    assert platform_devices("linux") == ("vaapi",)
    assert platform_devices("win32") == ("d3d11va",)
    assert platform_devices("darwin") == ("videotoolbox",)
    assert platform_devices("sunos5") == ()
    assert offered_devices(["cuda", "vaapi", "drm"], "linux") == ("vaapi",)
    assert offered_devices(["cuda", "qsv", "drm", "amf"], "linux") == ()
    assert offered_devices(["d3d11va", "dxva2", "cuda"], "win32") == ("d3d11va",)
    assert offered_devices(["videotoolbox"], "darwin") == ("videotoolbox",)
    assert offered_devices(["vaapi"], "darwin") == ()


def test_the_list_is_pyavs_own() -> None:
    from av.codec.hwaccel import hwdevices_available

    assert hwdec.available_devices() == tuple(hwdevices_available())
    assert offered_devices() == offered_devices(hwdevices_available())


@pytest.fixture(scope="module")
def h264() -> Path:
    return make_av_file(seconds=1.0, width=160, height=96, fps=10, container="mkv")


def _software(path: Path) -> tuple[Any, Any]:
    container = av.open(str(path))
    return container, container.streams.video[0].codec_context


def test_no_means_software_without_asking_pyav(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> tuple[str, ...]:
        raise AssertionError("asked PyAV with --hwdec=no")

    monkeypatch.setattr(hwdec, "available_devices", refuse)
    warnings: list[tuple[str, str]] = []
    contexts = VideoContexts(
        "no", lambda c, /, **p: warnings.append((c, WarningRaised.of(c, p).message))
    )
    software = object()
    assert contexts.make(software, "h264", None) is software
    assert warnings == [] and contexts.device is None


def test_auto_without_the_device_decodes_in_software_and_warns_once() -> None:
    warnings: list[tuple[str, str]] = []
    contexts = VideoContexts(
        "auto",
        lambda c, /, **p: warnings.append((c, WarningRaised.of(c, p).message)),
        available=["cuda", "drm"],
        platform="linux",
    )
    software = object()
    for _ in range(3):  # a decoder per seek or reconnect: still one warning
        assert contexts.make(software, "h264", None) is software
    assert len(warnings) == 1
    code, message = warnings[0]
    assert code == "hwdec-fallback"
    assert "vaapi" in message and "software" in message


def test_auto_with_the_device_reported_tries_it_and_falls_back_when_it_cannot(
    h264: Path,
) -> None:
    """PyAV builds the VAAPI context for real: with no VAAPI in this FFmpeg or
    no GPU it cannot, and the stream decodes in software."""
    warnings: list[str] = []
    contexts = VideoContexts(
        "auto",
        lambda c, /, **p: warnings.append(WarningRaised.of(c, p).message),
        available=["vaapi"],
        platform="linux",
    )
    container, software = _software(h264)
    try:
        ctx = contexts.make(software, "h264", None)
        if contexts.device is None:
            assert ctx is software
            assert len(warnings) == 1 and "vaapi" in warnings[0]
        else:  # a machine with a VAAPI GPU
            assert ctx.is_hwaccel and warnings == []
        frames = [f for p in container.demux(video=0) for f in ctx.decode(p)]
        assert len(frames) == 10
    finally:
        container.close()


def test_a_device_that_fails_to_open_is_a_fallback_not_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """CUDA is in this PyAV build; with no NVIDIA driver creating the device
    raises, which must end in software and the warning naming the device
    (FFmpeg's words go to the log: a reason is a code, not another library's text)."""
    monkeypatch.setitem(hwdec._PLATFORM_DEVICES, "linux", ("cuda",))
    warnings: list[str] = []
    contexts = VideoContexts(
        "auto", lambda c, /, **p: warnings.append(WarningRaised.of(c, p).message), platform="linux"
    )
    software = object()
    if "cuda" not in hwdec.available_devices():
        pytest.fail("this test needs a PyAV built with CUDA (the PyPI wheels are)")
    ctx = contexts.make(software, "h264", None)
    if contexts.device is None:
        assert ctx is software and len(warnings) == 1
        assert "the device cuda could not be opened" in warnings[0]
    else:
        assert ctx.is_hwaccel


def _ignore(code: object, /, **params: object) -> None:
    pass


def test_in_use_names_the_device_or_software_once_a_decoder_is_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What the stats overlay and the report show as the video decoder."""
    made: list[str] = []

    def device_context(device: str, codec_name: str, extradata: bytes | None) -> object:
        made.append(device)
        return object()

    monkeypatch.setattr(hwdec, "_hardware_context", device_context)
    contexts = VideoContexts("auto", _ignore, available=["vaapi"], platform="linux")
    assert contexts.in_use() is None  # nothing decoded yet: not claimed either way
    contexts.make(object(), "h264", None)
    assert made == ["vaapi"] and contexts.in_use() == "vaapi"
    software = VideoContexts("no", _ignore)
    software.make(object(), "h264", None)
    assert software.in_use() == "software"
