"""The open-ended LL-HLS preload hints being read (``live_playlist.open_hint``
finds them).

An open-ended hint's body flows while a blocking playlist reload waits for
the parts in it to be listed; those parts are then read from the stream
instead of fetched. One stream per owner (the main track, the audio
rendition). Apart from the loader because it owns live HTTP bodies whose
life (open, read at an offset, drop when it no longer lines up, close) is
its own, whoever asks for the parts.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from ..errors import NetworkError, SecurityError
from ..fetch import FetchAborted, Fetcher, RangeStream
from ..warning_text import Warn, WarningCode
from .playlist import ByteRange

__all__ = ["HintStreams"]

log = logging.getLogger(__name__)


class HintStreams:
    def __init__(
        self,
        fetcher: Fetcher,
        cancel: threading.Event,
        *,
        max_bytes: int,
        check_stop: Callable[[], None],
        warn: Warn,
        received: Callable[[], None],
        stats: dict[str, int],
    ) -> None:
        self._fetcher = fetcher
        self._cancel = cancel
        self._max_bytes = max_bytes
        self._check_stop = check_stop
        self._warn = warn
        self._received = received
        self._stats = stats
        #: owner ("main" | "audio") → (URL, stream)
        self._streams: dict[str, tuple[str, RangeStream]] = {}
        #: off after one fails to open (another chance after an outage)
        self.ok = True

    def open(self, owner: str, url: str, offset: int) -> None:
        """Ask for ``url`` from ``offset`` on (an open-ended preload hint), the
        body read later as parts of it are listed. A new stream replaces the
        owner's old one."""
        current = self._streams.get(owner)
        if current is not None and current[0] == url and current[1].offset == offset:
            return  # the hinted part is what this stream delivers next
        self.drop(owner)
        if not self.ok:
            return
        self._check_stop()
        self._cancel.clear()
        try:
            stream = self._fetcher.open_range(
                url, offset, kind="part", max_bytes=self._max_bytes, cancel=self._cancel
            )
        except (FetchAborted, SecurityError):
            raise
        except NetworkError as exc:
            self._check_stop()
            # parts are still listed with their byte ranges: fetch those instead
            self.ok = False
            self._warn(WarningCode.PRELOAD_HINT_FAILED, reason=exc)
            return
        self._streams[owner] = (url, stream)

    def read(self, url: str, br: ByteRange | None) -> bytes | None:
        """The bytes of range ``br`` of ``url`` from an open stream, if one is
        at that offset (else None: fetch them). A stream that fails is
        dropped and the range fetched as usual."""
        if br is None:
            return None
        for owner, (u, stream) in list(self._streams.items()):
            if u != url:
                continue
            if stream.offset != br.offset:
                self.drop(owner)  # another part than it delivers next
                return None
            try:
                data = stream.read(br.length)
            except FetchAborted:
                self.drop(owner)
                raise
            except NetworkError as exc:
                log.info("open-ended hint stream failed, fetching the range: %s", exc)
                self.drop(owner)
                return None
            self._received()
            self._stats["streamed_parts"] += 1
            return data
        return None

    def drop(self, owner: str) -> None:
        old = self._streams.pop(owner, None)
        if old is not None:
            old[1].close()

    def close(self) -> None:
        for owner in list(self._streams):
            self.drop(owner)
