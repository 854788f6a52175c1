"""Opt-in hardware video decoding through PyAV's ``HWAccel``: VAAPI on Linux,
D3D11VA on Windows, VideoToolbox on macOS. Offered only where the loaded
FFmpeg reports the platform's device type (``hwdevices_available()``); when
the device cannot be opened or cannot decode the codec, the stream decodes in
software and the user is told once."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import Any, Literal

from .warning_reasons import Reason, ReasonCode
from .warning_text import Warn, WarningCode

log = logging.getLogger(__name__)

__all__ = [
    "HWDEC_MODES",
    "HwDec",
    "VideoContexts",
    "available_devices",
    "offered_devices",
    "platform_devices",
]

HwDec = Literal["auto", "no"]
HWDEC_MODES: tuple[HwDec, ...] = ("auto", "no")

#: the decoding API of each desktop platform (mpv's --hwdec=auto picks the same)
_PLATFORM_DEVICES: dict[str, tuple[str, ...]] = {
    "linux": ("vaapi",),
    "win32": ("d3d11va",),
    "darwin": ("videotoolbox",),
}


def platform_devices(platform: str | None = None) -> tuple[str, ...]:
    """The device types this platform decodes on, best first."""
    return _PLATFORM_DEVICES.get(platform or sys.platform, ())


def available_devices() -> tuple[str, ...]:
    """What the loaded FFmpeg was built with (PyAV's ``hwdevices_available()``)."""
    from av.codec.hwaccel import hwdevices_available

    return tuple(str(name) for name in hwdevices_available())


def offered_devices(
    available: Sequence[str] | None = None, platform: str | None = None
) -> tuple[str, ...]:
    """The platform's device types that PyAV reports: empty means the option
    is not offered. ``available``: PyAV's list (asked when None)."""
    have = available_devices() if available is None else tuple(available)
    return tuple(d for d in platform_devices(platform) if d in have)


class VideoContexts:
    """Makes a source's video decoders: a hardware one when asked for and the
    device takes it, else software. ``warn(code, reason=...)`` is called at most
    once per instance (one source), for the first fallback."""

    def __init__(
        self,
        mode: HwDec,
        warn: Warn,
        *,
        available: Sequence[str] | None = None,
        platform: str | None = None,
    ) -> None:
        self.mode = mode
        self._warn = warn
        self._available = available
        self._platform = platform
        self._warned = False
        #: the device type the last decoder runs on (None: software)
        self.device: str | None = None
        self.made = False

    def make(self, software: Any, codec_name: str, extradata: bytes | None) -> Any:
        """``software`` (a configured software context) or, with ``auto``, a
        hardware context for the same stream."""
        self.device = None
        self.made = True
        if self.mode != "auto":
            return software
        wanted = platform_devices(self._platform)
        devices = offered_devices(self._available, self._platform)
        if not devices:
            self._fallback(Reason.of(ReasonCode.HW_NOT_OFFERED, devices=", ".join(wanted) or "…"))
            return software
        failed: list[str] = []
        cannot: list[str] = []
        for device in devices:
            try:
                ctx = _hardware_context(device, codec_name, extradata)
            except Exception as exc:  # PyAV raises FFmpeg's errors and its own
                log.info("hardware decoding on %s: %s", device, exc)
                failed.append(device)
                continue
            if ctx is not None:
                self.device = device
                return ctx
            cannot.append(device)
        if cannot:
            why = Reason.of(
                ReasonCode.HW_CANNOT_DECODE, devices=", ".join(cannot), codec=codec_name
            )
        else:
            why = Reason.of(ReasonCode.HW_DEVICE_FAILED, devices=", ".join(failed))
        self._fallback(why)
        return software

    def in_use(self) -> str | None:
        """What the last decoder made runs on: a device type, "software", or
        None before the first (the stats' and report's ``video_decoder``)."""
        if not self.made:
            return None
        return self.device or "software"

    def _fallback(self, reason: Reason) -> None:
        if self._warned:
            return
        self._warned = True
        self._warn(WarningCode.HWDEC_FALLBACK, reason=reason)


def _hardware_context(device: str, codec_name: str, extradata: bytes | None) -> Any:
    """A decoder for ``codec_name`` on ``device``, or None when the codec has
    no hardware configuration there. Raises when the device cannot be opened."""
    import av
    from av.codec.hwaccel import HWAccel

    accel = HWAccel(device_type=device, allow_software_fallback=True)
    ctx = av.CodecContext.create(codec_name, "r", hwaccel=accel)
    if not ctx.is_hwaccel:
        return None
    if extradata:
        ctx.extradata = extradata
    return ctx
