"""One lock for the process's stderr while PortAudio starts.

sounddevice starts PortAudio with file descriptor 2 pointed at /dev/null, to
hide what JACK and ALSA print while they probe. That is process-wide: a line
another thread writes to stderr meanwhile (the command line's error) is lost.
Whoever writes a line a user must see takes this lock; the start takes it too.
"""

from __future__ import annotations

import sys
import threading

__all__ = ["STDERR_LOCK", "say"]

STDERR_LOCK = threading.Lock()


def say(line: str) -> None:
    """``line`` on stderr, never into PortAudio's /dev/null."""
    with STDERR_LOCK:
        print(line, file=sys.stderr, flush=True)
