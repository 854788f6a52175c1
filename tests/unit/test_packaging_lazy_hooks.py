"""packaging/rth_stdlib_lazy.py, rth_qt_lazy.py and pyimod03_ctypes_lazy.py,
through after_import.py, outside a frozen build: PyInstaller's stock runtime
hooks of pkgutil and multiprocessing, and the bootstrap's ctypes patch, run
when their module is first imported (after it), once, and at start for what
is imported already; inspect gets the stock hook's adjustment without its
zipfile import; the hooks themselves import nothing a plain start would not."""

from __future__ import annotations

import importlib
import inspect
import os
import runpy
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOOK = ROOT / "packaging" / "rth_stdlib_lazy.py"
AFTER_IMPORT = ROOT / "packaging" / "after_import.py"
#: what each stand-in hook saw: its name, its module there, the probe's VALUE
Ran = list[tuple[str, bool, object]]
STOCK = ("pyi_rth_pkgutil", "pyi_rth_multiprocessing")


@pytest.fixture
def bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Ran]:
    """A stand-in for sys._MEIPASS whose stock hooks each record that they ran
    and whether their module existed by then."""
    ran: Ran = []
    folder = tmp_path / "heureum_rth"
    folder.mkdir()
    for name in (*STOCK, "pyi_rth_probe"):
        module = {"pyi_rth_probe": "heureum_lazy_probe"}.get(name, name.removeprefix("pyi_rth_"))
        (folder / f"{name}.py").write_text(
            # the probe module's VALUE is there only once its body ran
            f"import sys\nm = sys.modules.get({module!r})\n"
            f"sys.heureum_ran.append(({name!r}, m is not None, getattr(m, 'VALUE', None)))\n",
            encoding="utf-8",
        )
    (tmp_path / "heureum_lazy_probe.py").write_text("VALUE = 42\n", encoding="utf-8")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    monkeypatch.setattr(sys, "heureum_ran", ran, raising=False)
    monkeypatch.syspath_prepend(str(tmp_path))
    # the hook adjusts the imported inspect: undone after each test
    monkeypatch.setattr(inspect, "getsourcefile", inspect.getsourcefile)
    finders = list(sys.meta_path)
    # as the bootloader does with a bootstrap module: run, and in sys.modules
    monkeypatch.setitem(sys.modules, "heureum_after_import", _after_import())
    yield ran
    sys.meta_path[:] = finders
    sys.modules.pop("heureum_lazy_probe", None)


def _after_import() -> Any:
    module = type(sys)("heureum_after_import")
    module.__file__ = str(AFTER_IMPORT)
    exec(compile(AFTER_IMPORT.read_text(encoding="utf-8"), str(AFTER_IMPORT), "exec"), vars(module))
    return module


def _pending() -> dict[str, Any]:
    pending: dict[str, Any] = sys.modules["heureum_after_import"].PENDING
    return pending


def test_a_deferred_hook_runs_once_after_its_module(
    bundle: Ran, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "inspect" in sys.modules  # pytest has it: it is adjusted at start
    # Another test may have imported multiprocessing: with all three stock
    # modules in, the hook would run them all at start and install no finder.
    monkeypatch.delitem(sys.modules, "multiprocessing", raising=False)
    stock_getsourcefile = inspect.getsourcefile
    namespace: dict[str, Any] = runpy.run_path(str(HOOK))
    assert inspect.getsourcefile is not stock_getsourcefile
    assert "inspect" not in _pending()
    assert "multiprocessing" in _pending()
    after_import = sys.modules["heureum_after_import"].after_import
    after_import("heureum_lazy_probe", lambda: namespace["run_stock_hook"]("pyi_rth_probe.py"))
    before = list(bundle)
    import heureum_lazy_probe  # type: ignore[import-not-found]

    assert heureum_lazy_probe.VALUE == 42
    assert bundle[len(before) :] == [("pyi_rth_probe", True, 42)]  # after the module, once
    sys.modules.pop("heureum_lazy_probe")
    importlib.import_module("heureum_lazy_probe")  # a second import: no hook

    assert bundle[len(before) :] == [("pyi_rth_probe", True, 42)]


def test_set_up_can_run_just_before_a_module_s_body_and_after_it(bundle: Ran) -> None:
    """What the Qt hook needs: one bindings package checked before QtCore
    loads, the embedded qt.conf registered after."""
    seen: list[tuple[str, object]] = []

    def state() -> object:
        return getattr(sys.modules.get("heureum_lazy_probe"), "VALUE", None)

    after_import = sys.modules["heureum_after_import"].after_import
    after_import(
        "heureum_lazy_probe",
        lambda: seen.append(("after", state())),
        lambda: seen.append(("before", state())),
    )
    import heureum_lazy_probe  # noqa: F401

    assert seen == [("before", None), ("after", 42)]
    assert not _pending()  # nothing left: the finder took itself away
    assert not any(type(f).__name__ == "_AfterImport" for f in sys.meta_path)
    after_import("heureum_lazy_probe", lambda: seen.append(("at once", state())))
    assert seen[-1] == ("at once", 42)  # already imported: runs at once


def test_a_multiprocessing_helper_process_gets_its_hook_at_start(
    bundle: Ran, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        sys, "argv", ["heureum", "-c", "from multiprocessing.forkserver import main"]
    )
    runpy.run_path(str(HOOK))
    assert any(ran[0] == "pyi_rth_multiprocessing" for ran in bundle)
    assert "multiprocessing" not in _pending()


def test_the_spec_ships_the_stock_hooks_and_leaves_them_out_of_the_start() -> None:
    spec = (ROOT / "packaging" / "heureum.spec").read_text(encoding="utf-8")
    assert "rth_stdlib_lazy.py" in spec
    for name in STOCK:
        assert f'"{name}"' in spec
    assert 'SHIPPED_STOCK_HOOKS = ("pyi_rth_pkgutil", "pyi_rth_multiprocessing")' in spec
    assert '_bootstrap_module("pyimod03_ctypes", HERE / "pyimod03_ctypes_lazy.py")' in spec
    assert '_bootstrap_module("heureum_after_import", HERE / "after_import.py")' in spec
    assert (
        'a.scripts = [s for s in a.scripts if s[0] not in ("pyi_rth_pyside6", *LAZY_STOCK_HOOKS)]'
        in spec
    )


def test_inspect_finds_a_frozen_module_s_file_in_the_bundle(
    bundle: Ran, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A frozen code object names its file relative to the bundle: the stdlib
    modules served from base_library.zip map into it, the rest into the folder."""
    with zipfile.ZipFile(tmp_path / "base_library.zip", "w") as archive:
        archive.writestr("heureum_zipped/mod.pyc", b"")
    runpy.run_path(str(HOOK))
    assert "inspect" not in _pending()

    def frozen(name: str) -> Any:
        return compile("def f(): pass", name, "exec")

    monkeypatch.setitem(sys.modules, "__main__", type(sys)("__main__"))
    zipped = inspect.getsourcefile(frozen(os.path.join("heureum_zipped", "mod.py")))
    assert zipped == str(tmp_path / "base_library.zip" / "heureum_zipped" / "mod.pyc")
    loose = inspect.getsourcefile(frozen(os.path.join("player", "cli.py")))
    assert loose == str(tmp_path / "player" / "cli.py")
    inside = str(tmp_path / "anything.py")
    assert inspect.getsourcefile(frozen(inside)) == inside
    assert inspect.getsourcefile(importlib) == importlib.__file__  # outside: stock


#: run in a bare interpreter: each hook as the bootloader runs it, then a
#: check of what got imported
_BARE_START = """
import sys
sys._MEIPASS = {bundle!r}
after_import = type(sys)("heureum_after_import")
with open({after_import!r}, encoding="utf-8") as f:
    exec(compile(f.read(), {after_import!r}, "exec"), vars(after_import))
sys.modules["heureum_after_import"] = after_import
for path in {hooks!r}:
    with open(path, encoding="utf-8") as f:
        exec(compile(f.read(), path, "exec"), {{"__name__": "__main__"}})
heavy = ["importlib.abc", "importlib.resources", "importlib.util", "tempfile",
         "zipfile", "shutil", "bz2", "lzma", "random", "ctypes", "_pyi_rth_utils"]
print(sorted(m for m in heavy if m in sys.modules))
"""


def test_the_hooks_import_nothing_a_plain_start_would_not(tmp_path: Path) -> None:
    """In 3.11, importlib.abc alone brings importlib.resources, tempfile, shutil,
    random, bz2 and lzma: ~20 modules inflated from the archive at every start."""
    hooks = [str(ROOT / "packaging" / f) for f in ("rth_qt_lazy.py", "rth_stdlib_lazy.py")]
    start = tmp_path / "start.py"  # not -c: that is how a multiprocessing helper starts
    text = _BARE_START.format(bundle=str(tmp_path), hooks=hooks, after_import=str(AFTER_IMPORT))
    start.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-S", str(start)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


_CTYPES_LATER = """
import sys, types
after_import = types.ModuleType("heureum_after_import")
with open(sys.argv[2], encoding="utf-8") as f:
    exec(compile(f.read(), sys.argv[2], "exec"), vars(after_import))
sys.modules["heureum_after_import"] = after_import
ran = []
stock = types.ModuleType("pyimod03_ctypes_stock")
stock.install = lambda: ran.append(hasattr(sys.modules.get("ctypes"), "CDLL"))
sys.modules["pyimod03_ctypes_stock"] = stock
namespace = {"__name__": "pyimod03_ctypes"}
with open(sys.argv[1], encoding="utf-8") as f:
    exec(compile(f.read(), sys.argv[1], "exec"), namespace)
namespace["install"]()
before = (list(ran), "ctypes" in sys.modules)
import ctypes
import ctypes.util
del sys.modules["ctypes"]
import ctypes
print(before, ran)
"""


def test_the_bootstrap_s_ctypes_patch_waits_for_ctypes() -> None:
    """The stock install() runs once, after ctypes' own body, on its first
    import; a start that never imports ctypes never loads it (nor libffi)."""
    lazy = ROOT / "packaging" / "pyimod03_ctypes_lazy.py"
    done = subprocess.run(
        [sys.executable, "-S", "-c", _CTYPES_LATER, str(lazy), str(AFTER_IMPORT)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "([], False) [True]"
