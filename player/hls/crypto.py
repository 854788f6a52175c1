"""EXT-X-KEY METHOD=AES-128: whole-segment AES-128-CBC with PKCS#7 padding
(RFC 8216 §5.2). The IV is the tag's IV, else the media sequence number as a
16-byte big-endian integer."""

from __future__ import annotations

from ..errors import FormatError, SecurityError

__all__ = ["KEY_LENGTH", "check_key", "decrypt_aes128", "sequence_iv"]

KEY_LENGTH = 16


def sequence_iv(sequence: int) -> bytes:
    return (sequence & ((1 << 128) - 1)).to_bytes(16, "big")


def check_key(data: bytes) -> bytes:
    if len(data) != KEY_LENGTH:
        raise SecurityError(f"AES-128 key must be exactly 16 bytes, got {len(data)}")
    return data


def decrypt_aes128(data: bytes, key: bytes, iv: bytes) -> bytes:
    check_key(key)
    if len(iv) != 16:
        raise FormatError("AES-128 IV must be 16 bytes")
    if not data or len(data) % 16:
        raise FormatError(f"encrypted segment length {len(data)} is not a multiple of 16")
    # imported here: most streams are clear, and start-up time counts
    from Cryptodome.Cipher import AES
    from Cryptodome.Util.Padding import unpad

    plain = AES.new(key, AES.MODE_CBC, iv=iv).decrypt(data)
    try:
        return unpad(plain, 16, style="pkcs7")
    except ValueError:
        raise FormatError("bad padding after AES-128 decryption (wrong key or IV?)") from None
