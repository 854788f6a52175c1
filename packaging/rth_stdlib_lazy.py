# PyInstaller runtime hook, in place of the stock pyi_rth_inspect, pyi_rth_pkgutil
# and pyi_rth_multiprocessing (issue 12): each stock hook still runs, unchanged,
# but when its module is first imported instead of at every start. Run at start,
# they import multiprocessing, pickle, socket, zipfile and pkgutil (17 modules,
# about 10 ms) for `heureum --headless` and the window, which use none of them.
# The spec ships the stock hooks' files under heureum_rth/ for this.
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys

#: module -> the stock hook that adjusts it for the frozen build
DEFERRED = {
    "inspect": "pyi_rth_inspect.py",
    "pkgutil": "pyi_rth_pkgutil.py",
    "multiprocessing": "pyi_rth_multiprocessing.py",
}


def run_stock_hook(file: str) -> None:
    path = os.path.join(sys._MEIPASS, "heureum_rth", file)  # type: ignore[attr-defined]
    with open(path, encoding="utf-8") as f:
        code = compile(f.read(), path, "exec")
    exec(code, {"__name__": file[:-3], "__file__": path, "__builtins__": __builtins__})


class _ThenHook(importlib.abc.Loader):
    """The module's own loader, then the stock hook once the module exists.
    A wrapper, not a patched loader: zipimport shares one loader per archive."""

    def __init__(self, loader: importlib.abc.Loader, file: str) -> None:
        self._loader = loader
        self._file = file

    def create_module(self, spec: importlib.machinery.ModuleSpec):  # type: ignore[no-untyped-def]
        return self._loader.create_module(spec)

    def exec_module(self, module) -> None:  # type: ignore[no-untyped-def]
        self._loader.exec_module(module)
        run_stock_hook(self._file)

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._loader, name)  # get_source, get_code, is_package...


class _AfterImport(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):  # type: ignore[no-untyped-def]
        file = DEFERRED.pop(name, None)
        if file is None:
            return None
        if not DEFERRED:
            sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)  # by the finders after this one
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _ThenHook(spec.loader, file)
        return spec


def _install() -> None:
    # A multiprocessing helper process (its resource tracker, forkserver or a
    # spawned worker) runs the executable with "-c ..." or "--multiprocessing-fork":
    # the stock hook must see those arguments at start, as it always did.
    if "-c" in sys.argv or "--multiprocessing-fork" in sys.argv:
        run_stock_hook(DEFERRED.pop("multiprocessing"))
    for name in list(DEFERRED):
        if name in sys.modules:  # already imported by the bootstrap: run now
            run_stock_hook(DEFERRED.pop(name))
    if DEFERRED:
        sys.meta_path.insert(0, _AfterImport())


_install()
del _install
