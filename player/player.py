"""The public engine API: ``Player``. Thread-safe, Qt-free; talks back through
typed events delivered to subscribers."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .capabilities import TimelineEntry
from .clock import Clock, SystemClock
from .config import DEFAULT_CONFIG, OpenOptions, PlayerConfig
from .errors import PlayerError
from .events import Event, MediaInfo, MediaOpened, PlayerState, StateChanged, TracksChanged
from .levels import Levels
from .stats import SessionStats
from .video_sink import VideoSink

if TYPE_CHECKING:
    from .audio_out import AudioDevicePool
    from .engine import Session
    from .hls.head_start import HeadStart
    from .text_tracks import TextTracks
    from .text_tracks.listing import Problem, SubtitleListing

__all__ = ["Player"]

log = logging.getLogger(__name__)

Subscriber = Callable[[Event], None]

#: how long ``MediaOpened`` waits for a local file's subtitles, listed beside
#: the session's own open of the file and nearly always done before it
_LISTING_WAIT_S = 1.0
#: how long the prepared audio output waits for the first open's mode (the
#: window opens right after it prepares; later, the default mode is opened)
PREPARE_MODE_WAIT_S = 2.0


class Player:
    """Open a URL, play it, control it. Every method returns promptly; results
    arrive as events (from engine threads: subscribers must be quick)."""

    def __init__(
        self,
        config: PlayerConfig = DEFAULT_CONFIG,
        *,
        video_sink: VideoSink | None = None,
        clock: Clock | None = None,
        audio_pool: AudioDevicePool | None = None,
    ) -> None:
        """``audio_pool``: where sessions get their audio output (a stream
        kept open across them by default; the compare view shares one)."""
        self.config = config
        self._clock = clock or SystemClock()
        self._sink = video_sink
        self._subscribers: list[Subscriber] = []
        self._lock = threading.RLock()
        self._session: Session | None = None
        self._closed = False
        #: volume, mute and speed: held here alone, the session reads them
        self._levels = Levels()
        self._state = PlayerState.IDLE
        self._state_cond = threading.Condition()
        self._max_resolution: tuple[int | None, int | None] = (None, None)
        # Subtitles of a local file (its text streams, files beside it): the
        # player's, not the source's, so they outlive nothing but the file.
        self._text: TextTracks | None = None
        self._listing: SubtitleListing | None = None
        self._subtitle_delay = 0.0
        self._pin_height: int | None = None
        self._pool = audio_pool

    @property
    def _audio_pool(self) -> AudioDevicePool:
        """Made on first use (the audio device's preparation or the first open),
        not with the player: the window makes its player before it is shown,
        and nothing of the audio output is needed for its first paint."""
        with self._lock:
            if self._pool is None:
                from .audio_out import AudioDevicePool

                self._pool = AudioDevicePool(self.config.audio, self._clock)
            return self._pool

    # ---------------------------------------------------------------- events
    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def _emitter(self, session_ref: list[Session]) -> Callable[[Event], None]:
        def emit(event: Event) -> None:
            # Events of a replaced session must not reach subscribers.
            if not session_ref or session_ref[0] is not self._session:
                return
            if isinstance(event, MediaOpened | TracksChanged):
                event = self._with_text_tracks(event)
            if isinstance(event, StateChanged):
                with self._state_cond:
                    self._state = event.state
                    self._state_cond.notify_all()
            with self._lock:
                subscribers = list(self._subscribers)
            for callback in subscribers:
                try:
                    callback(event)
                except Exception:
                    log.exception("event subscriber failed")

        return emit

    # ---------------------------------------------------------------- commands
    def open(self, url: str, options: OpenOptions | None = None) -> None:
        """Stop what plays and open ``url`` (a URL or a local path)."""
        self._check_open()
        # the session's time (time to first frame, every event's t) counts
        # from here: what comes before the session is waited for too
        asked_at = self._clock.now()
        # first: a ``prepare_audio`` under way waits for the mode to size the
        # device's queue, and the stop and the imports below take a while
        # With audio off no pool is made (nor its module imported: ALSA's log
        # hook, ctypes and PortAudio's helpers); one handed in is still used.
        pool = self._audio_pool if self.config.audio.enabled else self._pool
        if pool is not None:
            pool.use_mode(bool(self.config.with_options(options).latency.low_latency))
        with self._lock:
            old = self._session
            self._session = None
        if old is not None:
            old.stop()
        self._close_text()
        listing = self._subtitle_listing(url, options)
        text: TextTracks | None = None
        problems: list[Problem] = []
        if listing is not None:
            text = listing.tracks
        elif options is not None and options.subtitle_files:
            # only then: a stream's subtitle modules (their parsers, html's
            # entity table) otherwise wait for its own subtitles, if any
            from .text_tracks.listing import subtitle_files_only

            text, problems = subtitle_files_only(options)
        # before the engine's imports: their time passes during its round trip
        head_start = self._head_start(url, options)
        # Here, not at the top: the engine brings PyAV, a tenth of a second the
        # desktop window does not wait for before it shows (issue 13).
        from .engine import Session

        ref: list[Session] = []
        session = Session(
            url,
            options,
            self.config,
            self._clock,
            self._sink,
            self._emitter(ref),
            self._levels,
            pool,
            opened_at=asked_at,
        )
        ref.append(session)
        session.max_resolution = self._max_resolution
        session.subtitle_delay = self._subtitle_delay
        if text is not None:
            # the player's subtitles: a local file's (listed or not yet), --sub-file
            session.text_source = text.text_at
            session.text_selected = text.has_selection
        self._text = text
        self._listing = listing
        session.pin_height = self._pin_height
        session.head_start = head_start
        with self._lock:
            self._session = session
        for code, params in problems:
            session.warn(code, **params)
        if listing is not None:
            listing.start(lambda problems, late: self._subtitles_listed(session, problems, late))
        session.start()

    def play(self) -> None:
        if (s := self._session) is not None:
            s.play()

    def pause(self) -> None:
        if (s := self._session) is not None:
            s.pause()

    def toggle_pause(self) -> None:
        if self.state == PlayerState.PLAYING:
            self.pause()
        else:
            self.play()

    def seek(self, position: float, *, exact: bool = False) -> None:
        if (s := self._session) is not None:
            s.seek(position, exact)

    def seek_relative(self, delta: float, *, exact: bool = False) -> None:
        if (s := self._session) is not None:
            # a seek still queued counts: two quick steps go twice as far
            pos = s.reported_position()
            if pos is not None:
                s.seek(pos + delta, exact)

    def frame_step(self) -> None:
        if (s := self._session) is not None:
            s.frame_step()

    def frame_back_step(self) -> None:
        s = self._session
        if s is None or s.last_shown_pts is None:
            return
        s.pause()
        fps = s.media.video.fps if s.media and s.media.video and s.media.video.fps else 25.0
        s.seek(max(0.0, s.last_shown_pts - 1.0 / fps), exact=True)

    def stop(self) -> None:
        with self._lock:
            old = self._session
            self._session = None
        if old is not None:
            old.stop()
            with self._state_cond:
                self._state = PlayerState.STOPPED
                self._state_cond.notify_all()
            event = StateChanged(state=PlayerState.STOPPED, previous=old.state)
            with self._lock:
                subscribers = list(self._subscribers)
            for callback in subscribers:
                try:
                    callback(event)
                except Exception:
                    log.exception("event subscriber failed")

    def close(self) -> None:
        self.stop()
        self._close_text()
        self._closed = True
        with self._lock:
            pool = self._pool
        if pool is not None:  # none made: nothing to close
            pool.close()

    def prepare_audio(self) -> None:
        """Open the audio output now, on a thread of its own, so that the first
        ``open()`` finds it ready instead of waiting for PortAudio and the sound
        server (a tenth of a second or more before the first frame). The
        desktop window calls it as it shows; nothing when audio is off."""
        if not self.config.audio.enabled or self._closed:
            return
        seconds = self.config.buffer.max_decoded_audio_seconds
        threading.Thread(
            target=self._audio_pool.prepare,
            args=(seconds, PREPARE_MODE_WAIT_S),
            name="heureum-audio-open",
            daemon=True,
        ).start()

    def set_volume(self, volume: float) -> None:
        self._levels.set_volume(volume)
        if (s := self._session) is not None:
            s.volume_changed()

    def set_muted(self, muted: bool) -> None:
        self._levels.muted = muted
        if (s := self._session) is not None:
            s.volume_changed()

    def set_speed(self, speed: float) -> None:
        self._levels.set_speed(speed)
        if (s := self._session) is not None:
            s.speed_changed()

    def select_variant(self, index: int | None) -> None:
        if (s := self._session) is not None:
            s.select_variant(index)

    def select_audio_track(self, index: int | None) -> None:
        """An alternate audio rendition (``MediaInfo.audio_tracks``); None = default."""
        if (s := self._session) is not None and (tracks := s.tracks()) is not None:
            tracks.select_audio_track(index)

    def select_subtitle_track(self, index: int | None) -> None:
        """A subtitle track (``MediaInfo.subtitle_tracks``); None = off."""
        if self._text is not None:
            self._text.select(index)
        elif (s := self._session) is not None and (tracks := s.tracks()) is not None:
            tracks.select_subtitle_track(index)

    def load_subtitles(self, path: str) -> None:
        """Add a subtitle file (.srt, .vtt, .ass) to what plays and show it.
        Raises ``PlayerError`` with a message for a person."""
        from .errors import FormatError

        s = self._session
        if s is None:
            raise PlayerError("Open a video before loading subtitles.")
        if self._text is None:
            from .text_tracks import TextTracks

            self._text = TextTracks()
            s.text_source = self._text.text_at
            s.text_selected = self._text.has_selection
        try:
            self._text.add_file(path)
        except OSError as exc:
            raise FormatError(f"Cannot read the subtitle file {path}: {exc.strerror}") from None
        info = s.media
        if info is not None:
            s.emit(TracksChanged(info=info))

    def set_subtitle_delay(self, seconds: float) -> None:
        """Show subtitles ``seconds`` later (negative: earlier), mpv's sub-delay;
        kept for every file until changed."""
        self._subtitle_delay = round(seconds, 3)
        if (s := self._session) is not None:
            s.subtitle_delay = self._subtitle_delay

    @property
    def subtitle_delay(self) -> float:
        return self._subtitle_delay

    def _head_start(self, url: str, options: OpenOptions | None) -> HeadStart | None:
        """An HLS stream's first playlist, asked for now (``HeadStart``)."""
        from .sources.urls import classify

        try:
            target = classify(url)
        except PlayerError:
            return None  # the session reports it
        if target.family != "hls":
            return None
        from .hls.head_start import HeadStart

        return HeadStart(target.url, self.config.with_options(options).network, self._clock)

    def _subtitle_listing(self, url: str, options: OpenOptions | None) -> SubtitleListing | None:
        """A local file's own text streams and the subtitle files beside it,
        to be listed on a thread (PyAV opens the file a second time)."""
        from .sources.urls import classify

        try:
            target = classify(url)
        except PlayerError:
            return None  # the session reports it
        if target.family != "file":
            return None
        from .text_tracks import TextTracks
        from .text_tracks.listing import SubtitleListing

        preferred = options.subtitle_languages if options is not None else ()
        return SubtitleListing(TextTracks(preferred), target.url, options)

    def _subtitles_listed(self, session: Session, problems: list[Problem], late: bool) -> None:
        """The listing thread, done: its warnings, and the tracks again when
        ``MediaOpened`` went out before they were listed."""
        if session is not self._session:
            return
        for code, params in problems:
            session.warn(code, **params)
        if late and session.media is not None:
            session.notify(TracksChanged(info=session.media))

    def _with_text_tracks(self, event: MediaOpened | TracksChanged) -> MediaOpened | TracksChanged:
        text, listing = self._text, self._listing
        if text is None:
            return event
        if isinstance(event, MediaOpened) and listing is not None and listing.tracks is text:
            infos = listing.infos_for_opened(_LISTING_WAIT_S)
        else:
            infos = text.infos()
        if not infos:
            return event  # nothing of the player's (yet): the source's own, if any
        info = replace(event.info, subtitle_tracks=infos)
        s = self._session
        if s is not None:
            s.media = info
        return replace(event, info=info)

    def _close_text(self) -> None:
        self._listing = None
        if self._text is not None:
            self._text.close()
            self._text = None

    def set_max_resolution(self, width: int | None, height: int | None) -> None:
        """Cap adaptive streams to the view's size in device pixels (None: no cap)."""
        self._max_resolution = (width, height)
        if (s := self._session) is not None and (adaptive := s.adaptive()) is not None:
            adaptive.set_max_resolution(width, height)

    def pin_height(self, height: int | None) -> None:
        """Adaptive streams: play the tallest rung at or under ``height`` lines
        from the first segment on (the same rung for every stream compared);
        None: automatic. Kept for the next ``open``."""
        self._pin_height = height
        if (s := self._session) is not None:
            s.pin_height = height
            if (adaptive := s.adaptive()) is not None:
                adaptive.pin_height(height)

    def program_date_time(self, position: float | None = None) -> datetime | None:
        """HLS: the wall-clock time (EXT-X-PROGRAM-DATE-TIME) of ``position``
        (default: now playing), when the playlist carries it."""
        s = self._session
        if s is None:
            return None
        pos = position if position is not None else s.position()
        if pos is None:
            return None
        live = s.live()
        return live.program_date_time(pos) if live is not None else None

    def abr_timeline(self) -> list[TimelineEntry]:
        """Adaptive streams: samples of estimate, selected bitrate and buffer over
        time with switch/stall/error markers (for plots and JSON/CSV export),
        ``t`` in seconds of the session (the events' clock)."""
        s = self._session
        return s.abr_timeline() if s is not None else []

    def seek_to_live(self) -> None:
        if (s := self._session) is not None:
            s.seek_to_live()

    def set_video_sink(self, sink: VideoSink | None) -> None:
        self._sink = sink
        if (s := self._session) is not None:
            s.sink = sink

    # ---------------------------------------------------------------- queries
    @property
    def state(self) -> PlayerState:
        return self._state

    @property
    def position(self) -> float | None:
        s = self._session
        return s.reported_position() if s is not None else None

    @property
    def duration(self) -> float | None:
        s = self._session
        return s.media.duration if s is not None and s.media is not None else None

    @property
    def media_info(self) -> MediaInfo | None:
        s = self._session
        return s.media if s is not None else None

    @property
    def volume(self) -> float:
        return self._levels.volume

    @property
    def muted(self) -> bool:
        return self._levels.muted

    @property
    def speed(self) -> float:
        return self._levels.speed

    def buffered_until(self) -> float | None:
        s = self._session
        if s is None or not s.demuxed_end:
            return None
        return min(s.demuxed_end.values())

    def live_latency(self) -> float | None:
        s = self._session
        if s is None or s.media is None or not s.media.is_live:
            return None
        live = s.live()
        if live is not None:
            value = live.live_latency()
            if value is not None:
                return float(value)
        return s.behind_edge()

    def stats(self) -> SessionStats:
        """The session's figures now (typed; see ``player.stats``)."""
        s = self._session
        return s.stats() if s is not None else SessionStats.closed(self._state.value)

    def report(self) -> dict[str, Any]:
        """The JSON report (``heureum.report/1``, documented in the README)."""
        return self.stats().as_report()

    def wait_for_state(
        self, states: set[PlayerState] | PlayerState, timeout: float
    ) -> PlayerState | None:
        """Block until the state is one of ``states`` (for the CLI and tests)."""
        wanted = {states} if isinstance(states, PlayerState) else states
        with self._state_cond:
            ok = self._state_cond.wait_for(lambda: self._state in wanted, timeout)
            return self._state if ok else None

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("This Player is closed.")
