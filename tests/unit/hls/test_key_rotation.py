"""AES-128 key rotation through ``Downloads`` with the engine's real
decryption, on a scripted origin: every segment of a stream whose key and IV
change comes back byte for byte as the clear segment it was made from (a
wrong IV would garble only a segment's first 16 bytes, which a demuxer
shrugs off: only the bytes show it), each key fetched once."""

from __future__ import annotations

from pathlib import Path

from player.hls.crypto import decrypt_aes128
from player.hls.playlist import MediaPlaylist
from tests.support import hls_media
from tests.support.download_rig import ORIGIN, Rig
from tests.support.hls_keys import rotated_keys


class DecryptingRig(Rig):
    """The download rig with the engine's decryption, each call kept."""

    def _decrypt(self, data: bytes, key: bytes, iv: bytes) -> bytes:
        self.decrypted.append((data, key, iv))
        return decrypt_aes128(data, key, iv)


def test_rotated_keys_and_ivs_decrypt_to_the_clear_segments(tmp_path: Path) -> None:
    source = hls_media.ts_vod(8.0)
    ivs = rotated_keys(tmp_path, source)
    rig = DecryptingRig()
    rig.origin.serve_directory(ORIGIN, tmp_path)
    pl = rig.downloads.media_playlist(ORIGIN + "index.m3u8")
    assert isinstance(pl, MediaPlaylist)
    plain = [rig.downloads.media(seg, "segment", 1 << 24) for seg in pl.segments]
    clear = [p.read_bytes() for p in sorted(source.glob("s*.ts"))]
    assert plain == clear
    # the explicit IVs first, then the media sequence numbers'
    assert [iv for _, _, iv in rig.decrypted] == ivs
    keys = [key for _, key, _ in rig.decrypted]
    half = len(keys) // 2
    assert keys[:half] == [(tmp_path / "a.key").read_bytes()] * half
    assert keys[half:] == [(tmp_path / "b.key").read_bytes()] * (len(keys) - half)
    # each key fetched once, when first needed, and the clear-HTTP key told once
    assert rig.origin.urls("key") == [ORIGIN + "a.key", ORIGIN + "b.key"]
    assert rig.warnings == ["key-over-http"]
