"""player.frame_memory: picture-sized blocks come from the heap and a freed
one stays there for the next (the renderer's per-frame conversions), read
from glibc's own accounting (mallinfo2) in a fresh interpreter each."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from player import frame_memory

ROOT = Path(__file__).resolve().parents[2]
_BLOCK = 8 * 1024 * 1024  # a fitted 1080p BGRA picture is about 6 MB

# malloc a block, write it, free it: mmapped blocks while it lives, and the
# releasable space at the heap's top after its free
_PROBE = r"""
import ctypes, json, sys
class MallInfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
        "fsmblks", "uordblks", "fordblks", "keepcost")]
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = MallInfo2
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = (ctypes.c_size_t,)
libc.free.argtypes = (ctypes.c_void_p,)
if sys.argv[1] == "1":
    from player.frame_memory import keep_frame_buffers
    assert keep_frame_buffers()
size = int(sys.argv[2])
mapped_before = libc.mallinfo2().hblks
block = libc.malloc(size)
ctypes.memset(block, 1, size)
mapped = libc.mallinfo2().hblks - mapped_before
libc.free(block)
print(json.dumps({"mapped": mapped, "kept": libc.mallinfo2().keepcost}))
"""


def _probe(tuned: bool) -> dict[str, int]:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, "1" if tuned else "0", str(_BLOCK)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result: dict[str, int] = json.loads(out.stdout)
    return result


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's mallopt")
def test_a_picture_sized_block_stays_in_the_heap_after_its_free() -> None:
    default, tuned = _probe(False), _probe(True)
    # glibc's default: its own mapping, given back on free (the next one faults in anew)
    assert default["mapped"] == 1
    assert default["kept"] < _BLOCK
    # tuned: from the heap, and still there for the next picture
    assert tuned["mapped"] == 0
    assert tuned["kept"] >= _BLOCK


def test_other_c_libraries_are_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(frame_memory, "_done", None)
    monkeypatch.setattr(platform, "libc_ver", lambda: ("", ""))
    assert frame_memory.keep_frame_buffers() is False
    # once decided, never asked again
    monkeypatch.setattr(platform, "libc_ver", lambda: ("glibc", "2.36"))
    assert frame_memory.keep_frame_buffers() is False
