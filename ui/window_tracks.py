"""The tracks of what plays: the Audio track and Subtitles menus, the choice
of a subtitle in the window's language on opening, and mpv's subtitle keys
(``z``/``x`` delay, ``F``/``G`` size)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu

from player.config import OpenOptions
from player.events import MediaInfo, TrackInfo

from .bridge import PlayerLike
from .osd import Osd
from .subtitles import SubtitleLabel

__all__ = ["SUB_DELAY_STEP", "SUB_SCALE_STEP", "TrackChoices", "preferred_subtitle"]

SUB_SCALE_STEP = 0.1  # mpv's F/G
SUB_DELAY_STEP = 0.1  # mpv's z/x


def _language_code(language: str | None) -> str | None:
    """'ko', 'kor', 'ko-KR' → 'ko' (HLS gives BCP 47, files ISO 639-2)."""
    if not language:
        return None
    from player.text_tracks.sidecar import language_of

    base = language.split("-")[0].split("_")[0]
    return language_of(base) or base.lower()


def preferred_subtitle(info: MediaInfo, wanted: str) -> int | None:
    """The subtitle track to switch to on opening: the one in the window's
    language when another is the default (an HLS ladder's English default in a
    Korean window), or when an HLS stream shows none. A file's tracks were
    chosen by language when it opened, so its "none" stays."""
    tracks = info.subtitle_tracks
    match = next((t for t in tracks if _language_code(t.language) == wanted), None)
    current = next((t for t in tracks if t.default), None)
    if match is None or current is match:
        return None
    if current is None and info.protocol != "hls":
        return None
    return match.index


def _track_name(track: TrackInfo) -> str:
    language = track.language
    # As a word or the name's start: "English" and "English (en)" say "en",
    # "Commentary" does not.
    if language and not re.search(
        rf"^{re.escape(language)}|\b{re.escape(language)}\b", track.name, re.IGNORECASE
    ):
        return f"{track.name} ({language})"
    return track.name


def _fill_track_menu(
    menu: QMenu,
    tracks: Sequence[TrackInfo],
    select: Callable[[int | None], None],
    *,
    off: str | None = None,
) -> None:
    """One checkable, exclusive entry per track (the default one checked),
    after an ``off`` entry when given; disabled without tracks."""
    menu.clear()
    group = QActionGroup(menu)
    entries: list[tuple[str, int | None, bool]] = []
    if off is not None:
        entries.append((off, None, not any(t.default for t in tracks)))
    entries += [(_track_name(t), t.index, t.default) for t in tracks]
    for text, index, checked in entries:
        act = QAction(text, menu, checkable=True)
        act.setChecked(checked)
        act.triggered.connect(lambda _=False, i=index: select(i))
        group.addAction(act)
        menu.addAction(act)
    menu.setEnabled(bool(tracks))


class TrackChoices(QObject):
    """``call`` runs a player command and reports its failure; ``load`` asks
    for a subtitle file (Subtitles → Load…)."""

    def __init__(
        self,
        parent: QObject,
        *,
        player: PlayerLike,
        call: Callable[..., bool],
        audio_menu: QMenu,
        subtitles_menu: QMenu,
        label: SubtitleLabel,
        osd: Osd,
        load: Callable[[], None],
    ) -> None:
        super().__init__(parent)
        self._player = player
        self._call = call
        self._audio_menu = audio_menu
        self._subtitles_menu = subtitles_menu
        self._label = label
        self._osd = osd
        self._load = load
        #: the audio track picked in the menu for what plays (None: the media's default)
        self.audio_choice: int | None = None
        self.show(None)

    def reset(self, options: OpenOptions) -> None:
        """A new session: no tracks yet; --aid N checks the track asked for."""
        self.audio_choice = options.audio_track if isinstance(options.audio_track, int) else None
        self.show(None)
        self._label.set_text(None)

    def show(self, info: MediaInfo | None) -> None:
        """Audio renditions and subtitles of the media (HLS EXT-X-MEDIA); the
        user's audio choice outlives a TracksChanged."""
        audio = info.audio_tracks if info is not None else ()
        if self.audio_choice is not None:
            audio = tuple(replace(t, default=t.index == self.audio_choice) for t in audio)
        subs = info.subtitle_tracks if info is not None else ()
        menu = self._subtitles_menu
        _fill_track_menu(self._audio_menu, audio, self.select_audio_track)
        _fill_track_menu(menu, subs, self.select_subtitle_track, off=self.tr("Off"))
        menu.addSeparator()
        load = menu.addAction(self.tr("Load…"))
        load.triggered.connect(lambda _=False: self._load())
        load.setEnabled(info is not None)
        menu.setEnabled(True)

    def select_audio_track(self, index: int | None) -> None:
        if self._call(self._player.select_audio_track, index):
            self.audio_choice = index

    def select_subtitle_track(self, index: int | None) -> None:
        self._call(self._player.select_subtitle_track, index)
        if index is None:
            self._label.set_text(None)

    def prefer(self, info: MediaInfo, options: OpenOptions | None, language: str) -> MediaInfo:
        """On opening, the subtitle track in ``language`` (unless the command
        line chose: --sid, --sub-file); ``info`` as it then is."""
        if options is not None and (options.subtitle_track != "auto" or options.subtitle_files):
            return info
        index = preferred_subtitle(info, language)
        if index is None:
            return info
        self.select_subtitle_track(index)
        chosen = tuple(replace(t, default=t.index == index) for t in info.subtitle_tracks)
        info = replace(info, subtitle_tracks=chosen)
        self.show(info)
        return info

    def scale_subtitles(self, delta: float) -> None:
        """mpv's sub-scale (F/G): kept for the whole session, every file."""
        label = self._label
        label.set_scale(label.scale + delta)
        self._osd.flash(self.tr("Subtitle scale: %1").replace("%1", f"{label.scale:.1f}"))

    def shift_subtitles(self, delta: float) -> None:
        """mpv's z/x: subtitles 100 ms earlier/later, for every file after."""
        delay = round(self._player.subtitle_delay + delta, 3)
        self._call(self._player.set_subtitle_delay, delay)
        text = self.tr("Subtitle delay: %1 ms").replace("%1", f"{round(delay * 1000):+d}")
        self._osd.flash(text)
