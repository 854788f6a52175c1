"""``hls.crypto``: AES-128 segments (RFC 8216 §5.2), checked against an
independent encryption of known bytes, and every bad input one clear error."""

from __future__ import annotations

import pytest
from Cryptodome.Cipher import AES
from Cryptodome.Util.Padding import pad

from player.errors import FormatError, SecurityError
from player.hls.crypto import KEY_LENGTH, check_key, decrypt_aes128, sequence_iv

KEY = bytes(range(16))
IV = bytes(range(100, 116))


def _encrypt(plain: bytes, key: bytes = KEY, iv: bytes = IV) -> bytes:
    return AES.new(key, AES.MODE_CBC, iv=iv).encrypt(pad(plain, 16, style="pkcs7"))


@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 188 * 7])
def test_a_segment_decrypts_back_to_its_bytes(size: int) -> None:
    plain = bytes((7 * i) % 256 for i in range(size))
    assert decrypt_aes128(_encrypt(plain), KEY, IV) == plain


def test_the_iv_without_a_tag_is_the_sequence_number_big_endian() -> None:
    assert sequence_iv(0) == bytes(16)
    assert sequence_iv(1) == bytes(15) + b"\x01"
    assert sequence_iv(0x0102) == bytes(14) + b"\x01\x02"
    # a number past 128 bits keeps its low 128 bits (never an OverflowError)
    assert sequence_iv((1 << 128) + 5) == sequence_iv(5)


def test_a_key_must_be_sixteen_bytes() -> None:
    assert check_key(KEY) == KEY and KEY_LENGTH == 16
    for bad in (b"", KEY[:15], KEY + b"x", b"<html>not a key</html>"):
        with pytest.raises(SecurityError, match=f"got {len(bad)}"):
            check_key(bad)
        with pytest.raises(SecurityError):
            decrypt_aes128(_encrypt(b"media"), bad, IV)


def test_bad_lengths_are_format_errors() -> None:
    with pytest.raises(FormatError, match="IV must be 16 bytes"):
        decrypt_aes128(_encrypt(b"media"), KEY, IV[:8])
    for data in (b"", b"x" * 15, b"x" * 33):
        with pytest.raises(FormatError, match="not a multiple of 16"):
            decrypt_aes128(data, KEY, IV)


def test_a_wrong_key_is_a_clear_padding_error_not_garbage() -> None:
    data = _encrypt(b"some media bytes" * 4)
    wrong = bytes(16)
    # a wrong key almost never leaves valid PKCS#7 padding behind
    with pytest.raises(FormatError, match="wrong key or IV"):
        decrypt_aes128(data, wrong, IV)
