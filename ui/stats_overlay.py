"""The statistics overlay (mpv's ``i``): a translucent panel over the video."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QLabel, QWidget

from player.events import MediaInfo
from player.redact import redact_url
from player.stats import AbrStatus, LatencyStats, SessionStats
from resources import stylesheet

from .abr_text import rate_text, variant_text
from .rich_text import escape

__all__ = ["StatsOverlay", "stats_lines"]

#: the smallest font the overlay shrinks to before it leaves rows out
MIN_POINT_SIZE = 7.0
#: its distance from the view's edges
OVERLAY_MARGIN = 12

_CTX = "StatsOverlay"


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # lupdate extracts calls by this name
    return text


def _t(text: str) -> str:
    return QCoreApplication.translate(_CTX, text)


def _kbps(bps: int | None) -> str:
    return f"{bps / 1000:.0f} kb/s" if bps else "—"


def _seconds(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f} s"


def _latency_rows(stats: SessionStats) -> list[tuple[str, str]]:
    """End to end where the stream carries a wall clock (with how it is
    known), else why not; then the distance to the live edge."""
    block = stats.latency
    if block == LatencyStats():
        # nothing known, not even why: the catch-up's figure
        return [
            (
                _t(QT_TRANSLATE_NOOP("StatsOverlay", "Live latency")),
                _seconds(stats.live_latency_s),
            )
        ]
    if block.end_to_end_s is not None:
        source = {
            "program-date-time": _t(QT_TRANSLATE_NOOP("StatsOverlay", "program date-time")),
            "rtcp-sender-report": _t(QT_TRANSLATE_NOOP("StatsOverlay", "RTCP sender reports")),
        }.get(str(block.source), str(block.source))
        e2e_text = f"{block.end_to_end_s:.2f} s ({source})"
    else:
        e2e_text = f"— ({block.end_to_end_reason or ''})"
    return [
        (_t(QT_TRANSLATE_NOOP("StatsOverlay", "Latency, end to end")), e2e_text),
        (
            _t(QT_TRANSLATE_NOOP("StatsOverlay", "Latency to live edge")),
            _seconds(block.to_live_edge_s),
        ),
    ]


def stats_lines(
    info: MediaInfo | None,
    stats: SessionStats | None,
    renderer: str,
    view_counts: str,
    *,
    current_variant: int | None = None,
    locked_variant: int | None = None,
    loading_variant: int | None = None,
    frame_size: tuple[int, int] | None = None,
) -> list[tuple[str, str]]:
    """(label, value) rows, translated labels: media first, then the engine's
    counters (``stats``: None before the first). ``current_variant`` (the
    variant playing) stands in for ``stats.abr.playing_index`` and
    ``loading_variant`` (the last ``VariantSwitched``) for
    ``stats.abr.variant_index`` until the next stats; ``locked_variant`` is
    the user's lock (None: Auto). While the buffer still holds the old
    variant, both show. ``frame_size`` is the picture on screen: an adaptive
    stream's size changes with its variant."""
    rows: list[tuple[str, str]] = []
    # the counters of a session (a closed player has only its state)
    now = stats if stats is not None and stats.opened else None
    url = info.url if info is not None else (now.url if now is not None else "")
    if url:
        rows.append((_t(QT_TRANSLATE_NOOP("StatsOverlay", "URL")), redact_url(url)))
    protocol = info.protocol if info is not None else (now.protocol if now is not None else "")
    container = info.container if info is not None else (now.container if now is not None else "")
    if protocol or container:
        rows.append(
            (
                _t(QT_TRANSLATE_NOOP("StatsOverlay", "Protocol")),
                f"{protocol or '?'} / {container or '?'}",
            )
        )
    if info is not None and info.video is not None:
        v = info.video
        fps = f"{v.fps:.3f}".rstrip("0").rstrip(".") if v.fps else "?"
        width, height = frame_size or (v.width, v.height)
        # The opening stream's bit rate says nothing once another variant plays.
        same = (width, height) == (v.width, v.height)
        rate = f", {_kbps(v.bit_rate)}" if same and v.bit_rate else ""
        rows.append(
            (
                _t(QT_TRANSLATE_NOOP("StatsOverlay", "Video")),
                f"{v.codec} {width}×{height} {v.pix_fmt or ''} @ {fps} fps{rate}",
            )
        )
    if info is not None and info.audio is not None:
        a = info.audio
        rows.append(
            (
                _t(QT_TRANSLATE_NOOP("StatsOverlay", "Audio")),
                f"{a.codec} {a.sample_rate} Hz {a.channels} ch"
                + (f", {_kbps(a.bit_rate)}" if a.bit_rate else ""),
            )
        )
    if info is not None and info.is_live and now is not None:
        rows.extend(_latency_rows(now))
    fetched: str | None = None  # an adaptive stream's segments ahead: one Buffer row
    abr = now.abr if now is not None else None
    if abr is not None or current_variant is not None:
        rows.extend(_variant_rows(info, abr, current_variant, locked_variant, loading_variant))
        if abr is not None:
            downloaded = _t(QT_TRANSLATE_NOOP("StatsOverlay", "%1 downloaded"))
            fetched = downloaded.replace("%1", _seconds(abr.buffer_s, 1))
    if stats is not None:
        rows.append((_t(QT_TRANSLATE_NOOP("StatsOverlay", "State")), stats.state))
    if now is not None:
        rows.extend(_session_rows(now, fetched))
    elif fetched is not None:
        rows.append((_t(QT_TRANSLATE_NOOP("StatsOverlay", "Buffer")), fetched))
    if now is not None and now.video_decoder is not None:
        # the device type stays as FFmpeg names it ("vaapi"); only "software" is a word
        shown = now.video_decoder
        if shown == "software":
            shown = _t(QT_TRANSLATE_NOOP("StatsOverlay", "software"))
        rows.append((_t(QT_TRANSLATE_NOOP("StatsOverlay", "Video decoder")), shown))
    rows.append((_t(QT_TRANSLATE_NOOP("StatsOverlay", "Renderer")), renderer))
    rows.append((_t(QT_TRANSLATE_NOOP("StatsOverlay", "This window")), view_counts))
    return rows


def view_counts_text(painted: int, coalesced: int, presented: int) -> str:
    """The view's own frame counters, for the "This window" row."""
    text = _t(QT_TRANSLATE_NOOP("StatsOverlay", "%1 painted, %2 coalesced of %3 presented"))
    return (
        text.replace("%1", str(painted)).replace("%2", str(coalesced)).replace("%3", str(presented))
    )


def _variant_rows(
    info: MediaInfo | None,
    abr: AbrStatus | None,
    current_variant: int | None,
    locked_variant: int | None,
    loading_variant: int | None,
) -> list[tuple[str, str]]:
    """The rung playing (and the one loading, while they differ) and the estimate."""
    rows: list[tuple[str, str]] = []
    index = current_variant
    if index is None and abr is not None:
        index = abr.playing_index
    loading = loading_variant
    if loading is None and abr is not None:
        loading = abr.variant_index
    variants = info.variants if info is not None else ()
    rung = next((v for v in variants if v.index == index), None)
    if index is not None:
        mode = (
            _t(QT_TRANSLATE_NOOP("StatsOverlay", "auto"))
            if locked_variant is None
            else _t(QT_TRANSLATE_NOOP("StatsOverlay", "locked"))
        )
        name = variant_text(rung) if rung is not None else f"#{index + 1}"
        variant = f"{name} ({index + 1}/{len(variants) or '?'}, {mode})"
    else:
        variant = "—"
    rows.append((_t(QT_TRANSLATE_NOOP("StatsOverlay", "Variant")), variant))
    if loading is not None and index is not None and loading != index:
        next_rung = next((v for v in variants if v.index == loading), None)
        rows.append(
            (
                _t(QT_TRANSLATE_NOOP("StatsOverlay", "Loading")),
                variant_text(next_rung) if next_rung is not None else f"#{loading + 1}",
            )
        )
    # the meter's default is not a measurement: say so, not "1.0 Mb/s"
    unmeasured = abr is not None and not abr.estimate_measured
    rows.append(
        (
            _t(QT_TRANSLATE_NOOP("StatsOverlay", "Estimate")),
            _t(QT_TRANSLATE_NOOP("StatsOverlay", "not measured yet"))
            if unmeasured
            else rate_text(abr.estimate_bps if abr is not None else None),
        )
    )
    if abr is not None and abr.policy is not None:
        # the name --abr-policy takes, as the report's abr.policy has it
        rows.append((_t(QT_TRANSLATE_NOOP("StatsOverlay", "ABR policy")), abr.policy))
    return rows


def _session_rows(stats: SessionStats, fetched: str | None) -> list[tuple[str, str]]:
    """The play position, buffer, speed and the counters."""
    rows = [
        (_t(QT_TRANSLATE_NOOP("StatsOverlay", "Position")), _seconds(stats.position_s)),
        (
            _t(QT_TRANSLATE_NOOP("StatsOverlay", "Buffer")),
            " · ".join([_seconds(stats.buffer_s), *([fetched] if fetched is not None else [])]),
        ),
        (_t(QT_TRANSLATE_NOOP("StatsOverlay", "Speed")), f"{stats.speed:g}×"),
    ]
    rates = stats.bitrate_kbps
    parts = [
        f"{_t(name)} {value:.0f}"
        for name, value in (
            (QT_TRANSLATE_NOOP("StatsOverlay", "input"), rates.input),
            (QT_TRANSLATE_NOOP("StatsOverlay", "media"), rates.media),
            (QT_TRANSLATE_NOOP("StatsOverlay", "video"), rates.video),
            (QT_TRANSLATE_NOOP("StatsOverlay", "audio"), rates.audio),
        )
        if value is not None
    ]
    rows.append((_t(QT_TRANSLATE_NOOP("StatsOverlay", "Bitrate")), " · ".join(parts) + " kb/s"))
    frames = stats.frames
    rows.append(
        (
            _t(QT_TRANSLATE_NOOP("StatsOverlay", "Frames")),
            # every part of the report's ``dropped``, so they add up to it
            _t(
                QT_TRANSLATE_NOOP(
                    "StatsOverlay", "%1 shown, %2 dropped (%3 late, %4 catch-up, %5 decoder)"
                )
            )
            .replace("%1", str(frames.presented))
            .replace("%2", str(frames.dropped))
            .replace("%3", str(frames.dropped_late))
            .replace("%4", str(frames.dropped_catchup))
            .replace("%5", str(frames.dropped_decoder)),
        )
    )
    last = stats.av_offset_last_ms
    text = f"{last:+.1f} ms" if last is not None else "—"
    dist = stats.av_offset_ms
    if dist.p95 is not None:
        text += f" (|p95| {dist.p95:.1f} ms, |max| {dist.max or 0:.1f} ms)"
    rows.append((_t(QT_TRANSLATE_NOOP("StatsOverlay", "A/V offset")), text))
    rows.append(
        (
            _t(QT_TRANSLATE_NOOP("StatsOverlay", "Stalls")),
            f"{stats.rebuffer_count} ({_seconds(stats.rebuffer_seconds)})",
        )
    )
    rows.append(
        (
            _t(QT_TRANSLATE_NOOP("StatsOverlay", "First frame")),
            _seconds(stats.time_to_first_frame_s, 3),
        )
    )
    counters = (
        ("reconnects", stats.reconnects),
        ("seeks", stats.seeks),
        ("decode errors", stats.decode_errors),
        ("audio underruns", stats.audio_underruns),
    )
    rows.append(
        (
            _t(QT_TRANSLATE_NOOP("StatsOverlay", "Counters")),
            ", ".join(f"{name} {count}" for name, count in counters),
        )
    )
    return rows


class StatsOverlay(QLabel):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(max(9.0, font.pointSizeF()))
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.setFont(font)
        self._base_size = font.pointSizeF()
        self.shown_rows = 0
        self.setStyleSheet(stylesheet("stats_overlay"))
        self.hide()

    def set_rows(self, rows: list[tuple[str, str]]) -> None:
        """Show ``rows``, fitted to the view as mpv's stats page is: the font
        shrinks (down to MIN_POINT_SIZE) until the table fits; what still does
        not fit is left out with a last row saying how much."""
        parent = self.parentWidget()
        room_w = (parent.width() if parent is not None else 10_000) - 2 * OVERLAY_MARGIN
        room_h = (parent.height() if parent is not None else 10_000) - 2 * OVERLAY_MARGIN
        font = QFont(self.font())
        size = self._base_size
        keep = len(rows)
        shown = rows
        while True:
            font.setPointSizeF(size)
            self.setFont(font)
            self.setText(_table(shown))
            hint = self.sizeHint()
            if hint.width() <= room_w and hint.height() <= room_h:
                break
            if size > MIN_POINT_SIZE:
                size = max(MIN_POINT_SIZE, size - 1.0)
                continue
            if hint.height() <= room_h or keep <= 1:
                break  # too wide only, or nothing left to leave out
            # Smallest font and still too tall: leave the last rows out.
            keep -= 1
            more = _t(QT_TRANSLATE_NOOP("StatsOverlay", "%1 more rows: enlarge the window"))
            shown = [*rows[:keep], ("…", more.replace("%1", str(len(rows) - keep)))]
        self.shown_rows = len(shown)
        self.adjustSize()


def _table(rows: list[tuple[str, str]]) -> str:
    body = "".join(
        f"<tr><td style='color:#9ecbff; padding-right:14px'>{escape(label)}</td>"
        f"<td>{escape(value)}</td></tr>"
        for label, value in rows
    )
    return f"<table cellspacing='0' cellpadding='1'>{body}</table>"
