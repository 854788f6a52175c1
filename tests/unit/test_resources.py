"""resources/: the icon files are what their names say, every stylesheet the
window asks for is there, and no widget keeps an inline stylesheet."""

from __future__ import annotations

import ast
import struct
from pathlib import Path

import pytest

import resources
from resources import icon_path, notice_text, stylesheet, translations_dir

ROOT = Path(__file__).resolve().parents[2]
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize("size", SIZES)
def test_each_png_icon_has_its_size(size: int) -> None:
    assert _png_size(icon_path(size).read_bytes()) == (size, size)


def test_the_ico_holds_png_images_up_to_256() -> None:
    data = (icon_path().parent / "heureum.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1)
    sizes = []
    for i in range(count):
        w, h, _, _, _, _, length, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * i : 22 + 16 * i]
        )
        assert _png_size(data[offset : offset + length]) == (w or 256, h or 256)
        sizes.append(w or 256)
    assert sizes == [16, 24, 32, 48, 64, 128, 256]


def test_the_icns_table_covers_the_file_and_each_entry_is_a_png() -> None:
    data = (icon_path().parent / "heureum.icns").read_bytes()
    assert data[:4] == b"icns"
    assert struct.unpack(">I", data[4:8])[0] == len(data)
    pos, seen = 8, {}
    while pos < len(data):
        code, length = data[pos : pos + 4], struct.unpack(">I", data[pos + 4 : pos + 8])[0]
        seen[code] = _png_size(data[pos + 8 : pos + length])[0]
        pos += length
    assert pos == len(data)
    assert seen == {b"icp4": 16, b"icp5": 32, b"icp6": 64, b"ic07": 128, b"ic08": 256, b"ic09": 512}


def _stylesheet_calls() -> list[tuple[Path, ast.Call]]:
    calls = []
    for path in sorted((ROOT / "ui").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "setStyleSheet"
            ):
                calls.append((path, node))
    return calls


def test_no_widget_has_an_inline_stylesheet() -> None:
    calls = _stylesheet_calls()
    assert len(calls) >= 5
    for path, call in calls:
        arg = call.args[0]
        inline = isinstance(arg, ast.Constant | ast.JoinedStr)
        assert not inline, f"{path.name}:{call.lineno} sets an inline stylesheet"


def test_every_stylesheet_named_in_ui_exists_and_parses_as_rules() -> None:
    names = set()
    for path in sorted((ROOT / "ui").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "stylesheet":
                arg = node.args[0]
                if isinstance(arg, ast.Constant):
                    names.add(str(arg.value))
                elif isinstance(arg, ast.JoinedStr):  # message_{level}
                    names |= {f"message_{lvl}" for lvl in ("error", "warning", "info")}
    assert {"osd", "live_badge", "stats_overlay", "hint", "message_error"} <= names
    for name in names:
        text = stylesheet(name)
        assert text.count("{") == text.count("}") > 0, name


def test_translations_and_notices_are_found_through_the_package() -> None:
    assert (translations_dir() / "heureum_ko.qm").stat().st_size > 1000
    notices = notice_text("THIRD-PARTY-NOTICES.md")
    for name in ("FFmpeg", "x264", "x265", "LGPL", "PortAudio", "Python", "written offer"):
        assert name in notices, name
    assert Path(resources.__file__).parent == ROOT / "resources"
