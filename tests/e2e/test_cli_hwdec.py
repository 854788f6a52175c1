"""``heureum --hwdec``: auto plays in software here with one warning line;
a value it does not know is a usage error."""

from __future__ import annotations

from pathlib import Path

from player.hwdec import offered_devices
from tests.e2e.test_cli import heureum


def test_hwdec_auto_plays_with_one_warning_line(av_file: Path) -> None:
    assert offered_devices() == (), "this machine has a device: the fallback is not tested"
    result = heureum("--headless", "--no-audio", "--hwdec=auto", "--frames", "10", str(av_file))
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "Hardware decoding" in line]
    assert len(lines) == 1 and "decoding in software" in lines[0]
    assert "Traceback" not in result.stderr
    assert "presented=" in result.stdout


def test_hwdec_takes_auto_or_no_only() -> None:
    result = heureum("--headless", "--hwdec=vaapi", "x.mkv")
    assert result.returncode == 2
    assert "invalid choice: 'vaapi'" in result.stderr and "Traceback" not in result.stderr
