"""The frozen build's two slimming steps, run on copies of the libraries this
venv carries: the decode-only FFmpeg still decodes every codec Heureum meets
and refuses to encode without crashing; the trimmed ICU data still serves
what Qt asks of it in the UI's languages."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import av
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(600)


def _load(name: str) -> ModuleType:
    # packaging/ is not a package (the name belongs to PyPI's `packaging`).
    spec = importlib.util.spec_from_file_location(name, ROOT / "packaging" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _encode(path: Path, codec: str, fmt: str) -> None:
    with av.open(str(path), "w", format=fmt) as out:
        if codec in ("libmp3lame", "libopus", "aac"):
            audio: Any = out.add_stream(codec, rate=48000)
            for i in range(10):
                frame = av.AudioFrame.from_ndarray(
                    np.zeros((1, 960), dtype=np.float32), format="flt", layout="mono"
                )
                frame.sample_rate = 48000
                frame.pts = i * 960
                out.mux(audio.encode(frame))
            out.mux(audio.encode(None))
            return
        video: Any = out.add_stream(codec, rate=25)
        video.width, video.height, video.pix_fmt = 160, 96, "yuv420p"
        for i in range(6):
            rgb = np.full((96, 160, 3), i * 30, np.uint8)
            out.mux(
                video.encode(
                    av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
                )
            )
        out.mux(video.encode(None))


MEDIA = {
    "h264.mp4": ("libx264", "mp4", "h264"),
    "hevc.mp4": ("libx265", "mp4", "hevc"),
    "vp8.webm": ("libvpx", "webm", "vp8"),
    "vp9.webm": ("libvpx-vp9", "webm", "vp9"),
    "av1.mkv": ("libsvtav1", "matroska", "av1"),
    "mp3.mp3": ("libmp3lame", "mp3", "mp3"),
    "opus.ogg": ("libopus", "ogg", "opus"),
    "aac.m4a": ("aac", "mp4", "aac"),
}

_PROBE = """
import json, sys
from fractions import Fraction
import av
out = {"av": av.__file__, "decoded": {}, "encoders": {}}
for path in sys.argv[2:]:
    with av.open(path) as c:
        s = c.streams[0]
        frames = sum(1 for _ in c.decode(s))
        out["decoded"][path.rsplit("/", 1)[-1]] = [s.codec_context.name, frames]
for name in sys.argv[1].split(","):
    cc = av.CodecContext.create(name, "w")
    if cc.type == "video":
        cc.width, cc.height, cc.pix_fmt, cc.time_base = 160, 96, "yuv420p", Fraction(1, 25)
    else:
        cc.sample_rate, cc.layout = 44100, "mono"
        cc.format = "s16p" if name == "libmp3lame" else "flt"
    try:
        cc.open()
        out["encoders"][name] = "opened"
    except av.FFmpegError as exc:
        out["encoders"][name] = type(exc).__name__
print(json.dumps(out))
"""
STUBBED_ENCODERS = (
    "libx265",
    "libvpx",
    "libvpx-vp9",
    "libsvtav1",
    "libmp3lame",
    "libwebp",
)


def test_decode_only_copy_decodes_everything_and_refuses_to_encode(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    for name, (codec, fmt, _) in MEDIA.items():
        _encode(media / name, codec, fmt)
    site = tmp_path / "site"
    site.mkdir()
    source = Path(av.__file__).parent
    shutil.copytree(source, site / "av")
    shutil.copytree(source.parent / "av.libs", site / "av.libs")
    before = sum(p.stat().st_size for p in (site / "av.libs").iterdir())

    done = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "decode_only.py"), str(site)],
        capture_output=True,
        text=True,
        check=True,
    )
    after = sum(p.stat().st_size for p in (site / "av.libs").iterdir())
    assert before - after > 25e6, done.stdout
    for prefix in ("libx265-", "libSvtAv1Enc-", "libvpx-"):
        (stub,) = (site / "av.libs").glob(prefix + "*")
        assert stub.stat().st_size < 100_000
    # x264 stays whole: the built-in demo is encoded with it on a first start
    (x264,) = (site / "av.libs").glob("libx264-*")
    assert x264.stat().st_size > 1_000_000

    files = [str(media / name) for name in MEDIA]
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE, ",".join((*STUBBED_ENCODERS, "libx264")), *files],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(site)},
        timeout=120,
    )
    assert probe.returncode == 0, probe.stderr[-2000:]
    result = json.loads(probe.stdout)
    assert result["av"].startswith(str(site))
    for name in MEDIA:
        assert result["decoded"][name][1] > 0, (name, result["decoded"])
    # Every stubbed encoder fails as an ordinary FFmpeg error; x264 works.
    encoders = result["encoders"]
    assert encoders.pop("libx264") == "opened"
    assert set(encoders) == set(STUBBED_ENCODERS)
    assert "opened" not in encoders.values(), encoders


def test_a_symbol_without_a_stub_rule_stops_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    decode_only = _load("decode_only")
    monkeypatch.setitem(decode_only.DATA, "x265_table", 64)
    source = decode_only.stub_source(
        decode_only.STUBS["libx265-"], {"x265_api_get_215", "x265_table"}
    )
    assert "long x265_api_get_215(void) { return (long)(0); }" in source
    assert "char x265_table[64]" in source
    with pytest.raises(SystemExit, match="x265_new_thing"):
        decode_only.stub_source(decode_only.STUBS["libx265-"], {"x265_new_thing"})


def test_icu_keeps_the_ui_languages_and_what_qt_reads() -> None:
    icu_trim = _load("icu_trim")
    for kept in (
        "coll/ko.res",
        "coll/root.res",
        "zone/en_GB.res",
        "ko.res",
        "uprops.icu",
        "pool.res",
        "metaZones.res",
    ):
        assert icu_trim.keep(kept), kept
    for dropped in (
        "coll/de.res",
        "coll/de_.res",
        "lang/ko.res",
        "brkitr/root.res",
        "ibm-943_P15A-2003.cnv",
        "fr_CA.res",
    ):
        assert not icu_trim.keep(dropped), dropped


_QT_ICU = """
import sys
from PySide6.QtCore import QCollator, QCoreApplication, QDateTime, QLocale, QTimeZone
app = QCoreApplication(sys.argv)
ko = QCollator(QLocale("ko_KR"))
print(sorted(["하나", "가나", "나비", "다리"], key=ko.sortKey))
de = QCollator(QLocale("de_DE"))
print(sorted(["Zebra", "Äpfel", "apfel", "Apfel"], key=de.sortKey))
print(QLocale("tr_TR").toUpper("istanbul"), QLocale("en_US").toUpper("istanbul"))
tz = QTimeZone(b"Asia/Seoul")
when = QDateTime.fromSecsSinceEpoch(1_700_000_000)
print(tz.displayName(when, QTimeZone.NameType.LongName, QLocale("ko_KR")))
print(tz.displayName(when, QTimeZone.NameType.LongName, QLocale("en_US")))
from PySide6.QtCore import QStringDecoder
print("legacy codecs:", QStringDecoder("EUC-KR").isValid())
"""


def test_trimmed_icu_data_answers_qt_as_the_whole_data_does(tmp_path: Path) -> None:
    from PySide6 import QtCore

    (whole,) = Path(QtCore.__file__).parent.glob("Qt/lib/libicudata.so.*")
    trimmed = tmp_path / whole.name
    shutil.copy(whole, trimmed)
    subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "icu_trim.py"), str(tmp_path)], check=True
    )
    assert trimmed.stat().st_size < whole.stat().st_size / 4

    def run(preload: Path | None) -> str:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        if preload:
            env["LD_PRELOAD"] = str(preload)
        done = subprocess.run(
            [sys.executable, "-c", _QT_ICU],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=True,
        )
        return done.stdout

    reference = run(None)
    assert "['가나', '나비', '다리', '하나']" in reference
    assert "İSTANBUL ISTANBUL" in reference
    assert reference.endswith("legacy codecs: True\n")
    # The same answers; only the legacy codepages (dropped) tell the two apart,
    # which proves the trimmed library is the one loaded.
    assert run(trimmed) == reference.replace("legacy codecs: True", "legacy codecs: False")
