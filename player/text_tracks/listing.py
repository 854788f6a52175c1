"""A local file's subtitles, listed on a thread of their own: opening the file
a second time with PyAV (and importing PyAV first) must not hold the thread
that called ``Player.open`` (the desktop window's, before it paints; issue 13).

The listing runs beside the session's own open of the same file and is
almost always done first; ``MediaOpened`` waits for it a bounded moment so
that it carries the tracks, and a listing that is later still arrives as
``TracksChanged``."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from ..config import OpenOptions
from ..errors import PlayerError
from ..events import TrackInfo
from ..warning_text import WarningCode
from .tracks import TextTracks

__all__ = ["Problem", "SubtitleListing", "apply_subtitle_choices", "subtitle_files_only"]

log = logging.getLogger(__name__)

#: a warning to raise: its code and its parameters
Problem = tuple[WarningCode, dict[str, object]]

#: called once the listing is done: the warnings, and whether the tracks went
#: out before it was (so the caller announces them again)
Done = Callable[[list[Problem], bool], None]


class SubtitleListing:
    """Fills ``tracks`` (empty at first, shown from as soon as it holds one)
    with the file's text streams, the files beside it and ``--sub-file``, then
    applies the language preference and ``--sid``."""

    def __init__(self, tracks: TextTracks, media: str | Path, options: OpenOptions | None) -> None:
        self.tracks = tracks
        self._media = Path(media)
        self._options = options
        self._lock = threading.Lock()
        self._listed = threading.Event()
        self._announced = False

    def start(self, on_done: Done) -> None:
        threading.Thread(
            target=self._run, args=(on_done,), name="heureum-subtitle-list", daemon=True
        ).start()

    def infos_for_opened(self, timeout: float) -> tuple[TrackInfo, ...]:
        """The tracks for ``MediaOpened``: waits up to ``timeout`` for the
        listing; what is listed by then (the rest comes as ``TracksChanged``)."""
        self._listed.wait(timeout)
        with self._lock:
            self._announced = True
            return self.tracks.infos()

    @property
    def listed(self) -> bool:
        return self._listed.is_set()

    def _run(self, on_done: Done) -> None:
        problems: list[Problem] = []
        try:
            self.tracks.open_local(self._media)
            problems = apply_subtitle_choices(self.tracks, self._options)
        except Exception:
            # a subtitle listing never stops the picture; the reason goes to the log
            log.exception("subtitles of %s not listed", self._media.name)
        finally:
            with self._lock:
                self._listed.set()
                late = self._announced
        on_done(problems, late)


def apply_subtitle_choices(text: TextTracks, options: OpenOptions | None) -> list[Problem]:
    """mpv's --sub-file (added and shown, the last one given) and --sid over
    the file's own subtitles; (code, parameters) of what could not be done."""
    return add_subtitle_files(text, options) + _choose_track(text, options)


def subtitle_files_only(options: OpenOptions | None) -> tuple[TextTracks | None, list[Problem]]:
    """A stream's --sub-file tracks (None: none could be read, the stream's
    own subtitles then answer --sid); small text files, read at once."""
    if options is None or not options.subtitle_files:
        return None, []
    text = TextTracks()
    problems = add_subtitle_files(text, options)
    if not text.tracks:
        return None, problems
    return text, problems + _choose_track(text, options)


def add_subtitle_files(text: TextTracks, options: OpenOptions | None) -> list[Problem]:
    problems: list[Problem] = []
    for path in options.subtitle_files if options is not None else ():
        try:
            text.add_file(path)
        except (OSError, PlayerError, ValueError) as exc:
            # the reason is worded from the error (an OSError by its errno)
            problems.append((WarningCode.SUBTITLE_FILE, {"path": path, "reason": exc}))
    return problems


def _choose_track(text: TextTracks, options: OpenOptions | None) -> list[Problem]:
    sid = options.subtitle_track if options is not None else "auto"
    if sid == "no":
        text.select(None)
    elif sid != "auto":
        count = len(text.tracks)
        if sid < count:
            text.select(sid)
        else:
            text.select(None)  # as the warning says, and as mpv does
            params: dict[str, object] = {"number": sid + 1, "count": count}
            return [(WarningCode.NO_SUCH_SUBTITLE_TRACK, params)]
    return []
