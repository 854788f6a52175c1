# PyInstaller runtime hook, in place of the stock pyi_rth_inspect, pyi_rth_pkgutil
# and pyi_rth_multiprocessing (issue 12). The pkgutil and multiprocessing hooks
# still run, unchanged, but when their module is first imported instead of at
# every start: run at start, they import multiprocessing, pickle, socket and
# pkgutil for `heureum --headless` and the window, which use none of them. The
# spec ships those two files under heureum_rth/ for this. inspect is imported
# at every start (dataclasses needs it), and the stock hook then opens
# base_library.zip with zipfile (zipfile, shutil, bz2, lzma and _compression out
# of the compressed archive, ~5 ms); adjust_inspect() below does the same
# adjustment and reads that zip on the first call that needs it.
# No importlib.abc or importlib.util here: in 3.11 importlib.abc imports
# importlib.resources, which brings tempfile, shutil, random, bz2 and lzma
# (about 20 modules out of the compressed archive) into every start.
import os
import sys


def adjust_inspect() -> None:
    """Frozen code objects name their file relative to the bundle ("player/cli.py"),
    so inspect.getsourcefile could not match them to their module: map such a
    name to where the module was loaded from (the .pyc inside base_library.zip
    for the modules zipimport serves, else the bundle folder)."""
    import inspect

    bundle = os.path.normpath(sys._MEIPASS)  # type: ignore[attr-defined]
    base_library = os.path.join(bundle, "base_library.zip")
    stock = inspect.getsourcefile
    zipped: list[set[str]] = []

    def in_base_library(name: str) -> bool:
        if not zipped:
            names: set[str] = set()
            if os.path.isfile(base_library):
                import zipfile

                with zipfile.ZipFile(base_library) as archive:
                    names = {os.path.normpath(n) for n in archive.namelist()}
            zipped.append(names)
        return name in zipped[0]

    def getsourcefile(obj):  # type: ignore[no-untyped-def]
        name = os.path.normpath(inspect.getfile(obj))
        if os.path.isabs(name):
            return name if name.startswith(bundle) else stock(obj)
        main = getattr(sys.modules.get("__main__"), "__file__", None)
        if main and name == os.path.basename(main):
            return main
        if in_base_library(name + "c"):
            return os.path.normpath(os.path.join(base_library, name + "c"))
        return os.path.normpath(os.path.join(bundle, name))

    inspect.getsourcefile = getsourcefile


#: module -> what adjusts it for the frozen build: a stock hook's file, or ours
DEFERRED: dict[str, object] = {
    "inspect": adjust_inspect,
    "pkgutil": "pyi_rth_pkgutil.py",
    "multiprocessing": "pyi_rth_multiprocessing.py",
}


def run_hook(hook: object) -> None:
    if callable(hook):
        hook()
    else:
        run_stock_hook(str(hook))


def run_stock_hook(file: str) -> None:
    path = os.path.join(sys._MEIPASS, "heureum_rth", file)  # type: ignore[attr-defined]
    with open(path, encoding="utf-8") as f:
        code = compile(f.read(), path, "exec")
    exec(code, {"__name__": file[:-3], "__file__": path, "__builtins__": __builtins__})


def find_after(finder: object, name: str, path, target=None):  # type: ignore[no-untyped-def]
    """The spec the finders behind `finder` on sys.meta_path give `name`, as
    the import system would have had without it."""
    finders = sys.meta_path
    start = finders.index(finder) + 1 if finder in finders else 0
    for other in finders[start:]:
        find = getattr(other, "find_spec", None)
        spec = find(name, path, target) if find is not None else None
        if spec is not None:
            return spec
    return None


class _ThenHook:
    """The module's own loader, then the stock hook once the module exists.
    A wrapper, not a patched loader: zipimport shares one loader per archive."""

    def __init__(self, loader, hook: object) -> None:  # type: ignore[no-untyped-def]
        self._loader = loader
        self._hook = hook

    def create_module(self, spec):  # type: ignore[no-untyped-def]
        return self._loader.create_module(spec)

    def exec_module(self, module) -> None:  # type: ignore[no-untyped-def]
        self._loader.exec_module(module)
        run_hook(self._hook)

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._loader, name)  # get_source, get_code, is_package...


class _AfterImport:
    def find_spec(self, name, path, target=None):  # type: ignore[no-untyped-def]
        hook = DEFERRED.pop(name, None)
        if hook is None:
            return None
        spec = find_after(self, name, path, target)
        if not DEFERRED:
            sys.meta_path.remove(self)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _ThenHook(spec.loader, hook)
        return spec


def _install() -> None:
    # A multiprocessing helper process (its resource tracker, forkserver or a
    # spawned worker) runs the executable with "-c ..." or "--multiprocessing-fork":
    # the stock hook must see those arguments at start, as it always did.
    if "-c" in sys.argv or "--multiprocessing-fork" in sys.argv:
        run_hook(DEFERRED.pop("multiprocessing"))
    for name in list(DEFERRED):
        if name in sys.modules:  # already imported by the bootstrap: run now
            run_hook(DEFERRED.pop(name))
    if DEFERRED:
        sys.meta_path.insert(0, _AfterImport())


_install()
del _install
