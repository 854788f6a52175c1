# PyInstaller runtime hook, in place of the stock pyi_rth_pyside6: the same
# set-up, but the embedded qt.conf that points Qt at the bundle is registered
# when PySide6.QtCore is first imported instead of at every start. The stock
# hook imports QtCore (about 0.1 s) even for `heureum --headless`, `--help`
# and `--version`, which never show a window.
# (No importlib.abc or importlib.util: see rth_stdlib_lazy.py.)
import os
import sys


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

    class _AfterQtCore:
        def find_spec(self, name, path, target=None):  # type: ignore[no-untyped-def]
            if name != "PySide6.QtCore":
                return None
            sys.meta_path.remove(self)
            spec = None
            for finder in sys.meta_path:  # the finders as they are without this one
                find = getattr(finder, "find_spec", None)
                spec = find(name, path, target) if find is not None else None
                if spec is not None:
                    break
            if spec is None or spec.loader is None:
                return spec
            run = spec.loader.exec_module

            def exec_module(module):  # type: ignore[no-untyped-def]
                # PyInstaller's Qt helpers load only when Qt does (they are
                # compressed in the archive; a headless start never needs them)
                from _pyi_rth_utils import qt as qt_rth_utils

                qt_rth_utils.ensure_single_qt_bindings_package("PySide6")
                run(module)
                qt_rth_utils.create_embedded_qt_conf("PySide6", qt_path)

            spec.loader.exec_module = exec_module  # type: ignore[method-assign]
            return spec

    sys.meta_path.insert(0, _AfterQtCore())


_install()
del _install
