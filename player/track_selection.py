"""Which of a file's audio streams is heard: shared by the source (which lists
the tracks and takes the user's choice from any thread) and the audio decoder
(which switches at the play position when the choice changes)."""

from __future__ import annotations

import threading

__all__ = ["TrackSelection"]


class TrackSelection:
    """The selected track index and a generation that counts changes, read
    together: a decoder that saw generation ``g`` switches once when it moves."""

    def __init__(self, index: int, count: int) -> None:
        self._lock = threading.Lock()
        self._index = index
        self._count = count
        self._generation = 0

    @property
    def count(self) -> int:
        return self._count

    def select(self, index: int) -> None:
        """Any thread. Raises ``ValueError`` for a track that does not exist."""
        if not 0 <= index < self._count:
            raise ValueError(f"no audio track {index} (the file has {self._count})")
        with self._lock:
            if index != self._index:
                self._index = index
                self._generation += 1

    def current(self) -> tuple[int, int]:
        """(selected index, generation)."""
        with self._lock:
            return self._index, self._generation
