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
# When each module is imported is told by packaging/after_import.py.
import os
import sys

import heureum_after_import  # a bootstrap module: packaging/after_import.py


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


#: the stock hooks that run from their files once their module is imported
STOCK_HOOKS = {"pkgutil": "pyi_rth_pkgutil.py", "multiprocessing": "pyi_rth_multiprocessing.py"}


def run_stock_hook(file: str) -> None:
    path = os.path.join(sys._MEIPASS, "heureum_rth", file)  # type: ignore[attr-defined]
    with open(path, encoding="utf-8") as f:
        code = compile(f.read(), path, "exec")
    exec(code, {"__name__": file[:-3], "__file__": path, "__builtins__": __builtins__})


def _install() -> None:
    # A multiprocessing helper process (its resource tracker, forkserver or a
    # spawned worker) runs the executable with "-c ..." or "--multiprocessing-fork":
    # the stock hook must see those arguments at start, as it always did.
    hooks = dict(STOCK_HOOKS)
    if "-c" in sys.argv or "--multiprocessing-fork" in sys.argv:
        run_stock_hook(hooks.pop("multiprocessing"))
    heureum_after_import.after_import("inspect", adjust_inspect)
    for name, file in hooks.items():
        heureum_after_import.after_import(name, lambda file=file: run_stock_hook(file))


_install()
del _install
