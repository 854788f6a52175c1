"""What the window opens: URLs and files (the dialogs, drops, Open Recent, the
command line, ``--enqueue``), play list files, the play list's order, and the
resume point of each VOD stream. A session itself starts in the window
(``OpenerHost.begin_session``), which resets what it shows."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from PySide6.QtCore import QMimeData, QObject, QUrl
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QWidget

from player.config import OpenOptions
from player.events import MediaInfo, PlayerState
from player.redact import redact_url

from .bridge import PlayerLike
from .i18n import ui_language
from .message_bar import MessageBar
from .osd import Osd
from .play_queue import (
    Playlist,
    PlaylistEntry,
    is_hls_playlist,
    looks_like_playlist,
    parse_m3u,
    parse_pls,
)
from .playlist_panel import save_playlist
from .resume import ResumeStore
from .settings import Settings

__all__ = ["Opener", "OpenerHost", "local_path", "title_for"]

log = logging.getLogger(__name__)

SUBTITLE_EXTENSIONS = (".srt", ".vtt", ".ass", ".ssa")
SUBTITLE_FILTER = "Subtitles (*.srt *.vtt *.ass *.ssa);;All files (*)"
MEDIA_FILTER = (
    "*.mp4 *.mkv *.webm *.mov *.avi *.ts *.m2ts *.flv *.m4v *.mpg *.mpeg *.wmv *.ogv"
    " *.mp3 *.m4a *.aac *.flac *.wav *.ogg *.opus *.m3u *.m3u8"
)


class OpenerHost(Protocol):
    """What the opener needs of the window."""

    @property
    def player(self) -> PlayerLike: ...
    @property
    def messages(self) -> MessageBar: ...
    @property
    def osd(self) -> Osd: ...
    @property
    def state(self) -> PlayerState: ...
    @property
    def info(self) -> MediaInfo | None: ...
    def call(self, fn: Callable[..., object], *args: object) -> bool: ...
    def begin_session(self, url: str, options: OpenOptions, title: str) -> None: ...
    def playlist_changed(self) -> None: ...
    def recent_changed(self) -> None: ...


def local_path(url: str) -> str | None:
    """The file a URL names, or None for a network URL."""
    if url.startswith("file:"):
        return QUrl(url).toLocalFile()
    if "://" in url:
        return None
    return url


def title_for(url: str) -> str:
    """What the window calls a URL: its file name, else its host."""
    parts = urlsplit(url)
    name = unquote(os.path.basename(parts.path.rstrip("/"))) if parts.path else ""
    return name or parts.hostname or redact_url(url)


_title_for = title_for  # the name the unit tests know


def _merge(defaults: OpenOptions, options: OpenOptions | None) -> OpenOptions:
    """``options`` with its unset (None) network fields taken from ``defaults``."""
    if options is None:
        return defaults
    return replace(
        options,
        rtsp_transport=options.rtsp_transport or defaults.rtsp_transport,
        low_latency=defaults.low_latency if options.low_latency is None else options.low_latency,
        hwdec=options.hwdec or defaults.hwdec,
        abr_policy=options.abr_policy or defaults.abr_policy,
    )


def _dropped(mime: QMimeData) -> list[str]:
    if mime.hasUrls():
        return [u.toLocalFile() if u.isLocalFile() else u.toString() for u in mime.urls()]
    if mime.hasText():
        return [line.strip() for line in mime.text().splitlines() if line.strip()]
    return []


class Opener(QObject):
    def __init__(self, host: OpenerHost, parent: QWidget, settings: Settings) -> None:
        super().__init__(parent)
        self._host = host
        self._parent = parent
        self._settings = settings
        self.playlist = Playlist()
        self.current_url: str | None = None
        #: the options of what plays, without its resume point: the next entry reuses them
        self.current_options: OpenOptions | None = None
        self.resume = ResumeStore(Path(settings.path).with_name("resume.json"))
        # The demo's loopback URL dies with the process: never a recent entry.
        self._remember = True
        self._recorded = False
        #: where the session that is opening was resumed (None: from its start)
        self.resumed_at: float | None = None
        self._compare_windows: list[QWidget] = []

    # -- opening -------------------------------------------------------------------------
    def open_urls(self, urls: list[str], options: OpenOptions | None = None) -> None:
        """Several URLs (command line, a drop): a play list; one: just that."""
        urls = [u for u in urls if u.strip()]
        if not urls:
            return
        if len(urls) == 1:
            self.open_url(urls[0], options)
            return
        self._set_playlist([PlaylistEntry(u) for u in urls])
        self._open_entry(options)

    def open_url(
        self, url: str, options: OpenOptions | None = None, *, remember: bool = True
    ) -> None:
        """``remember=False`` opens without a trace in Open Recent or the resume
        store (the built-in demo's temporary loopback URL)."""
        url = url.strip()
        if not url:
            return
        self._remember = remember
        local = local_path(url)
        if local is not None and looks_like_playlist(local) and os.path.isfile(local):
            try:
                text = Path(local).read_text(encoding="utf-8", errors="replace")
            except OSError as exc:
                self._host.messages.show_message(
                    "error",
                    self.tr("Cannot read %1: %2").replace("%1", local).replace("%2", str(exc)),
                )
                return
            if local.lower().endswith(".pls") or not is_hls_playlist(text):
                parse = parse_pls if local.lower().endswith(".pls") else parse_m3u
                entries = parse(text, local)
                if not entries:
                    self._host.messages.show_message(
                        "warning", self.tr("The play list %1 is empty.").replace("%1", local)
                    )
                    return
                if remember:
                    self._settings.add_recent(url)
                    self._host.recent_changed()
                self._set_playlist(entries)
                self._open_entry(options)
                return
        self._set_playlist([PlaylistEntry(url)])
        self._open_entry(options)

    def _open_entry(self, options: OpenOptions | None = None) -> None:
        entry = self.playlist.current
        if entry is not None:
            self._start(entry.url, options, entry.title)

    def _start(self, url: str, options: OpenOptions | None, title: str = "") -> None:
        self.save_resume()
        opts = _merge(self._settings.open_options(), options)
        if not opts.subtitle_languages:
            # Subtitles in the window's language when the media has them.
            opts = replace(opts, subtitle_languages=(ui_language(self._settings.language),))
        self.resumed_at = None
        self.current_url, self.current_options = url, opts
        if self._remember and opts.start_position is None:
            saved = self.resume.get(url)
            if saved is not None:
                opts = replace(opts, start_position=saved)
                self.resumed_at = saved
        self._recorded = False
        self._host.begin_session(url, opts, title or title_for(url))

    def record_opened(self) -> None:
        """Open Recent holds what opened, not every URL tried."""
        if self._recorded or not self._remember or self.current_url is None:
            return
        self._recorded = True
        self._settings.add_recent(self.current_url)
        self._host.recent_changed()

    def save_resume(self) -> None:
        """Keep where a VOD stream was left (forget it when near either end)."""
        url, info = self.current_url, self._host.info
        if url is None or info is None or not self._remember:
            return
        if info.is_live or not info.seekable:
            return
        try:
            position = self._host.player.position
            duration = self._host.player.duration or info.duration
        except Exception:
            log.debug("position unavailable for resume", exc_info=True)
            return
        if self._host.state == PlayerState.ENDED:
            self.resume.forget(url)
            return
        self.resume.remember(url, position, duration)

    def ended(self) -> None:
        """Played to its end: the next opening starts from the beginning."""
        if self.current_url is not None and self._remember:
            self.resume.forget(self.current_url)

    # -- the dialogs ---------------------------------------------------------------------
    def open_file_dialog(self) -> None:
        recent = self._settings.recent
        start = recent[0] if recent else ""
        folder = os.path.dirname(start) if start and "://" not in start else ""
        paths, _ = QFileDialog.getOpenFileNames(
            self._parent,
            self.tr("Open file"),
            folder,
            self.tr("Media (%1);;All files (*)").replace("%1", MEDIA_FILTER),
        )
        if paths:
            self.open_urls(paths)

    def make_url_dialog(self) -> QDialog:
        from .open_dialog import OpenUrlDialog

        clip = QApplication.clipboard().text().strip() if QApplication.clipboard() else ""
        initial = clip if "://" in clip and "\n" not in clip else ""
        settings = self._settings
        return OpenUrlDialog(
            settings.url_history, settings.open_options(), self._parent, initial=initial
        )

    def open_url_dialog(self) -> None:
        from .open_dialog import OpenUrlDialog

        dialog = self.make_url_dialog()
        assert isinstance(dialog, OpenUrlDialog)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            url = dialog.url()
            self._settings.add_url_history(url)
            self.open_url(url, dialog.options())

    def load_subtitle_file(self, path: str | None = None) -> None:
        """Subtitles → Load, or a subtitle file dropped on the window."""
        if path is None:
            start = os.path.dirname(local_path(self.current_url or "") or "")
            path, _ = QFileDialog.getOpenFileName(
                self._parent, self.tr("Load subtitles"), start, SUBTITLE_FILTER
            )
        if not path:
            return
        if self._host.call(self._host.player.load_subtitles, path):
            self._host.osd.flash(self.tr("Subtitles: %1").replace("%1", os.path.basename(path)))

    def open_compare(self, urls: list[str] | None = None) -> QWidget | None:
        """File → Compare streams…: 2-4 URLs (asked for when not given) side
        by side in a compare window; what plays here is paused."""
        from .compare_window import ask_compare_urls, open_compare_window

        if urls is None:
            urls = ask_compare_urls(self._parent, self.current_url)
            if urls is None:
                return None
        player = self._host.player
        self._host.call(player.pause)
        window = open_compare_window(self._parent, urls, getattr(player, "config", None))
        self._compare_windows.append(window)
        return window

    # -- the play list -------------------------------------------------------------------
    def _set_playlist(self, entries: list[PlaylistEntry]) -> None:
        """A new list; the loop mode is the user's, not the list's, so it stays."""
        previous = self.playlist
        self.playlist = Playlist(entries)
        self.playlist.loop = previous.loop
        if previous.shuffle:
            self.playlist.set_shuffle(True)
        self._host.playlist_changed()

    def append_urls(self, urls: list[str]) -> None:
        """Add to the play list without interrupting what plays (several
        dropped files, ``--enqueue``); start the first when nothing is loaded."""
        urls = [u.strip() for u in urls if u.strip()]
        if not urls:
            return
        state = self._host.state
        idle = self.current_url is None or state in (PlayerState.IDLE, PlayerState.STOPPED)
        start = len(self.playlist)
        for url in urls:
            self.playlist.append(PlaylistEntry(url))
        self._host.playlist_changed()
        if idle:
            self.play_index(start)

    def play_index(self, index: int) -> None:
        if self.playlist.select(index) is not None:
            self._open_entry(self.current_options)

    def play_next(self) -> None:
        if self.playlist.next() is not None:
            self._open_entry(self.current_options)

    def play_previous(self) -> None:
        if self.playlist.previous() is not None:
            self._open_entry(self.current_options)

    def after_end(self) -> None:
        """The end of an entry: the next one, as the loop mode says."""
        if self.playlist.after_end() is not None:
            self._open_entry(self.current_options)

    def save_playlist_dialog(self, path: str | None = None) -> Path | None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self._parent, self.tr("Save the play list"), "playlist.m3u8", "M3U8 (*.m3u8)"
            )
        if not path:
            return None
        messages = self._host.messages
        try:
            save_playlist(self.playlist.entries, path)
        except OSError as exc:
            messages.show_message(
                "error", self.tr("Cannot save %1: %2").replace("%1", path).replace("%2", str(exc))
            )
            return None
        messages.show_message("info", self.tr("Play list saved to %1").replace("%1", path))
        return Path(path)

    # -- drag and drop -------------------------------------------------------------------
    @staticmethod
    def accepts(mime: QMimeData) -> bool:
        return bool(_dropped(mime))

    def drop(self, mime: QMimeData) -> bool:
        """Open what was dropped (True: something was); subtitles dropped on a
        video join it, several files join the list (VLC's enqueue)."""
        urls = _dropped(mime)
        if not urls:
            return False
        subtitles = [u for u in urls if u.lower().endswith(SUBTITLE_EXTENSIONS)]
        if subtitles and len(subtitles) == len(urls) and self.current_url is not None:
            for path in subtitles:
                self.load_subtitle_file(path)
        elif len(urls) > 1 and self.current_url is not None:
            self.append_urls(urls)
        else:
            self.open_urls(urls)
        return True
