"""HLS test streams made by FFmpeg's own hls muxer (the ffmpeg CLI), cached.

Each stream is a directory under ``$HEUREUM_TEST_CACHE`` (or
``~/.cache/heureum-tests``)/``hls-v<N>/<name>``, built in a temporary sibling
and renamed into place, so a half-built stream is never used. Tiny on
purpose: 320x180 / 640x360, ultrafast, a few seconds, a keyframe every second.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = [
    "AES_KEY",
    "byterange_vod",
    "discontinuity_vod",
    "fmp4_vod",
    "gap_vod",
    "hls_cache",
    "ladder_vod",
    "live_writer",
    "ll_parts",
    "muxed_ladder_vod",
    "renditions_vod",
    "ts_aes_vod",
    "ts_vod",
]

VERSION = 2
AES_KEY = bytes(range(16))
_SRC = [
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size={size}:rate=25",
    "-f",
    "lavfi",
    "-i",
    "sine=frequency=440:sample_rate=48000",
]
_ENC = [
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-g",
    "25",
    "-keyint_min",
    "25",
    "-sc_threshold",
    "0",
    "-bf",
    "0",
    "-pix_fmt",
    "yuv420p",
    "-c:a",
    "aac",
    "-b:a",
    "64k",
]


def hls_cache() -> Path:
    base = Path(os.environ.get("HEUREUM_TEST_CACHE") or Path.home() / ".cache" / "heureum-tests")
    path = base / f"hls-v{VERSION}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _ffmpeg(*args: str, cwd: Path) -> None:
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y", *args]
    subprocess.run(cmd, cwd=cwd, check=True, timeout=120)


def _cached(name: str, build: Callable[[Path], None]) -> Path:
    final = hls_cache() / name
    if (final / ".done").exists():
        return final
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=hls_cache()))
    try:
        build(tmp)
        (tmp / ".done").write_text("ok")
        try:
            os.rename(tmp, final)
        except OSError:  # another process won the race
            if not (final / ".done").exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def _src(size: str, seconds: float, offset: float = 0.0) -> list[str]:
    out = [a.format(size=size) for a in _SRC]
    return [*out, "-t", str(seconds), *(["-output_ts_offset", str(offset)] if offset else [])]


def ts_vod(seconds: float = 6.0, offset: float = 0.0) -> Path:
    """``index.m3u8`` with 2 s MPEG-TS segments (H.264 + AAC muxed), timestamps
    starting at ``offset`` seconds (e.g. just before the 33-bit wrap)."""

    def build(d: Path) -> None:
        _ffmpeg(*_src("320x180", seconds, offset), *_ENC, "-b:v", "300k", "-f", "hls",
                "-hls_time", "2", "-hls_playlist_type", "vod", "-hls_segment_filename", "s%03d.ts",
                "index.m3u8",
                cwd=d)  # fmt: skip

    return _cached(f"ts-{seconds:g}" + (f"-at-{offset:.3f}" if offset else ""), build)


def fmp4_vod(seconds: float = 6.0) -> Path:
    """``index.m3u8`` with fMP4/CMAF segments and an EXT-X-MAP init segment."""

    def build(d: Path) -> None:
        _ffmpeg(*_src("320x180", seconds), *_ENC, "-b:v", "300k", "-f", "hls", "-hls_time", "2",
                "-hls_playlist_type", "vod", "-hls_segment_type", "fmp4",
                "-hls_fmp4_init_filename", "init.mp4", "-hls_segment_filename", "s%03d.m4s",
                "index.m3u8", cwd=d)  # fmt: skip

    return _cached(f"fmp4-{seconds:g}", build)


def ts_aes_vod(seconds: float = 6.0) -> Path:
    """AES-128 encrypted TS; key ``enc.key`` = bytes 0..15, IV in the playlist."""

    def build(d: Path) -> None:
        (d / "enc.key").write_bytes(AES_KEY)
        (d / "keyinfo").write_text("enc.key\nenc.key\n000102030405060708090a0b0c0d0e0f\n")
        _ffmpeg(*_src("320x180", seconds), *_ENC, "-b:v", "300k", "-f", "hls", "-hls_time", "2",
                "-hls_playlist_type", "vod", "-hls_key_info_file", "keyinfo",
                "-hls_segment_filename", "s%03d.ts", "index.m3u8", cwd=d)  # fmt: skip

    return _cached(f"aes-{seconds:g}", build)


def ladder_vod(seconds: float = 8.0) -> Path:
    """``master.m3u8``: two video variants (320x180 ~250 kb/s, 640x360 ~1.2 Mb/s)
    sharing one alternate audio rendition (EXT-X-MEDIA TYPE=AUDIO, default)."""

    def build(d: Path) -> None:
        _ffmpeg(*_src("640x360", seconds),
                "-filter_complex", "[0:v]split=2[a][b];[a]scale=320:180[lo];[b]null[hi]",
                "-map", "[lo]", "-map", "[hi]", "-map", "1:a",
                *_ENC, "-b:v:0", "250k", "-b:v:1", "1200k", "-maxrate:v:1", "1400k",
                "-bufsize:v:1", "1400k",
                "-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod",
                "-master_pl_name", "master.m3u8",
                "-var_stream_map", "v:0,agroup:aud v:1,agroup:aud a:0,agroup:aud,default:yes",
                "-hls_segment_filename", "v%v/s%03d.ts", "v%v/index.m3u8", cwd=d)  # fmt: skip

    return _cached(f"ladder-{seconds:g}", build)


def muxed_ladder_vod(seconds: float = 6.0, segment: float = 2.0, fmp4: bool = False) -> Path:
    """``master.m3u8``: two variants (320x180 ~250 kb/s, 640x360 ~1.2 Mb/s),
    each with its own muxed AAC audio, MPEG-TS or fMP4 (an EXT-X-MAP init
    segment per variant)."""
    seg = ["-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", "init.mp4"] if fmp4 else []
    ext = "m4s" if fmp4 else "ts"

    def build(d: Path) -> None:
        _ffmpeg(*_src("640x360", seconds),
                "-filter_complex", "[0:v]split=2[a][b];[a]scale=320:180[lo];[b]null[hi]",
                "-map", "[lo]", "-map", "[hi]", "-map", "1:a", "-map", "1:a",
                *_ENC, "-b:v:0", "250k", "-b:v:1", "1200k", "-maxrate:v:1", "1400k",
                "-bufsize:v:1", "1400k", "-f", "hls", "-hls_time", f"{segment:g}",
                "-hls_playlist_type", "vod", *seg, "-master_pl_name", "master.m3u8",
                "-var_stream_map", "v:0,a:0 v:1,a:1",
                "-hls_segment_filename", f"v%v/s%03d.{ext}", "v%v/index.m3u8", cwd=d)  # fmt: skip

    return _cached(f"muxed-ladder-{ext}-{seconds:g}-{segment:g}", build)


def byterange_vod(seconds: float = 6.0) -> Path:
    """One ``all.ts`` file addressed with EXT-X-BYTERANGE (``-hls_flags single_file``)."""

    def build(d: Path) -> None:
        _ffmpeg(*_src("320x180", seconds), *_ENC, "-b:v", "300k", "-f", "hls", "-hls_time", "2",
                "-hls_playlist_type", "vod", "-hls_flags", "single_file",
                "-hls_segment_filename", "all.ts", "index.m3u8", cwd=d)  # fmt: skip

    return _cached(f"byterange-{seconds:g}", build)


def discontinuity_vod() -> Path:
    """Two encodes spliced with EXT-X-DISCONTINUITY: the second one's timestamps
    start 5000 s later, as at an ad break."""

    def build(d: Path) -> None:
        for name, offset in (("a", 0.0), ("b", 5000.0)):
            _ffmpeg(*_src("320x180", 4.0, offset), *_ENC, "-b:v", "300k", "-f", "hls",
                    "-hls_time", "2", "-hls_playlist_type", "vod",
                    "-hls_segment_filename", f"{name}%03d.ts", f"{name}.m3u8", cwd=d)  # fmt: skip
        lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:2",
                 "#EXT-X-PLAYLIST-TYPE:VOD"]  # fmt: skip
        for name in ("a", "b"):
            if name == "b":
                lines.append("#EXT-X-DISCONTINUITY")
            lines += ["#EXTINF:2.0,", f"{name}000.ts", "#EXTINF:2.0,", f"{name}001.ts"]
        lines.append("#EXT-X-ENDLIST")
        (d / "index.m3u8").write_text("\n".join(lines) + "\n")

    return _cached("discontinuity", build)


def gap_vod() -> Path:
    """Three segments of which the middle one is an EXT-X-GAP (and absent)."""
    src = ts_vod()

    def build(d: Path) -> None:
        for n in ("s000.ts", "s002.ts"):
            shutil.copy(src / n, d / n)
        (d / "index.m3u8").write_text(
            "#EXTM3U\n#EXT-X-VERSION:8\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n"
            "#EXTINF:2.0,\ns000.ts\n#EXT-X-GAP\n#EXTINF:2.0,\ns001.ts\n#EXTINF:2.0,\ns002.ts\n"
            "#EXT-X-ENDLIST\n"
        )

    return _cached("gap", build)


#: (start, end, English, German) in programme seconds, for ``renditions_vod``
SUBTITLE_CUES = (
    (0.5, 1.8, "One", "Eins"),
    (2.5, 3.6, "Two <i>lines</i>\nsecond line", "Zwei\nzweite Zeile"),
    (3.9, 5.2, "Three", "Drei"),
    (6.2, 7.5, "Four &amp; more", "Vier &amp; mehr"),
)
#: the WebVTT LOCAL time that programme time 0 is at (a packager's 1 h offset)
SUBTITLE_LOCAL_OFFSET = 3600.0
#: tone of each alternate audio rendition (Hz): English, French
RENDITION_TONES = (440, 1000)


def _vtt_time(t: float) -> str:
    ms = round(t * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def renditions_vod(seconds: float = 8.0) -> Path:
    """``master.m3u8``: two video variants (320x180, 640x360) whose timestamps
    start at 5000 s (re-basing matters), two alternate audio renditions
    (English 440 Hz DEFAULT, French 1 kHz; audio segments not aligned with the
    video ones, as FFmpeg cuts them) and two WebVTT subtitle renditions
    (English DEFAULT+AUTOSELECT, German) in 2 s segments with
    ``X-TIMESTAMP-MAP=MPEGTS:<first video PTS>,LOCAL:01:00:00.000``, cut from a
    real .vtt file as a packager would (``SUBTITLE_CUES``)."""

    def build(d: Path) -> None:
        import av  # the first video PTS, for X-TIMESTAMP-MAP

        lo, hi = RENDITION_TONES
        _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
                "-f", "lavfi", "-i", f"sine=frequency={lo}:sample_rate=48000",
                "-f", "lavfi", "-i", f"sine=frequency={hi}:sample_rate=48000",
                "-t", str(seconds), "-output_ts_offset", "5000",
                "-filter_complex", "[0:v]split=2[a][b];[a]scale=320:180[lo];[b]null[hi]",
                "-map", "[lo]", "-map", "[hi]", "-map", "1:a", "-map", "2:a",
                *_ENC, "-b:v:0", "250k", "-b:v:1", "1200k",
                "-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod",
                "-master_pl_name", "ffmpeg-master.m3u8",
                "-var_stream_map", "v:0,agroup:aud v:1,agroup:aud a:0,agroup:aud a:1,agroup:aud",
                "-hls_segment_filename", "v%v/s%03d.ts", "v%v/index.m3u8", cwd=d)  # fmt: skip
        with av.open(str(d / "v0" / "s000.ts")) as c:
            first = next(p.pts for p in c.demux(video=0) if p.pts is not None)
        (d / "subs.vtt").write_text(
            "WEBVTT\n\n"
            + "".join(
                f"{_vtt_time(a)} --> {_vtt_time(b)}\n{en}\n\n" for a, b, en, _de in SUBTITLE_CUES
            )
        )
        for lang, col in (("en", 2), ("de", 3)):
            (d / lang).mkdir()
            lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:2",
                     "#EXT-X-PLAYLIST-TYPE:VOD"]  # fmt: skip
            n = round(seconds / 2)
            for k in range(n):
                body = [f"WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:{first},LOCAL:01:00:00.000\n"]
                for cue in SUBTITLE_CUES:
                    a, b = cue[0], cue[1]
                    if a < 2 * (k + 1) and b > 2 * k:  # a cue spanning two segments is in both
                        text = str(cue[col])
                        la, lb = a + SUBTITLE_LOCAL_OFFSET, b + SUBTITLE_LOCAL_OFFSET
                        body.append(f"{_vtt_time(la)} --> {_vtt_time(lb)}\n{text}\n")
                (d / lang / f"s{k}.vtt").write_text("\n".join(body))
                lines += ["#EXTINF:2.0,", f"s{k}.vtt"]
            lines.append("#EXT-X-ENDLIST")
            (d / lang / "index.m3u8").write_text("\n".join(lines) + "\n")
        variants = [line for line in (d / "ffmpeg-master.m3u8").read_text().splitlines()
                    if line.startswith("#EXT-X-STREAM-INF")]  # fmt: skip
        aud = 'TYPE=AUDIO,GROUP-ID="aud",CHANNELS="1"'
        sub = 'TYPE=SUBTITLES,GROUP-ID="subs"'
        master = [
            "#EXTM3U", "#EXT-X-VERSION:4", "#EXT-X-INDEPENDENT-SEGMENTS",
            f'#EXT-X-MEDIA:{aud},NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,'
            'URI="v2/index.m3u8"',
            f'#EXT-X-MEDIA:{aud},NAME="French",LANGUAGE="fr",AUTOSELECT=YES,URI="v3/index.m3u8"',
            f'#EXT-X-MEDIA:{sub},NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,'
            'URI="en/index.m3u8"',
            f'#EXT-X-MEDIA:{sub},NAME="Deutsch",LANGUAGE="de",URI="de/index.m3u8"',
        ]  # fmt: skip
        for i, line in enumerate(variants[:2]):
            attrs = line.split(":", 1)[1].replace('AUDIO="group_aud"', 'AUDIO="aud"')
            master += [f'#EXT-X-STREAM-INF:{attrs},SUBTITLES="subs"', f"v{i}/index.m3u8"]
        (d / "master.m3u8").write_text("\n".join(master) + "\n")

    return _cached(f"renditions-{seconds:g}", build)


#: (size, video bit rate) of each LL-HLS variant made by ``ll_parts``
LL_VARIANTS = (("320x180", "150k"), ("640x360", "600k"))


def ll_parts(seconds: float = 40.0) -> list[list[bytes]]:
    """Real encoded LL-HLS parts: for each of ``LL_VARIANTS``, 0.5 s MPEG-TS
    parts (20 fps, a keyframe every 1 s: every other part is independent),
    cut by FFmpeg's segment muxer with continuous timestamps, for
    ``lab.origin.LowLatencyServer`` to publish in real time."""

    def build(d: Path) -> None:
        for i, (size, rate) in enumerate(LL_VARIANTS):
            out = d / f"v{i}"
            out.mkdir()
            _ffmpeg("-f", "lavfi", "-i", f"testsrc2=size={size}:rate=20",
                    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                    "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast",
                    "-g", "20", "-keyint_min", "20", "-sc_threshold", "0", "-bf", "0",
                    "-pix_fmt", "yuv420p", "-b:v", rate, "-c:a", "aac", "-b:a", "64k",
                    "-f", "segment", "-segment_format", "mpegts", "-segment_time", "0.5",
                    "-break_non_keyframes", "1", "-reset_timestamps", "0",
                    str(out / "p%04d.ts"), cwd=d)  # fmt: skip

    d = _cached(f"ll-parts-{seconds:g}", build)
    variants = []
    for i in range(len(LL_VARIANTS)):
        variants.append([p.read_bytes() for p in sorted((d / f"v{i}").glob("p*.ts"))])
    n = min(len(v) for v in variants)
    return [v[:n] for v in variants]


def live_writer(directory: Path, seconds: float = 30.0) -> subprocess.Popen[bytes]:
    """Start ffmpeg producing a live sliding window (1 s segments, 4 listed,
    old ones deleted) in real time into ``directory``. The caller stops it."""
    directory.mkdir(parents=True, exist_ok=True)
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-re",
           *[a.format(size="320x180") for a in _SRC], "-t", str(seconds), *_ENC, "-b:v", "200k",
           "-f", "hls", "-hls_time", "1", "-hls_list_size", "4",
           "-hls_flags", "delete_segments+temp_file", "-hls_segment_filename", "l%05d.ts",
           "live.m3u8"]  # fmt: skip
    return subprocess.Popen(cmd, cwd=directory)


def ll_audio_parts(seconds: float = 40.0) -> list[list[bytes]]:
    """Real encoded LL-HLS audio-only parts for alternate renditions, one list
    per tone of ``RENDITION_TONES`` (440 Hz, 1 kHz): 0.5 s MPEG-TS parts of
    AAC, cut like ``ll_parts`` (same muxer offset, so part ``n`` lines up with
    the video's part ``n``)."""

    def build(d: Path) -> None:
        for j, tone in enumerate(RENDITION_TONES):
            out = d / f"a{j}"
            out.mkdir()
            _ffmpeg("-f", "lavfi", "-i", f"sine=frequency={tone}:sample_rate=48000",
                    "-t", str(seconds), "-c:a", "aac", "-b:a", "64k",
                    "-f", "segment", "-segment_format", "mpegts", "-segment_time", "0.5",
                    "-reset_timestamps", "0", str(out / "p%04d.ts"), cwd=d)  # fmt: skip

    d = _cached(f"ll-audio-parts-{seconds:g}", build)
    tracks = []
    for j in range(len(RENDITION_TONES)):
        tracks.append([p.read_bytes() for p in sorted((d / f"a{j}").glob("p*.ts"))])
    n = min(len(t) for t in tracks)
    return [t[:n] for t in tracks]
