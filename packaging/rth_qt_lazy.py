# PyInstaller runtime hook, in place of the stock pyi_rth_pyside6: the same
# set-up, but the embedded qt.conf that points Qt at the bundle is registered
# when PySide6.QtCore is first imported instead of at every start. The stock
# hook imports QtCore (about 0.1 s) even for `heureum --headless`, `--help`
# and `--version`, which never show a window.
import os
import sys

import heureum_after_import  # a bootstrap module: packaging/after_import.py


def _install() -> None:
    base = sys._MEIPASS  # type: ignore[attr-defined]
    windows = sys.platform.startswith("win")
    qt_path = os.path.join(base, "PySide6") if windows else os.path.join(base, "PySide6", "Qt")
    os.environ["QT_PLUGIN_PATH"] = os.path.join(qt_path, "plugins")
    if windows:
        os.environ["PATH"] = base + os.pathsep + os.environ.get("PATH", "")
    elif sys.platform == "darwin":
        os.environ["DYLD_LIBRARY_PATH"] = (
            base + os.pathsep + os.environ.get("DYLD_LIBRARY_PATH", "")
        )

    # PyInstaller's Qt helpers load only when Qt does (they are compressed in
    # the archive; a headless start never needs them)
    def before() -> None:
        from _pyi_rth_utils import qt as qt_rth_utils

        qt_rth_utils.ensure_single_qt_bindings_package("PySide6")

    def after() -> None:
        from _pyi_rth_utils import qt as qt_rth_utils

        qt_rth_utils.create_embedded_qt_conf("PySide6", qt_path)

    heureum_after_import.after_import("PySide6.QtCore", after, before)


_install()
del _install
