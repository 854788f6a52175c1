# Stands in for PyInstaller's bootstrap module pyimod03_ctypes (issue 12). The
# stock install() imports ctypes, and with it libffi, at every start, to make
# ctypes.CDLL look a library up in the bundle; a headless start, --help and
# --version never use ctypes. install() here runs the stock install(), which
# the spec ships beside this module as pyimod03_ctypes_stock, once ctypes is
# first imported (packaging/after_import.py, also a bootstrap module).
# The bootstrap runs this before the import system is complete: only sys and
# the other bootstrap modules may be imported here.


def install() -> None:
    import heureum_after_import
    import pyimod03_ctypes_stock

    heureum_after_import.after_import("ctypes", pyimod03_ctypes_stock.install)
