"""The glass benchmark's players get a config home of their own; through
``benchmarks.pulse_env`` they still reach this user's PulseAudio server
(without it, Heureum's window played ``--audio`` runs mute: its report
warned ``no-audio-output``). A real child process, real PortAudio, the
null sink of scripts/audio-env.sh."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.pulse_env import pulse_env

_LIST_OUTPUT = "import sounddevice as sd\nprint(sd.query_devices(kind='output')['name'])\n"


def _child(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _LIST_OUTPUT], env=env, capture_output=True, text=True, timeout=30
    )


def _moved_home(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULSE_")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    return env


def test_a_child_with_its_own_config_home_finds_the_sound_server(
    audio_device: str, tmp_path: Path
) -> None:
    found = pulse_env()
    assert found.get("PULSE_SERVER"), found
    done = _child({**_moved_home(tmp_path), **found})
    assert done.returncode == 0, done.stderr[-400:]
    assert done.stdout.strip()  # an output device, named


def test_a_server_named_in_the_environment_is_passed_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cookie = tmp_path / "config" / "pulse" / "cookie"
    cookie.parent.mkdir(parents=True)
    cookie.write_bytes(b"\0" * 256)
    monkeypatch.setenv("PULSE_SERVER", "/run/somewhere/native")
    monkeypatch.delenv("PULSE_COOKIE", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    expected = {"PULSE_SERVER": "unix:/run/somewhere/native", "PULSE_COOKIE": str(cookie)}
    assert pulse_env() == expected
