# Stands in for PyInstaller's bootstrap module pyimod03_ctypes (issue 12). The
# stock install() imports ctypes, and with it libffi, at every start, to make
# ctypes.CDLL look a library up in the bundle; a headless start, --help and
# --version never use ctypes. install() here waits for the first import of
# ctypes and then runs the stock install(), which the spec ships beside this
# module as pyimod03_ctypes_stock (the bootloader imports both at start).
# The bootstrap runs this before the import system is complete: only sys and
# the stock module may be imported here.
import sys


class _ThenInstall:
    """ctypes' own loader, then the stock install() once ctypes exists."""

    def __init__(self, loader):  # type: ignore[no-untyped-def]
        self._loader = loader

    def create_module(self, spec):  # type: ignore[no-untyped-def]
        return self._loader.create_module(spec)

    def exec_module(self, module):  # type: ignore[no-untyped-def]
        self._loader.exec_module(module)
        import pyimod03_ctypes_stock

        pyimod03_ctypes_stock.install()

    def __getattr__(self, name):  # type: ignore[no-untyped-def]
        return getattr(self._loader, name)


class _AfterCtypes:
    def find_spec(self, name, path, target=None):  # type: ignore[no-untyped-def]
        if name != "ctypes":
            return None
        sys.meta_path.remove(self)
        spec = None
        for finder in sys.meta_path:  # the finders as they are without this one
            find = getattr(finder, "find_spec", None)
            spec = find(name, path, target) if find is not None else None
            if spec is not None:
                break
        if spec is not None and spec.loader is not None:
            spec.loader = _ThenInstall(spec.loader)
        return spec


def install() -> None:
    if "ctypes" in sys.modules:
        import pyimod03_ctypes_stock

        pyimod03_ctypes_stock.install()
    else:
        sys.meta_path.insert(0, _AfterCtypes())
