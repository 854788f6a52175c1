"""The desktop entry and the AppStream metainfo pass the freedesktop
validators, and say what the player opens."""

from __future__ import annotations

import configparser
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from resources import APP_ID, data_dir

LINUX = data_dir() / "linux"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "resources" / "screenshots"


def test_the_desktop_file_validates_and_opens_our_schemes_and_types() -> None:
    desktop = LINUX / f"{APP_ID}.desktop"
    done = subprocess.run(
        ["desktop-file-validate", str(desktop)], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0 and done.stdout == "", done.stdout + done.stderr
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(desktop, encoding="utf-8")
    section = entry["Desktop Entry"]
    types = set(section["MimeType"].strip(";").split(";"))
    assert {"x-scheme-handler/rtsp", "x-scheme-handler/rtmp"} <= types
    assert {"application/vnd.apple.mpegurl", "video/mp4", "video/x-matroska"} <= types
    assert section["Exec"] == "heureum %U"
    assert section["Icon"] == APP_ID


def test_the_metainfo_validates_and_its_screenshot_is_the_real_window() -> None:
    metainfo = LINUX / f"{APP_ID}.metainfo.xml"
    done = subprocess.run(
        ["appstreamcli", "validate", "--no-net", "--explain", str(metainfo)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    root = ET.parse(metainfo).getroot()
    assert root.findtext("id") == APP_ID
    assert root.find("launchable").text == f"{APP_ID}.desktop"  # type: ignore[union-attr]
    images = [el.text or "" for el in root.iter("image")]
    assert images
    for url in images:
        shot = SCREENSHOTS / url.rsplit("/", 1)[1]
        data = shot.read_bytes()
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert width >= 1000 and height >= 600, (shot, width, height)
