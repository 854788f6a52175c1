"""The compare window: 2-4 tiles, each its own session started together, a
live table and plots under them. It drives ``player.compare.CompareSession``,
the same code as the headless ``heureum compare``."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QMouseEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGridLayout,
    QLabel,
    QMainWindow,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from player.compare import MAX_STREAMS, MIN_STREAMS, CompareSession
from player.compare_table import COLUMNS, cell_text, comparison, table_csv
from player.config import DEFAULT_CONFIG, OpenOptions, PlayerConfig
from player.events import ErrorOccurred, Event, MediaOpened
from player.latency import headline
from player.redact import redact
from player.report import write_json_atomic, write_text_atomic
from resources import stylesheet

from . import gc_guard
from .compare_plots import STREAM_COLOURS, ComparePlots
from .video_view import VideoView

__all__ = [
    "CompareWindow",
    "Tile",
    "ask_compare_urls",
    "open_compare_window",
    "run_compare_gui",
]

log = logging.getLogger(__name__)

SAMPLE_MS = 500
# a failure's text is cut in its cell (whole in the tooltip and on the tile)
_CELL_CHARS = 28
# the table's rows: every column of the headless table but the identity ones
_ROWS = [(k, label) for k, label in COLUMNS if k not in ("index", "url")]


class _Relay(QObject):
    """Engine events (any thread) into the GUI thread."""

    arrived = Signal(int, object)


class Tile(QFrame):
    """One stream: its video, and on its face protocol, rung and latency (or
    its error). Clicking it makes it the stream heard."""

    clicked = Signal(int)

    def __init__(self, index: int, url: str, renderer: str | None, parent: QWidget) -> None:
        super().__init__(parent)
        self.index = index
        self.url = url
        self.colour = STREAM_COLOURS[index % len(STREAM_COLOURS)]
        self.setObjectName(f"tile{index}")
        self.view = VideoView(self, renderer=renderer)
        self.face = QLabel(self)
        self.face.setObjectName("tile_face")
        self.face.setWordWrap(True)
        # The stream's own colour in the shared tile-face style.
        self.face.setStyleSheet(stylesheet("tile_face").replace("@colour", self.colour))
        self.face.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(3, 3, 3, 3)
        layout.addWidget(self.view, 1)
        self.error: str | None = None
        self.set_heard(False)
        self.set_face(f"#{index + 1} opening…")

    def set_heard(self, heard: bool) -> None:
        width = 3 if heard else 1
        style = stylesheet("tile_border").replace("@name", f"tile{self.index}")
        self.setStyleSheet(style.replace("@width", str(width)).replace("@colour", self.colour))
        self.heard = heard

    def set_face(self, text: str) -> None:
        self.face.setText(text)
        self.face.adjustSize()
        self.face.setMaximumWidth(max(120, self.width() - 16))
        self.face.move(8, 8)
        self.face.raise_()

    def show_error(self, message: str) -> None:
        self.error = message
        self.face.setStyleSheet(stylesheet("tile_face_error"))
        self.set_face(f"#{self.index + 1} failed: {message}")

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self.face.setMaximumWidth(max(120, self.width() - 16))
        self.face.adjustSize()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.clicked.emit(self.index)
        super().mousePressEvent(event)


class CompareWindow(QMainWindow):
    """``duration``/``report``: stop after so many seconds, write the report
    (and ``csv``), close; the report is also written on any close."""

    finished = Signal(int)

    def __init__(
        self,
        urls: list[str],
        *,
        config: PlayerConfig = DEFAULT_CONFIG,
        options: OpenOptions | None = None,
        max_height: int | None = None,
        duration: float | None = None,
        report: str | None = None,
        csv: str | None = None,
        renderer: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        gc_guard.install()  # Qt objects die on this thread, not an engine's
        self.setWindowTitle("Heureum — compare")
        self.report_path = report
        self.csv_path = csv
        self.duration = duration
        self.result: dict[str, Any] | None = None
        self.exit_code = 0
        self._relay = _Relay(self)
        self._relay.arrived.connect(self._on_event, Qt.ConnectionType.QueuedConnection)
        body = QWidget(self)
        grid = QGridLayout(body)
        grid.setContentsMargins(4, 4, 4, 4)
        grid.setSpacing(4)
        self.tiles = [Tile(i, url, renderer, body) for i, url in enumerate(urls)]
        cols = 2
        for tile in self.tiles:
            grid.addWidget(tile, tile.index // cols, tile.index % cols)
            tile.clicked.connect(self.hear)
        self.session = CompareSession(
            urls,
            config=config,
            options=options,
            max_height=max_height,
            sink_factory=lambda i: self.tiles[i].view,
            on_event=lambda i, e: self._relay.arrived.emit(i, e),
        )
        self.table = QTableWidget(len(_ROWS), len(urls), self)
        self.table.setObjectName("compare_table")
        self.table.setVerticalHeaderLabels([label for _, label in _ROWS])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        for i in range(len(urls)):
            head = QTableWidgetItem(f"#{i + 1}")
            head.setForeground(_qcolour("#000000"))
            head.setBackground(_qcolour(STREAM_COLOURS[i % len(STREAM_COLOURS)]))
            head.setToolTip(redact(urls[i]))
            self.table.setHorizontalHeaderItem(i, head)
        self.plots = ComparePlots(len(urls), self)
        lower = QSplitter(Qt.Orientation.Horizontal, self)
        lower.addWidget(self.table)
        lower.addWidget(self.plots)
        lower.setSizes([420, 700])
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(body)
        split.addWidget(lower)
        split.setSizes([560, 380])
        self.setCentralWidget(split)
        self._build_menu()
        self.resize(1280, 960)
        self._timer = QTimer(self)
        self._timer.setInterval(SAMPLE_MS)
        self._timer.timeout.connect(self._tick)
        self._closed = False
        self._ticks = 0

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu(self.tr("&Compare"))
        export = QAction(self.tr("Export comparison…"), self)
        export.setShortcut(QKeySequence("Ctrl+E"))
        export.triggered.connect(lambda: self.export())
        close = QAction(self.tr("Close"), self)
        close.setShortcut(QKeySequence("Ctrl+W"))
        close.triggered.connect(self.close)
        menu.addActions([export, close])
        self.rung_menu = self.menuBar().addMenu(self.tr("&Rung"))
        self.rung_menu.aboutToShow.connect(self._fill_rung_menu)
        self._fill_rung_menu()

    def _fill_rung_menu(self) -> None:
        """Automatic, or one height for every adaptive tile (like with like)."""
        from PySide6.QtGui import QActionGroup

        menu = self.rung_menu
        menu.clear()
        group = QActionGroup(menu)
        choices: list[tuple[str, int | None]] = [(self.tr("Automatic"), None)]
        choices += [(f"{h}p", h) for h in self.session.ladder_heights()]
        for text, height in choices:
            act = QAction(text, menu, checkable=True)
            act.setChecked(height == self.session.max_height)
            act.triggered.connect(lambda _=False, h=height: self.pin(h))
            group.addAction(act)
            menu.addAction(act)

    def pin(self, height: int | None) -> None:
        self.session.pin(height)

    # -- running ---------------------------------------------------------------
    def start(self) -> None:
        """Open every stream in the same instant and start sampling."""
        self.session.start()
        for s in self.session.streams:
            if s.fatal:
                self.tiles[s.index].show_error(s.fatal)
        self.hear(0)
        self._timer.start()
        if self.duration is not None:
            QTimer.singleShot(int(self.duration * 1000), self, self.close)

    @Slot(int)
    def hear(self, index: int) -> None:
        self.session.hear(index)
        for tile in self.tiles:
            tile.set_heard(tile.index == index)

    @Slot(int, object)
    def _on_event(self, index: int, event: Event) -> None:
        tile = self.tiles[index]
        if isinstance(event, ErrorOccurred) and event.fatal:
            tile.show_error(event.message)
        elif isinstance(event, MediaOpened) and tile.error is None:
            tile.set_face(f"#{index + 1} {event.info.protocol.upper()} · opening")

    def _tick(self) -> None:
        if self._closed:
            return
        rows = self.session.sample()
        for tile, row in zip(self.tiles, rows, strict=True):
            if tile.error is None:
                tile.set_face(_face(tile.index, row, self.session.streams[tile.index]))
        self._ticks += 1
        if self._ticks % 2 == 0:
            # Once a second: a repaint of the plots costs the GUI thread tens
            # of ms under a software rasteriser (many_streams benchmark), time
            # the tiles' video needs.
            self.plots.update_streams(
                [s.samples for s in self.session.streams],
                [s.markers for s in self.session.streams],
            )
            self._fill_table(comparison(self.session.reports())["table"])

    def _fill_table(self, rows: list[dict[str, Any]]) -> None:
        for col, row in enumerate(rows):
            for r, (key, _) in enumerate(_ROWS):
                value = row.get(key)
                text = cell_text(value)
                item = QTableWidgetItem(
                    text if len(text) <= _CELL_CHARS else text[:_CELL_CHARS] + "…"
                )
                item.setToolTip(text)
                if key == "status" and value != "played":
                    item.setForeground(Qt.GlobalColor.red)
                self.table.setItem(r, col, item)
        self.table.resizeColumnsToContents()

    # -- results ---------------------------------------------------------------
    def finish(self) -> dict[str, Any]:
        """Stop every stream and keep the comparison (once)."""
        if self.result is None:
            self._timer.stop()
            self.session.sample()
            self.result = self.session.result()
            self._fill_table(self.result["comparison"]["table"])
            self.session.close()
            self.exit_code = 0 if self.result["comparison"]["all_played"] else 1
        return self.result

    def export(self, base: str | Path | None = None) -> list[Path]:
        """The whole comparison: ``base``.json (every report), .csv (the table)
        and .png (the plots)."""
        if base is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self, self.tr("Export comparison"), "comparison.json", "JSON (*.json)"
            )
            if not chosen:
                return []
            base = chosen
        stem = Path(base).with_suffix("")
        result = self.result or self.session.result()
        written = [
            write_json_atomic(stem.with_suffix(".json"), result),
            write_text_atomic(stem.with_suffix(".csv"), table_csv(result["comparison"])),
        ]
        png = stem.with_suffix(".png")
        if self.plots.grab().save(str(png), "PNG"):
            written.append(png)
        return written

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closed:
            self._closed = True
            self.write_outputs()
            self.finished.emit(self.exit_code)
        super().closeEvent(event)

    def write_outputs(self) -> None:
        result = self.finish()
        try:
            if self.report_path:
                write_json_atomic(self.report_path, result)
            if self.csv_path:
                write_text_atomic(self.csv_path, table_csv(result["comparison"]))
        except OSError as exc:
            log.error("cannot write the comparison: %s", exc)
            self.exit_code = 2


def _face(index: int, row: dict[str, Any], stream: Any) -> str:
    info = stream.player.media_info
    protocol = info.protocol.upper() if info is not None else "…"
    height = row.get("height")
    rung = f"{height}p" if height else "-"
    value, kind = headline(
        {"end_to_end_s": row.get("end_to_end_s"), "to_live_edge_s": row.get("to_live_edge_s")}
    )
    parts = [f"#{index + 1} {protocol}", rung]
    if value is not None:
        parts.append(f"{value:.2f} s {kind}")
    parts.append(str(row.get("state") or ""))
    return " · ".join(parts)


def _qcolour(name: str) -> Any:
    from PySide6.QtGui import QColor

    return QColor(name)


def ask_compare_urls(parent: QWidget, first: str | None = None) -> list[str] | None:
    """Ask for 2-4 URLs, one a line, until they are 2-4 or the user gives up."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QInputDialog, QMessageBox

    text = first or ""
    while True:
        text, ok = QInputDialog.getMultiLineText(
            parent,
            QCoreApplication.translate("CompareWindow", "Compare streams"),
            QCoreApplication.translate("CompareWindow", "2 to 4 URLs or files, one a line:"),
            text,
        )
        if not ok:
            return None
        urls = [line.strip() for line in text.splitlines() if line.strip()]
        if MIN_STREAMS <= len(urls) <= MAX_STREAMS:
            return urls
        QMessageBox.warning(
            parent,
            QCoreApplication.translate("CompareWindow", "Compare streams"),
            QCoreApplication.translate(
                "CompareWindow", "Give 2 to 4 URLs, one a line (%1 given)."
            ).replace("%1", str(len(urls))),
        )


def open_compare_window(
    parent: QWidget | None, urls: list[str], config: PlayerConfig | None = None
) -> CompareWindow:
    """A compare window of its own (not closed with ``parent``'s player), started."""
    window = CompareWindow(urls, config=config or DEFAULT_CONFIG)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.show()
    window.start()
    return window


def run_compare_gui(
    urls: list[str],
    options: OpenOptions | None = None,
    config: PlayerConfig = DEFAULT_CONFIG,
    *,
    max_height: int | None = None,
    duration: float | None = None,
    report: str | None = None,
    csv: str | None = None,
) -> int:
    """``heureum --compare URL URL [URL URL]``: the compare window alone, until
    it is closed, ``duration`` passes or SIGTERM/SIGINT arrives (the report
    is written each way). 0 when every stream played, 1 when any failed,
    130/143 after SIGINT/SIGTERM."""
    import sys

    from PySide6.QtWidgets import QApplication

    from .signals import QuitOnSignals

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName("Heureum")
    window = CompareWindow(
        urls,
        config=config,
        options=options,
        max_height=max_height,
        duration=duration,
        report=report,
        csv=csv,
    )
    signals = QuitOnSignals(window)
    window.show()
    window.start()
    window.finished.connect(lambda _code: app.quit())
    app.exec()
    window.close()
    return signals.exit_code(window.exit_code)
