"""An AES-128 HLS stream with key rotation made from real FFmpeg segments:
key A with an explicit IV per segment for the first half, key B with IVs
from the media sequence number for the rest (RFC 8216 §5.2). Encrypted with
``cryptography``, not the engine's own Cryptodome, so a test of the engine's
decryption does not check it against itself."""

from __future__ import annotations

import os
import re
from pathlib import Path

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

__all__ = ["FIRST_SEQUENCE", "rotated_keys"]

FIRST_SEQUENCE = 41  # not 0, so an IV taken from the wrong number fails to decrypt


def _encrypt(data: bytes, key: bytes, iv: bytes) -> bytes:
    padder = padding.PKCS7(128).padder()
    plain = padder.update(data) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(plain) + encryptor.finalize()


def rotated_keys(root: Path, source: Path) -> list[bytes]:
    """Write ``source``'s clear segments into ``root`` encrypted as above,
    with ``a.key``, ``b.key`` and ``index.m3u8``; the IVs used, in order."""
    playlist = (source / "index.m3u8").read_text()
    names = re.findall(r"^(s\d+\.ts)$", playlist, re.MULTILINE)
    durations = re.findall(r"^#EXTINF:([\d.]+),", playlist, re.MULTILINE)
    assert len(names) == len(durations) >= 4
    key_a, key_b = os.urandom(16), os.urandom(16)
    (root / "a.key").write_bytes(key_a)
    (root / "b.key").write_bytes(key_b)
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        "#EXT-X-TARGETDURATION:3",
        f"#EXT-X-MEDIA-SEQUENCE:{FIRST_SEQUENCE}",
        "#EXT-X-PLAYLIST-TYPE:VOD",
    ]
    half = len(names) // 2
    ivs = []
    for n, (name, duration) in enumerate(zip(names, durations, strict=True)):
        clear = (source / name).read_bytes()
        if n < half:
            iv = os.urandom(16)
            # A new IV on every segment, as packagers that rotate IVs write it.
            lines.append(f'#EXT-X-KEY:METHOD=AES-128,URI="a.key",IV=0x{iv.hex()}')
            body = _encrypt(clear, key_a, iv)
        else:
            if n == half:
                lines.append('#EXT-X-KEY:METHOD=AES-128,URI="b.key"')
            iv = (FIRST_SEQUENCE + n).to_bytes(16, "big")
            body = _encrypt(clear, key_b, iv)
        ivs.append(iv)
        (root / name).write_bytes(body)
        lines += [f"#EXTINF:{duration},", name]
    lines.append("#EXT-X-ENDLIST")
    (root / "index.m3u8").write_text("\n".join(lines) + "\n")
    return ivs
