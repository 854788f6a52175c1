"""The text tracks of one file: its own subtitle streams (read on a thread
of their own from a second handle on the file, so the playing demuxer never
waits for them) and subtitle files added beside it. One is selected; the
engine asks ``text_at`` what to show, shifted by the user's delay."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..events import TrackInfo
from .sidecar import find_sidecars, guess_language, language_of

if TYPE_CHECKING:
    from ..hls.webvtt import CueStore

__all__ = ["TEXT_CODECS", "TextTrack", "TextTracks"]

log = logging.getLogger(__name__)

#: the subtitle codecs that carry text (bitmap ones, PGS and DVB, do not)
TEXT_CODECS = frozenset({"subrip", "srt", "ass", "ssa", "mov_text", "webvtt", "text"})


#: Containers whose header declares every stream with its codec, language and
#: title (Matroska's tracks, MP4's moov): listing their text streams needs no
#: probe of the packets. libavformat's full probe decodes the first video
#: frame to learn its pixel format: 15-80 ms of a 1080p file's open, spent on
#: a second handle while the playing demuxer opens the same file (issue 13).
#: Others (MPEG-TS finds its streams in its packets) are probed in full.
HEADER_DECLARED = frozenset({".mkv", ".mka", ".mks", ".webm", ".mp4", ".m4v", ".m4a", ".mov"})
_SHORT_PROBE = {"probesize": "32", "analyzeduration": "0"}


def listing_options(path: Path) -> dict[str, str]:
    """libavformat's options for the second handle that lists ``path``'s text streams."""
    return dict(_SHORT_PROBE) if path.suffix.lower() in HEADER_DECLARED else {}


def _cue_store() -> CueStore:
    # The parsers' modules (WebVTT's, html's entities) come with the first
    # track: every file's open lists its subtitles, most files have none.
    from ..hls.webvtt import CueStore

    return CueStore()


@dataclass
class TextTrack:
    name: str
    language: str | None
    source: str  # "embedded" | "file"
    default: bool = False
    cues: CueStore = field(default_factory=_cue_store)
    stream_index: int | None = None


class TextTracks:
    def __init__(self, preferred_languages: tuple[str, ...] = ()) -> None:
        self._lock = threading.Lock()
        self.tracks: list[TextTrack] = []
        self.selected: int | None = None
        self.delay = 0.0
        self._preferred = tuple(p.lower() for p in preferred_languages)
        self._stop = threading.Event()
        self._reader: threading.Thread | None = None

    # -- what the engine and the UI ask --------------------------------------
    def text_at(self, position: float) -> str | None:
        with self._lock:
            index, delay = self.selected, self.delay
            track = self.tracks[index] if index is not None else None
        return None if track is None else track.cues.text_at(position - delay)

    def has_selection(self) -> bool:
        """Whether a track is selected (the control loop then times its cues)."""
        with self._lock:
            return self.selected is not None

    def infos(self) -> tuple[TrackInfo, ...]:
        with self._lock:
            return tuple(
                TrackInfo(
                    index=i,
                    kind="subtitles",
                    name=t.name,
                    language=t.language,
                    default=i == self.selected,
                )
                for i, t in enumerate(self.tracks)
            )

    def select(self, index: int | None) -> None:
        with self._lock:
            if index is None or 0 <= index < len(self.tracks):
                self.selected = index

    # -- filling ------------------------------------------------------------
    def add_file(self, path: str | Path, *, select: bool = True) -> int:
        """Load a subtitle file as a new track; raises FormatError/OSError."""
        from .formats import load_subtitle_file  # with a file to parse (see _cue_store)

        p = Path(path)
        cues = load_subtitle_file(p)
        track = TextTrack(name=p.name, language=guess_language(p), source="file")
        track.cues.add(cues)
        with self._lock:
            self.tracks.append(track)
            index = len(self.tracks) - 1
            if select:
                self.selected = index
        return index

    def open_local(self, media: str | Path) -> None:
        """The file's own text streams (read on a thread) and the subtitle
        files beside it; then the first choice (language, file, default)."""
        path = Path(media)
        for sidecar in find_sidecars(path):
            try:
                self.add_file(sidecar.path, select=False)
            except (OSError, ValueError) as exc:
                log.warning("subtitle file %s skipped: %s", sidecar.name, exc)
        self._start_reader(path)
        self._choose_first()

    def _choose_first(self) -> None:
        with self._lock:
            if self.selected is not None or not self.tracks:
                return
            for wanted in self._preferred:
                for i, t in enumerate(self.tracks):
                    if t.language == wanted:
                        self.selected = i
                        return
            files = [i for i, t in enumerate(self.tracks) if t.source == "file"]
            defaults = [i for i, t in enumerate(self.tracks) if t.default]
            if files:
                self.selected = files[0]
            elif defaults:
                self.selected = defaults[0]

    def _start_reader(self, path: Path) -> None:
        import av

        try:
            container = av.open(str(path), options=listing_options(path))
        except (OSError, av.FFmpegError) as exc:
            log.debug("no text streams read from %s: %s", path.name, exc)
            return
        if self._stop.is_set():  # the player moved on while the file opened
            container.close()
            return
        streams = [
            s
            for s in container.streams
            if s.type == "subtitle" and s.codec_context.name in TEXT_CODECS
        ]
        if not streams:
            container.close()
            return
        by_stream: dict[int, TextTrack] = {}
        with self._lock:
            for s in streams:
                raw_language = s.language or s.metadata.get("language")
                language = language_of(raw_language) if raw_language else None
                title = s.metadata.get("title") or (raw_language or f"#{s.index}")
                default = bool(getattr(s, "disposition", 0) & 1)
                track = TextTrack(
                    title, language or raw_language, "embedded", default, stream_index=s.index
                )
                self.tracks.append(track)
                by_stream[s.index] = track
        self._reader = threading.Thread(
            target=self._read,
            args=(container, streams, by_stream),
            name="heureum-text",
            daemon=True,
        )
        self._reader.start()

    def _read(
        self, container: object, streams: list[object], by_stream: dict[int, TextTrack]
    ) -> None:
        import av

        from ..hls.webvtt import Cue
        from .formats import ass_text

        assert isinstance(container, av.container.InputContainer)
        try:
            for packet in container.demux(streams):
                if self._stop.is_set():
                    return
                if packet.pts is None or packet.size == 0 or packet.time_base is None:
                    continue
                track = by_stream.get(packet.stream.index)
                if track is None:
                    continue
                start = float(packet.pts * packet.time_base)
                end = start + float((packet.duration or 0) * packet.time_base)
                for subtitle in packet.decode():
                    dialogue = getattr(subtitle, "dialogue", b"")
                    text = ass_text(dialogue.decode("utf-8", "replace")) if dialogue else ""
                    if text and end > start:
                        track.cues.add([Cue(start, end, text)])
        except (OSError, av.FFmpegError) as exc:
            log.debug("text streams: reading stopped: %s", exc)
        finally:
            container.close()

    def close(self) -> None:
        self._stop.set()
        reader = self._reader
        if reader is not None and reader is not threading.current_thread():
            reader.join(timeout=2.0)
