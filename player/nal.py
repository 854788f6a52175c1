"""Which H.264/HEVC packets hold a picture nothing else refers to: those a
decoder that falls behind may leave out without harming the others (what
FFmpeg's ``skip_frame = NONREF`` skips, told apart here before decoding so
each one skipped is counted).

Packets come length-prefixed (MP4/MKV: ``avcC``/``hvcC`` extradata says the
prefix size) or as an Annex B byte stream (MPEG-TS, RTSP). The slices of one
picture share their reference flag (H.264 7.4.1), so the first slice decides.
"""

from __future__ import annotations

__all__ = ["length_size", "non_reference"]

#: HEVC sub-layer non-reference pictures (TRAIL_N, TSA_N, STSA_N, RADL_N,
#: RASL_N, RSV_VCL_N10/12/14): H.265 7.4.2.2
_HEVC_NONREF = frozenset({0, 2, 4, 6, 8, 10, 12, 14})


def length_size(codec: str, extradata: bytes | None) -> int | None:
    """The NAL length prefix size in bytes, or None for Annex B (start codes)."""
    if not extradata or extradata[0] != 1:
        return None
    if codec == "h264" and len(extradata) > 4:
        return (extradata[4] & 3) + 1
    if codec == "hevc" and len(extradata) > 21:
        return (extradata[21] & 3) + 1
    return None


def _nal_headers(data: bytes, prefix: int | None) -> list[int]:
    """Offsets of each NAL unit's first header byte."""
    out: list[int] = []
    if prefix is not None:
        at = 0
        while at + prefix < len(data):
            size = int.from_bytes(data[at : at + prefix], "big")
            if size <= 0:
                break
            out.append(at + prefix)
            at += prefix + size
        return out
    at = data.find(b"\x00\x00\x01")
    while at >= 0 and at + 3 < len(data):
        out.append(at + 3)
        at = data.find(b"\x00\x00\x01", at + 3)
    return out


def non_reference(codec: str, data: bytes, prefix: int | None) -> bool:
    """True when the packet's picture is not a reference for any other. False
    for other codecs, and whenever the packet cannot be read (decode it)."""
    for at in _nal_headers(data, prefix):
        header = data[at]
        if codec == "h264":
            kind = header & 0x1F
            if 1 <= kind <= 5:  # a coded slice (IDR or not, or a partition)
                return (header >> 5) & 3 == 0
        elif codec == "hevc":
            kind = (header >> 1) & 0x3F
            if kind < 32:  # a VCL NAL unit
                return kind in _HEVC_NONREF
        else:
            return False
    return False
