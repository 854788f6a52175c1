"""The desktop entry point: ``run_gui`` (called by ``player.cli`` for ``heureum``
with or without URLs)."""

from __future__ import annotations

import gc
import logging
import os
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QMessageLogContext,
    QObject,
    QTimer,
    QtMsgType,
    Signal,
    Slot,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication

from player.config import DEFAULT_CONFIG, OpenOptions, PlayerConfig
from player.logfile import install_file_log, log_dir
from player.writable import unwritable
from resources import APP_ID

# first of the window's modules: PySide6 then stops reading each one's source
from . import _pyside_scan  # noqa: F401
from .app_icon import FIRST_SIZES, SIZES, app_icon
from .first_frame import after_first_frame
from .first_paint import OpeningNotice, after_first_paint
from .i18n import install_language
from .main_window import MainWindow
from .settings import Settings
from .syslibs import check_platform_libraries

__all__ = ["DemoLoader", "run_gui"]

log = logging.getLogger(__name__)


def _opt(options: object, name: str, default: Any = None) -> Any:
    """``options`` may be an argparse Namespace, a dict or None."""
    if options is None:
        return default
    if isinstance(options, Mapping):
        value = options.get(name, default)
    else:
        value = getattr(options, name, default)
    return default if value is None else value


class DemoLoader(QObject):
    """Runs ``lab.demo.ensure_demo`` on a worker thread, reporting progress."""

    progress = Signal(str, object)  # text, percent or None
    ready = Signal(str)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        try:
            from lab import demo
        except ImportError:
            demo = None  # type: ignore[assignment]
        ensure = getattr(demo, "ensure_demo", None) or getattr(demo, "ensure_demo_file", None)
        if ensure is None:
            self.failed.emit(
                self.tr(
                    "The built-in demo is not available in this build (lab.demo is missing). "
                    "Open a file with Ctrl+O or a URL with Ctrl+L."
                )
            )
            return
        self._thread = threading.Thread(
            target=self._run, args=(ensure,), name="heureum-demo", daemon=True
        )
        self._thread.start()

    def _run(self, ensure_demo: Callable[..., str]) -> None:
        def report(*args: object) -> None:
            percent: float | None = None
            texts: list[str] = []
            for a in args:
                if isinstance(a, bool):
                    continue
                if isinstance(a, int | float):
                    percent = float(a) * 100 if 0 <= a <= 1 and isinstance(a, float) else float(a)
                elif a is not None:
                    texts.append(str(a))
            self.progress.emit(" ".join(texts), percent)

        try:
            url = ensure_demo(report)
        except Exception as exc:
            log.exception("demo preparation failed")
            self.failed.emit(str(exc) or type(exc).__name__)
            return
        self.ready.emit(str(url))


class _DemoPresenter(QObject):
    def __init__(self, window: MainWindow, loader: DemoLoader) -> None:
        super().__init__(window)
        self.window = window
        loader.progress.connect(self._progress)
        loader.ready.connect(self._ready)
        loader.failed.connect(self._failed)

    @Slot(str, object)
    def _progress(self, text: str, percent: object) -> None:
        label = self.tr("Preparing the demo…") + (f" {text}" if text else "")
        self.window.messages.show_progress(
            label, float(percent) if isinstance(percent, int | float) else None
        )

    @Slot(str)
    def _ready(self, url: str) -> None:
        # A demo made before comes back at once: not before the window painted.
        after_first_paint(self.window, lambda: self._open(url))

    def _open(self, url: str) -> None:
        if self.window.closed:
            return
        self.window.messages.dismiss()
        adaptive = url.startswith("http")
        if adaptive:
            # The demo is there to show its whole ladder at work: the view-size
            # cap (which would hold a window of the default size with the panel
            # open at 360p) is off for it, and the window says so.
            self.window.cap.uncapped_url = url
        self.window.open_url(url, remember=False)
        if adaptive:
            self.window.abr_panel.show()
            self.window.messages.show_message(
                "info",
                self.tr(
                    "ABR demo: the view-size cap is off, so every rung up to 720p "
                    "can play whatever the window's size."
                ),
                8000,
            )

    @Slot(str)
    def _failed(self, message: str) -> None:
        self.window.messages.show_message("error", message)


def start_demo(window: MainWindow) -> DemoLoader:
    loader = DemoLoader(window)
    _DemoPresenter(window, loader)._progress("", None)
    loader.start()
    return loader


def create_window(
    urls: list[str],
    options: object = None,
    config: PlayerConfig | None = None,
    *,
    player: Any = None,
    settings: Settings | None = None,
    on_first_paint: Callable[[], None] | None = None,
) -> MainWindow:
    """The window, shown, with ``urls`` opening (the demo if none). Needs a
    QApplication. See ``run_gui`` for ``options``. ``on_first_paint`` runs
    once the window painted, before the open (work the first paint does not
    need, taken out of the time to a visible window)."""
    app = QApplication.instance()
    assert isinstance(app, QApplication), "create a QApplication first"
    open_options = options if isinstance(options, OpenOptions) else _opt(options, "open_options")
    extras = None if isinstance(options, OpenOptions) else options
    settings = settings or Settings(_opt(extras, "settings_path"))
    install_language(app, _opt(extras, "language") or settings.language)
    if player is None:
        from player import Player

        cfg = config or _opt(extras, "config", DEFAULT_CONFIG)
        assert isinstance(cfg, PlayerConfig)
        player = Player(cfg)
    window = MainWindow(player, settings, renderer=_opt(extras, "renderer"), bus=False)
    from .window_report import ReportOnClose

    ReportOnClose(
        window, lambda: dict(player.report()), _opt(extras, "report"), _opt(extras, "duration")
    )
    volume = _opt(extras, "volume")
    if volume is not None:
        window.levels.start_at(float(volume))
    # Something opens (the URLs or the demo): no OpenGL probe before its first
    # picture (ui.video_view says why).
    window.view.probe_after_picture = True
    window.show()
    # The audio device opens while the file opens and its first frame decodes
    # (the engine does not wait for it before that frame, issue 13). Not
    # before the open either: its thread imports numpy and PortAudio, and took
    # the interpreter from the window painting and from the engine's imports
    # (the open took twice as long beside it).
    declined = isinstance(open_options, OpenOptions) and open_options.audio_track == "no"
    prepare_audio = getattr(player, "prepare_audio", None)
    audio_work = [prepare_audio] if callable(prepare_audio) and not declined else []
    first_paint_work = [on_first_paint] if on_first_paint is not None else []

    def after_paint() -> None:
        for work in first_paint_work:
            work()

    def after_open() -> None:
        for work in audio_work:
            work()

    if _opt(extras, "fullscreen", False):
        window.modes.toggle_fullscreen()
    if _opt(extras, "ontop", False):
        window.modes.toggle_always_on_top()
    if urls:
        _open_after_first_paint(window, list(urls), open_options, after_paint, after_open)
    else:

        def before_demo() -> None:
            after_paint()
            after_open()

        after_first_paint(window, before_demo)
        start_demo(window)
    after_first_frame(window.view, lambda: _after_first_frame(window))
    return window


def _open_after_first_paint(
    window: MainWindow,
    urls: list[str],
    options: OpenOptions | None,
    first: Callable[[], None] | None = None,
    then: Callable[[], None] | None = None,
) -> None:
    """The window paints once, saying what it opens, before the open imports
    the engine on this thread (ui.first_paint says why). ``first`` runs just
    before the open, ``then`` just after it."""
    from .window_opening import title_for

    title = title_for(urls[0].strip())
    window.setWindowTitle(f"{title} — Heureum")
    notice = OpeningNotice(
        window.osd, QCoreApplication.translate("App", "Opening %1…").replace("%1", title)
    )
    window.bridge.mediaOpened.connect(notice.done)
    window.bridge.errorOccurred.connect(notice.done)
    window.view.firstFrame.connect(notice.done)
    notice.show()

    def open_now() -> None:
        if first is not None:
            first()
        if window.closed:
            return
        window.open_urls(urls, options)
        if then is not None:
            then()
        if window.messages.level == "error":  # the open failed at once
            notice.done()

    after_first_paint(window, open_now)


def _after_first_frame(window: MainWindow) -> None:
    """What the window offers to the desktop and to other processes: nobody
    can use it before there is a window to see (ui.first_frame says why it waits)."""
    if window.closed:
        return
    window.desktop.start_bus()
    # ``heureum --enqueue`` from another process lands in this window's list.
    from .single_instance import InstanceServer  # QtNetwork: only from here

    server = InstanceServer(window.append_urls, window)
    server.listen()
    window.instance_server = server
    _whole_icon()


def _whole_icon() -> None:
    """The icon's large sizes, left out of the window's first show (ui.app_icon)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    have = {size.width() for size in app.windowIcon().availableSizes()}
    if have and not have >= set(SIZES):
        app.setWindowIcon(app_icon())  # the windows take it up (Qt tells them)


def _process_age() -> float | None:
    """Seconds since this process started (Linux), for the start-up line."""
    try:
        start_ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return uptime - start_ticks / os.sysconf("SC_CLK_TCK")


def _log_first_frame(window: MainWindow) -> None:
    """One log line when the first frame reaches the screen, with the time since
    the process started: what benchmarks/packaging.py reads as cold start."""
    timer = QTimer(window)
    timer.setInterval(10)

    def check() -> None:
        if window.view.painted > 0:
            timer.stop()
            age = _process_age()
            log.info("first frame on screen, %s s after start", f"{age:.3f}" if age else "?")

    timer.timeout.connect(check)
    timer.start()


def _qt_message(mode: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    """Qt's own diagnostics go to the log file; the console keeps only ours
    (one clear line per problem) and Qt's critical errors."""
    if mode in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
        level = logging.ERROR
    elif mode == QtMsgType.QtDebugMsg:
        level = logging.DEBUG
    else:
        level = logging.INFO
    logging.getLogger("qt").log(level, "%s", message)


def _say_nothing_is_kept(window: MainWindow, blocked: list[tuple[Path, str]]) -> None:
    """One line on stderr and the same in the window's message bar: what is not
    kept, and why (a read-only or broken home)."""
    folder, reason = blocked[0]
    line = (
        f"cannot write to {folder} ({reason}): settings, resume positions and the log are not kept"
    )
    print(f"heureum: warning: {line}", file=sys.stderr)
    window.resume.persist = False
    window.messages.show_message(
        "warning",
        QCoreApplication.translate(
            "App", "Cannot write to %1 (%2): settings, resume positions and the log are not kept"
        )
        .replace("%1", str(folder))
        .replace("%2", reason),
    )


def run_gui(urls: list[str], options: object = None, config: PlayerConfig | None = None) -> int:
    """Create the application and the main window, open ``urls`` (the built-in
    demo when empty) and run the event loop; returns the exit code.

    ``options`` is the ``OpenOptions`` for the URLs (fields left None take the
    user's network settings), or an argparse Namespace / dict that may carry
    ``open_options``, ``config``, ``fullscreen``, ``ontop``, ``renderer``
    ('software' | 'opengl'), ``language`` ('system' | 'en' | 'ko') and
    ``settings_path``; ``duration`` (seconds, then the window closes) and
    ``report`` (the JSON report, written whenever the window closes).
    ``config`` is the engine's PlayerConfig. SIGTERM and SIGINT close the
    window as its close button does (exit status 143 and 130).
    """
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        qInstallMessageHandler(_qt_message)
        problem = check_platform_libraries()
        if problem:
            print(f"heureum: error: {problem}", file=sys.stderr)
            return 1
        app = QApplication(sys.argv[:1])
    app.setApplicationName("Heureum")
    app.setOrganizationName("Heureum")
    app.setApplicationDisplayName("Heureum")
    app.setDesktopFileName(APP_ID)
    settings = Settings(_opt(options, "settings_path"))
    blocked = unwritable([Path(settings.path).parent, log_dir()])
    app.setWindowIcon(app_icon(FIRST_SIZES))  # the rest after the first frame
    # What the imports made lives as long as the process: out of every later
    # collection (ui.gc_guard's timer would walk it all at its first run).
    gc.freeze()

    # The log file (a file opened) waits for the first paint:
    # before it nothing logs at INFO, and the open still finds it installed.
    def install_log() -> None:
        install_file_log(quiet=bool(blocked))

    window = create_window(urls, options, config, settings=settings, on_first_paint=install_log)
    if blocked:
        _say_nothing_is_kept(window, blocked)
    from .signals import QuitOnSignals

    signals = QuitOnSignals(window)
    _log_first_frame(window)
    code = app.exec()
    window.close()
    return signals.exit_code(int(code))
