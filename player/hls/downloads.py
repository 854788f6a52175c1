"""Every download the HLS loader makes, from request to usable bytes.

Playlists (blocking-reload queries, UTF-8, parsing with the multivariant
playlist's variables), AES-128 keys and init sections (each fetched once),
and media segments or parts (read from an open-ended hint stream when one
is at their offset, decrypted, init section first). Every request is
retried by its policy, wakes for a stop or a seek, counts as progress for
``read()``'s timeout, and is measured for the bandwidth estimate. Apart
from the loader because none of this depends on what it fetches for: the
loader decides what to fetch and hands in what a download reports to
(failures for the outage watch, the warnings).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..abr.estimator import BandwidthEstimator
from ..abr.silences import Silences
from ..clock import Clock
from ..errors import NetworkError, PlaylistError, SecurityError
from ..fetch import (
    FetchAborted,
    Fetcher,
    FetchResult,
    HttpStatusError,
    PartialTransfer,
    ResponseTooLarge,
    TransferKind,
)
from ..redact import redact_url
from ..retry import KEY_RETRY, PLAYLIST_RETRY, SEGMENT_RETRY, RetryPolicy
from ..warning_text import Warn, WarningCode
from .crypto import check_key, sequence_iv
from .early_fetch import EarlyFetches
from .head_start import HeadStart
from .hint_streams import HintStreams
from .playlist import MAX_PLAYLIST_BYTES, MediaPlaylist, MultivariantPlaylist, Segment
from .playlist_parser import parse_playlist

__all__ = ["Downloads", "Progress"]

log = logging.getLogger(__name__)

_INIT_BYTES = 4 * 1024 * 1024

#: (bytes so far, total if known, seconds since the request) → go on?
Progress = Callable[[int, int | None, float], bool]


def _with_query(url: str, extra: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in extra]
    query += list(extra.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


class Downloads:
    def __init__(
        self,
        fetcher: Fetcher,
        cancel: threading.Event,
        meter: BandwidthEstimator,
        streams: HintStreams,
        *,
        max_segments: int,
        rand: Callable[[], float],
        sleep: Callable[[float], None],
        check_stop: Callable[[], None],
        received: Callable[[], None],
        failed: Callable[[NetworkError, TransferKind, float | None], None],
        worked: Callable[[], None],
        warn: Warn,
        decrypt: Callable[[bytes, bytes, bytes], bytes],
        busy: Callable[[float | None], None] | None = None,
        clock: Clock | None = None,
        head_start: HeadStart | None = None,
    ) -> None:
        self._fetcher = fetcher
        #: the first playlist, asked for as the open began
        self._head_start = head_start
        self._cancel = cancel
        self._meter = meter
        self._streams = streams
        self._max_segments = max_segments
        self._rand = rand
        self._sleep = sleep
        self._check_stop = check_stop
        self._received = received
        self._failed = failed
        self._worked = worked
        self._warn = warn
        self._decrypt = decrypt
        #: the loader works on a request (None: one starts) or waits this long to retry
        self._busy = busy or (lambda seconds: None)
        #: its EXT-X-DEFINE variables are imported by the media playlists
        self.multivariant: MultivariantPlaylist | None = None
        self._keys: dict[str, bytes] = {}
        self._inits: dict[tuple[str, int | None, int | None], bytes] = {}
        #: init sections and keys asked for alongside the segment that needs them
        self._early = EarlyFetches(fetcher, cancel, check_stop, clock)
        self._warned_http_key = False

    def get(
        self,
        url: str,
        kind: TransferKind,
        max_bytes: int,
        *,
        byterange: tuple[int, int] | None = None,
        retry: RetryPolicy = SEGMENT_RETRY,
        live_edge: bool = False,
        progress: Progress | None = None,
    ) -> FetchResult:
        attempt = 0
        #: a media body that broke off: the bytes kept, asked for from the next one on
        kept = b""
        asked = byterange

        silences = Silences()

        def tick(done: int, total: int | None, elapsed: float) -> bool:
            # of this attempt (after a resume: of the rest), so rates are its own
            silences.heard(elapsed)
            self._received()
            return progress(done, total, elapsed) if progress is not None else True

        while True:
            self._check_stop()
            self._cancel.clear()
            silences = Silences()
            # a request under way is the loader working: read() waits for it
            self._busy(None)
            try:
                result = self._fetcher.get(
                    url,
                    kind=kind,
                    max_bytes=max_bytes,
                    byterange=asked,
                    progress=tick,
                    cancel=self._cancel,
                )
            except (FetchAborted, ResponseTooLarge, SecurityError):
                raise
            except NetworkError as exc:
                attempt += 1
                status = exc.status if isinstance(exc, HttpStatusError) else None
                if not retry.should_retry(attempt, status, live_edge=live_edge):
                    self._failed(exc, kind, None)
                    raise
                kept, asked = self._resume_point(exc, url, kind, kept, asked, byterange)
                delay = retry.delay(attempt, self._rand)
                self._busy(delay)
                self._failed(exc, kind, delay)
                log.info("retrying %s in %.2fs: %s", redact_url(url), delay, exc)
                self._sleep(delay)
                continue
            self._worked()
            if kind in ("segment", "part"):
                self._measure(result, silences)
            if kept:
                return replace(result, data=kept + result.data)
            return result

    def _measure(self, result: FetchResult, silences: Silences) -> None:
        """A media transfer into the bandwidth meter, without its dead time
        (``Silences``): a response held back by an outage is no latency
        figure (and would time a body that arrived at once), and a body that
        stalled for seconds was measured while bytes flowed."""
        s = result.stats
        ttfb: float | None = s.ttfb
        if s.ttfb > silences.after:
            ttfb = None
        seconds = max(s.transfer_seconds - silences.dead(since=s.ttfb), 0.0)
        self._meter.add_sample(s.bytes, seconds, ttfb, from_cache=s.from_cache)

    def _resume_point(
        self,
        exc: NetworkError,
        url: str,
        kind: TransferKind,
        kept: bytes,
        asked: tuple[int, int] | None,
        byterange: tuple[int, int] | None,
    ) -> tuple[bytes, tuple[int, int] | None]:
        """Where the next attempt starts: (bytes kept, range to ask for). A
        media body that broke off after some bytes from a server that takes
        ranges goes on from the byte where it stopped; otherwise it starts
        again from the beginning and what had arrived is dropped."""
        if (
            kind in ("segment", "part")
            and isinstance(exc, PartialTransfer)
            and exc.resumable
            and exc.total is not None
            and 0 < len(exc.data) < exc.total
        ):
            offset = asked[0] if asked is not None else 0
            got = len(exc.data)
            self._warn(
                WarningCode.SEGMENT_RESUMED, url=redact_url(url), bytes=len(kept) + got, reason=exc
            )
            return kept + exc.data, (offset + got, exc.total - got)
        return b"", byterange

    def playlist(
        self,
        url: str,
        *,
        blocking: dict[str, str] | None = None,
        retry: RetryPolicy = PLAYLIST_RETRY,
    ) -> MultivariantPlaylist | MediaPlaylist:
        target = _with_query(url, blocking) if blocking else url
        result = None if blocking else self._early.take(("playlist", url))
        if result is None and not blocking and self._head_start is not None:
            result = self._head_start.take(url)
            self._head_start = None
        if result is None:
            result = self.get(target, "playlist", MAX_PLAYLIST_BYTES, retry=retry)
        try:
            text = result.data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PlaylistError(f"playlist is not UTF-8 (byte {exc.start})") from None
        imported = self.multivariant.variables if self.multivariant else None
        return parse_playlist(text, result.url, max_segments=self._max_segments, imported=imported)

    def prefetch_playlist(self, url: str) -> None:
        """Ask for the playlist at ``url`` now, for a ``playlist(url)`` soon
        after (at the start: an alternate audio rendition's, alongside the
        first variant's). Kept until ``end_start``."""
        self._check_stop()
        self._cancel.clear()  # as the loader's own next request would
        self._early.start(("playlist", url), url, "playlist", MAX_PLAYLIST_BYTES)

    def prefetch_media(self, seg: Segment, kind: TransferKind, cap: int) -> None:
        """Ask for ``seg``'s bytes (and its init section and key) now, for a
        ``media(seg, kind, ...)`` soon after: at the start, the first audio
        rendition segment alongside the first video segment. Kept until
        taken or ``end_start``."""
        if seg.key is not None and seg.key.method != "AES-128":
            return  # refused by ``media`` with its own message
        self._start_early(seg)
        self._check_stop()
        self._cancel.clear()  # as the loader's own next request would
        byterange = self._range(seg)
        self._early.start(("media", seg.uri, byterange), seg.uri, kind, cap, byterange)

    def end_start(self) -> None:
        """The start is over: a playlist asked for ahead and not used since
        would be stale by the time it is (and a segment not used by then
        never will be)."""
        self._early.discard("playlist")
        self._early.discard("media")

    @staticmethod
    def _range(seg: Segment) -> tuple[int, int] | None:
        br = seg.byterange
        return (br.offset, br.length) if br else None

    def media_playlist(
        self,
        url: str,
        blocking: dict[str, str] | None = None,
        retry: RetryPolicy = PLAYLIST_RETRY,
    ) -> MediaPlaylist:
        pl = self.playlist(url, blocking=blocking, retry=retry)
        if isinstance(pl, MultivariantPlaylist):
            raise PlaylistError("a multivariant playlist where a media playlist was expected")
        return pl

    def key(self, uri: str) -> bytes:
        key = self._keys.get(uri)
        if key is None:
            if urlsplit(uri).scheme == "http" and not self._warned_http_key:
                self._warned_http_key = True
                self._warn(WarningCode.KEY_OVER_HTTP, url=redact_url(uri))
            early = self._early.take(("key", uri))
            raw = early.data if early is not None else None
            if raw is None:
                raw = self.get(uri, "key", 64, retry=KEY_RETRY).data
            key = check_key(raw)
            self._keys[uri] = key
        return key

    @staticmethod
    def _init_key(seg: Segment) -> tuple[str, int | None, int | None]:
        assert seg.init is not None
        br = seg.init.byterange
        return (seg.init.uri, br.offset if br else None, br.length if br else None)

    def _start_early(self, seg: Segment) -> None:
        """Ask for the init section and the key ``seg`` needs (if not held
        yet) now, alongside ``seg`` itself: one round trip at a start or a
        rung switch instead of two or three in a row."""
        init = seg.init is not None and self._init_key(seg) not in self._inits
        key = seg.key.uri if seg.key is not None and seg.key.method == "AES-128" else None
        if key is not None and key in self._keys:
            key = None
        if not init and key is None:
            return
        # the segment's request would clear a cancel left from an earlier
        # interrupt: the early ones must not meet it either
        self._check_stop()
        self._cancel.clear()
        if init:
            assert seg.init is not None
            br = seg.init.byterange
            byterange = (br.offset, br.length) if br else None
            cache_key = self._init_key(seg)
            self._early.start(("init", cache_key), seg.init.uri, "init", _INIT_BYTES, byterange)
        if key is not None:
            self._early.start(("key", key), key, "key", 64)

    def init(self, seg: Segment) -> bytes:
        assert seg.init is not None
        br = seg.init.byterange
        cache_key = self._init_key(seg)
        data = self._inits.get(cache_key)
        if data is None:
            early = self._early.take(("init", cache_key))
            data = early.data if early is not None else None
        if data is None:
            data = self.get(
                seg.init.uri,
                "init",
                _INIT_BYTES,
                byterange=(br.offset, br.length) if br else None,
            ).data
        if cache_key not in self._inits:
            if seg.key is not None and seg.key.method == "AES-128" and seg.key.uri:
                iv = seg.key.iv or sequence_iv(seg.sequence)
                data = self._decrypt(data, self.key(seg.key.uri), iv)
            self._inits[cache_key] = data
        return data

    def _early_media(self, seg: Segment) -> bytes | None:
        """``seg``'s bytes from a request started ahead (None: none was, or
        it failed). Counted and measured as the loader's own request would
        have been: it was the same transfer, only sooner."""
        result = self._early.take(("media", seg.uri, self._range(seg)))
        if result is None:
            return None
        self._received()
        self._worked()
        self._measure(result, Silences())
        return result.data

    def media(
        self,
        seg: Segment,
        kind: TransferKind,
        cap: int,
        *,
        retry: RetryPolicy = SEGMENT_RETRY,
        live_edge: bool = False,
        progress: Progress | None = None,
    ) -> bytes:
        """A segment's (or part's) bytes, decrypted, its init section first."""
        if seg.key is not None and seg.key.method != "AES-128":
            raise SecurityError(f"encryption {seg.key.method} is not supported (DRM)")
        self._start_early(seg)
        br = seg.byterange
        data = self._early_media(seg)
        if data is None:
            data = self._streams.read(seg.uri, br)
        if data is None:
            data = self.get(
                seg.uri,
                kind,
                cap,
                byterange=self._range(seg),
                retry=retry,
                live_edge=live_edge,
                progress=progress,
            ).data
        if seg.key is not None and seg.key.uri:
            data = self._decrypt(
                data, self.key(seg.key.uri), seg.key.iv or sequence_iv(seg.sequence)
            )
        if seg.init is not None:
            data = self.init(seg) + data
        return data
