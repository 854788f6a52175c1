"""Starting PortAudio (importing sounddevice) points fd 2 at /dev/null for the
whole process; it happens under the lock that the command line's messages
take, so an error printed meanwhile is not lost."""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import types
from collections.abc import Sequence

import pytest

from player.audio_out import open_audio_output
from player.clock import ManualClock
from player.config import AudioConfig
from player.stderr_lock import STDERR_LOCK


class _Recorder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self) -> None:
        self.locked_during_import: bool | None = None

    def find_spec(
        self,
        name: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if name != "sounddevice":
            return None
        return importlib.machinery.ModuleSpec(name, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        self.locked_during_import = STDERR_LOCK.locked()
        raise OSError("PortAudio library not found")


def test_portaudio_starts_under_the_stderr_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = _Recorder()
    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(sys, "meta_path", [recorder, *sys.meta_path])
    out, reason = open_audio_output(AudioConfig(), ManualClock(), 1.0)
    assert out is None and reason is not None and "PortAudio" in reason
    assert recorder.locked_during_import is True
    assert not STDERR_LOCK.locked()  # and given back
