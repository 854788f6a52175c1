"""Keeps picture-sized allocations inside the process's heap (glibc only).

The software renderer converts every painted frame into fresh buffers (PyAV's
reformat always allocates its output): a 640x360 BGRA picture is 0.9 MB, a
fitted 1080p one 6 MB. With glibc's defaults such blocks are mapped and
unmapped, or trimmed off the heap's top, on every free, so the next frame's
buffer comes back as new pages the kernel must fault in and zero: measured
with benchmarks/thread_cpu.py (720p30 in a 640x360 view), 6400 page faults a
second and about a quarter of the GUI thread's CPU; 20 a second with this.
Raising the two thresholds keeps a freed picture in the heap, where the next
one reuses it.

The cost is memory the process keeps after a peak: at most ``TRIM_BYTES`` of
free space at the heap's top. Other C libraries (musl, macOS, Windows) keep
their own policy; nothing is changed there.
"""

from __future__ import annotations

import ctypes
import logging
import platform

__all__ = ["MMAP_BYTES", "TRIM_BYTES", "keep_frame_buffers"]

log = logging.getLogger(__name__)

#: blocks below this come from the heap, not their own mapping (glibc's
#: ceiling for it on 64-bit: a 4K BGRA picture is just above it)
MMAP_BYTES = 32 * 1024 * 1024
#: free space at the heap's top that is kept rather than given back
TRIM_BYTES = 64 * 1024 * 1024
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

_done: bool | None = None


def keep_frame_buffers() -> bool:
    """Sets both thresholds once per process; True if glibc took them."""
    global _done
    if _done is not None:
        return _done
    _done = False
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    # mallopt returns 1 on success, 0 on a value it refuses
    _done = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_BYTES)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_BYTES)
    )
    if not _done:
        log.debug("mallopt refused the frame-buffer thresholds")
    return _done
