# A bootstrap module of the frozen build, shipped as heureum_after_import (the
# spec adds it to the modules the bootloader runs before PyInstaller's
# bootstrap and the runtime hooks): "do this once module X is imported". The
# stock runtime hooks and the bootstrap's ctypes patch set things up at every
# start for modules a headless start, --help and --version never import;
# rth_stdlib_lazy.py, rth_qt_lazy.py and pyimod03_ctypes_lazy.py hand their
# set-up to after_import() instead (issue 12).
# Only sys may be imported here: the import system is not complete when the
# bootloader runs this. No importlib.abc either: in 3.11 it imports
# importlib.resources, which brings tempfile, shutil, random, bz2 and lzma.
import sys

#: module -> (what runs just before its body, or None; what runs after it)
PENDING: dict = {}


def find_after(finder, name, path, target=None):  # type: ignore[no-untyped-def]
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


class _Around:
    """The module's own loader, with our set-up around its body. A wrapper,
    not a patched loader: zipimport shares one loader per archive."""

    def __init__(self, loader, before, after) -> None:  # type: ignore[no-untyped-def]
        self._loader = loader
        self._before = before
        self._after = after

    def create_module(self, spec):  # type: ignore[no-untyped-def]
        return self._loader.create_module(spec)

    def exec_module(self, module) -> None:  # type: ignore[no-untyped-def]
        if self._before is not None:
            self._before()
        self._loader.exec_module(module)
        self._after()

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._loader, name)  # get_source, get_code, is_package...


class _AfterImport:
    def find_spec(self, name, path, target=None):  # type: ignore[no-untyped-def]
        todo = PENDING.pop(name, None)
        if todo is None:
            return None
        spec = find_after(self, name, path, target)
        if not PENDING:
            sys.meta_path.remove(self)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _Around(spec.loader, *todo)
        return spec


_FINDER = _AfterImport()


def after_import(name: str, after, before=None) -> None:  # type: ignore[no-untyped-def]
    """Runs after() once `name` has been imported, the first time it is (at
    once if it is already), and before() just before its body runs."""
    if name in sys.modules:
        if before is not None:
            before()
        after()
        return
    PENDING[name] = (before, after)
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
