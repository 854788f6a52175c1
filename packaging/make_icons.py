"""Render resources/icons/heureum.svg to the PNG sizes, .ico and .icns that the
platforms need: ``python packaging/make_icons.py`` (needs PySide6 only).

The .ico and .icns containers are written here rather than with Pillow or
icnsutil: both formats accept PNG payloads, which makes each a header and a
table of contents over the PNG files we already have."""

from __future__ import annotations

import struct
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS types that carry PNG data, by pixel size (Apple's icns type codes).
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09"}


def render_pngs(svg: Path, out: Path) -> dict[int, bytes]:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(["make_icons", "-platform", "offscreen"])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: cannot read {svg}")
    pngs: dict[int, bytes] = {}
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        data = QByteArray()
        buf = QBuffer(data)
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buf, "PNG")
        pngs[size] = bytes(data.data())
        (out / f"heureum-{size}.png").write_bytes(pngs[size])
    del app
    return pngs


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = 6 + 16 * len(pngs)
    entries = b""
    body = b""
    for size, png in sorted(pngs.items()):
        dim = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(png), offset + len(body))
        body += png
    return header + entries + body


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    chunks = b"".join(
        code + struct.pack(">I", 8 + len(pngs[size])) + pngs[size]
        for size, code in ICNS_TYPES.items()
    )
    return b"icns" + struct.pack(">I", 8 + len(chunks)) + chunks


def main() -> int:
    pngs = render_pngs(ICONS / "heureum.svg", ICONS)
    (ICONS / "heureum.ico").write_bytes(ico_bytes({s: pngs[s] for s in ICO_SIZES}))
    (ICONS / "heureum.icns").write_bytes(icns_bytes(pngs))
    print(f"make_icons: {len(pngs)} PNG sizes, heureum.ico, heureum.icns in {ICONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
