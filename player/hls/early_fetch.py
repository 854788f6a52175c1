"""Requests started ahead, on threads of their own, so that a start-up does
not pay one round trip after another: an fMP4 stream's init section (and an
AES-128 key) is asked for while its first media segment is, instead of
after it. Each is one attempt, outside the retry policy and the failure
accounting: its bytes are taken when they arrived, and when it failed the
caller asks again the ordinary way (so a failure is met, retried and
reported exactly as without the head start)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from ..clock import Clock, SystemClock
from ..fetch import Fetcher, FetchResult, TransferKind
from ..redact import redact_url

__all__ = ["EarlyFetches"]

log = logging.getLogger(__name__)

#: how often a wait for an early request looks whether the loader was stopped
_STOP_CHECK = 0.1


@dataclass
class _Pending:
    done: threading.Event = field(default_factory=threading.Event)
    result: FetchResult | None = None


class EarlyFetches:
    """``cancel`` is the loader's: a stop or seek aborts an early request as
    it aborts the loader's own (it is never cleared here). A wait for an
    answer is a wait on ``clock``, so a run on a ``ManualClock`` sees the
    loader blocked on it until the request's time has passed, as it sees
    the loader blocked in a request of its own: the order of what the run
    does stays the clock's, not the scheduler's."""

    def __init__(
        self,
        fetcher: Fetcher,
        cancel: threading.Event,
        check_stop: Callable[[], None],
        clock: Clock | None = None,
    ) -> None:
        self._fetcher = fetcher
        self._cancel = cancel
        self._check_stop = check_stop
        self._clock: Clock = clock or SystemClock()
        #: notified when an early request is done
        self._done = threading.Condition()
        self._lock = threading.Lock()
        self._pending: dict[object, _Pending] = {}

    def start(
        self,
        key: object,
        url: str,
        kind: TransferKind,
        max_bytes: int,
        byterange: tuple[int, int] | None = None,
    ) -> None:
        """Ask for ``url`` now, once per ``key`` until it is taken."""
        with self._lock:
            if key in self._pending:
                return
            pending = self._pending[key] = _Pending()

        def run() -> None:
            try:
                got = self._fetcher.get(
                    url, kind=kind, max_bytes=max_bytes, byterange=byterange, cancel=self._cancel
                )
                pending.result = got
            except Exception as exc:  # any failure: the caller asks again, by its policy
                log.info("early %s request for %s: %s", kind, redact_url(url), exc)
            finally:
                with self._done:
                    pending.done.set()
                    self._done.notify_all()

        threading.Thread(target=run, name=f"hls-early-{kind}", daemon=True).start()

    def take(self, key: object) -> FetchResult | None:
        """The answer to the request started for ``key`` (waiting for it);
        None when none was started or it failed. Raises as ``check_stop``
        when the loader is stopped or interrupted while waiting."""
        with self._lock:
            pending = self._pending.get(key)
        if pending is None:
            return None
        while True:
            with self._done:
                if self._clock.wait_for(self._done, pending.done.is_set, _STOP_CHECK):
                    break
            self._check_stop()
        with self._lock:
            self._pending.pop(key, None)
        return pending.result

    def discard(self, kind: str) -> None:
        """Forget the requests of ``kind`` (the first item of their key) not
        taken: a playlist asked for ahead is only fresh for a moment."""
        with self._lock:
            for key in [k for k in self._pending if isinstance(k, tuple) and k[0] == kind]:
                del self._pending[key]
