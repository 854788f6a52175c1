"""player.app_start: the ``heureum`` command's process-wide start-up choices
(``player.dataclass_speed``) are made by the command, which imports it first,
and never by the engine imported as a library."""

from __future__ import annotations

import subprocess
import sys

import pytest

FITS = sys.implementation.name == "cpython" and sys.version_info[:2] in ((3, 11), (3, 12))

_WHO_COMPILED = """
import dataclasses, sys
import {module}
from player import dataclass_speed
from player.events import StateChanged
files = set()
for name in ("__repr__", "__eq__", "__setattr__", "__delattr__", "__hash__"):
    method = getattr(StateChanged, name)
    method = getattr(method, "__wrapped__", method)  # the repr's recursion guard
    files.add(method.__code__.co_filename)  # "<string>" where exec compiled it
ours = sorted(files) == [dataclass_speed.__file__]
print(dataclass_speed.installed(), ours, StateChanged.__setattr__.__module__)
"""


def _who_compiled(module: str) -> list[str]:
    code = _WHO_COMPILED.format(module=module)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.split()


@pytest.mark.skipif(not FITS, reason="another Python: dataclasses compiles its own")
def test_the_application_installs_it_and_its_dataclasses_compile_no_methods() -> None:
    assert _who_compiled("player.cli") == ["True", "True", "player.events"]


def test_the_engine_as_a_library_leaves_dataclasses_alone() -> None:
    assert _who_compiled("player") == ["False", "False", "player.events"]
