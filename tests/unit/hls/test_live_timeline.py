"""Pure pieces of the HLS engine: live timing, timeline re-basing, AES-128."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from player.clock import ManualClock
from player.errors import FormatError, SecurityError
from player.hls.crypto import decrypt_aes128, sequence_iv
from player.hls.live_playlist import LiveReloader, live_start_index, target_latency
from player.hls.playlist_parser import parse_media_playlist
from player.hls.timestamps import ROLLOVER_SECONDS, Rebaser, Unwrapper


def live(n: int, first: int = 0, extra: str = "", td: int = 2) -> str:
    body = "".join(f"#EXTINF:{td},\ns{first + i}.ts\n" for i in range(n))
    return f"#EXTM3U\n#EXT-X-TARGETDURATION:{td}\n#EXT-X-MEDIA-SEQUENCE:{first}\n{extra}{body}"


def test_start_three_target_durations_from_edge() -> None:
    pl = parse_media_playlist(live(10), "http://h/p.m3u8")
    assert live_start_index(pl) == 7  # 3 x 2 s from the end
    assert target_latency(pl) == 6.0


def test_start_honours_hold_back_and_ext_x_start() -> None:
    pl = parse_media_playlist(
        live(10, extra="#EXT-X-SERVER-CONTROL:HOLD-BACK=10\n"), "http://h/p.m3u8"
    )
    assert live_start_index(pl) == 5
    pl = parse_media_playlist(live(10, extra="#EXT-X-START:TIME-OFFSET=-4\n"), "http://h/p.m3u8")
    assert live_start_index(pl) == 8
    sc = "#EXT-X-SERVER-CONTROL:PART-HOLD-BACK=1.5,HOLD-BACK=8\n"
    ll = live(10, extra=sc + "#EXT-X-PART-INF:PART-TARGET=0.5\n")
    pl = parse_media_playlist(ll, "http://h/p.m3u8")
    assert target_latency(pl, low_latency=True) == 1.5
    assert target_latency(pl, low_latency=False) == 8


def test_reload_delay_and_stuck_detection() -> None:
    clock = ManualClock()
    r = LiveReloader(stuck_factor=3.0)
    a = parse_media_playlist(live(5), "http://h/p.m3u8")
    assert r.update(a, clock.now())
    assert r.delay(a) == 2.0  # changed: one target duration
    clock.advance(2)
    assert not r.update(a, clock.now())
    assert r.delay(a) == 1.0  # unchanged: half of it
    clock.advance(3.9)
    assert not r.stuck(a, clock.now())
    clock.advance(0.2)
    assert r.stuck(a, clock.now())
    b = parse_media_playlist(live(5, first=1), "http://h/p.m3u8")
    assert r.update(b, clock.now()) and not r.stuck(b, clock.now())


def test_unwrap_33_bit_rollover() -> None:
    u = Unwrapper()
    near_end = ROLLOVER_SECONDS - 1.0
    assert u.unwrap(near_end) == near_end
    assert u.unwrap(0.5) == pytest.approx(ROLLOVER_SECONDS + 0.5)
    assert u.unwrap(1.5) == pytest.approx(ROLLOVER_SECONDS + 1.5)


def test_rebaser_across_discontinuity_and_rollover() -> None:
    r = Rebaser()
    assert not r.begin_segment(0, 0.0, 10.0, True)
    assert r.map(10.0, True) == 0.0 and r.map(12.0, True) == 2.0
    # same domain, timestamps wrap: still continuous
    assert not r.begin_segment(0, 2.0, ROLLOVER_SECONDS - 0.0 + 12.0 - ROLLOVER_SECONDS, True)
    # a discontinuity: new domain, re-based to where the playlist says
    assert r.begin_segment(1, 4.0, 5000.0, True)
    assert r.map(5001.0, True) == pytest.approx(5.0)
    # a jump without the tag is re-based and reported
    assert r.begin_segment(1, 6.0, 90.0, True)
    assert r.map(90.0, True) == pytest.approx(6.0)


def test_aes128_roundtrip_and_errors() -> None:
    key, iv = bytes(range(16)), sequence_iv(7)
    assert iv == bytes(15) + b"\x07"
    padder = padding.PKCS7(128).padder()
    plain = b"segment bytes" * 100
    data = padder.update(plain) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    cipher = enc.update(data) + enc.finalize()
    assert decrypt_aes128(cipher, key, iv) == plain
    with pytest.raises(SecurityError):
        decrypt_aes128(cipher, bytes(17), iv)
    with pytest.raises(FormatError):
        decrypt_aes128(cipher[:-1], key, iv)
    with pytest.raises(FormatError, match="padding"):
        decrypt_aes128(cipher, bytes(16), iv)
