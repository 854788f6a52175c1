"""packaging/rth_stdlib_lazy.py, outside a frozen build: PyInstaller's stock
runtime hooks of inspect, pkgutil and multiprocessing run when their module
is first imported (after it), once, and at start for what is imported
already; the spec ships those hooks and leaves them out of the start."""

from __future__ import annotations

import importlib
import runpy
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOOK = ROOT / "packaging" / "rth_stdlib_lazy.py"
#: what each stand-in hook saw: its name, its module there, the probe's VALUE
Ran = list[tuple[str, bool, object]]
STOCK = ("pyi_rth_inspect", "pyi_rth_pkgutil", "pyi_rth_multiprocessing")


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
    finders = list(sys.meta_path)
    yield ran
    sys.meta_path[:] = finders
    sys.modules.pop("heureum_lazy_probe", None)


def test_a_deferred_hook_runs_once_after_its_module(
    bundle: Ran, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "inspect" in sys.modules  # pytest has it: its hook runs at start
    # Another test may have imported multiprocessing: with all three stock
    # modules in, the hook would run them all at start and install no finder.
    monkeypatch.delitem(sys.modules, "multiprocessing", raising=False)
    namespace: dict[str, Any] = runpy.run_path(str(HOOK))
    assert ("pyi_rth_inspect", True, None) in bundle
    deferred = namespace["DEFERRED"]
    assert "inspect" not in deferred
    deferred["heureum_lazy_probe"] = "pyi_rth_probe.py"
    before = list(bundle)
    import heureum_lazy_probe  # type: ignore[import-not-found]

    assert heureum_lazy_probe.VALUE == 42
    assert bundle[len(before) :] == [("pyi_rth_probe", True, 42)]  # after the module, once
    sys.modules.pop("heureum_lazy_probe")
    importlib.import_module("heureum_lazy_probe")  # a second import: no hook

    assert bundle[len(before) :] == [("pyi_rth_probe", True, 42)]


def test_a_multiprocessing_helper_process_gets_its_hook_at_start(
    bundle: Ran, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        sys, "argv", ["heureum", "-c", "from multiprocessing.forkserver import main"]
    )
    namespace: dict[str, Any] = runpy.run_path(str(HOOK))
    assert any(ran[0] == "pyi_rth_multiprocessing" for ran in bundle)
    assert "multiprocessing" not in namespace["DEFERRED"]


def test_the_spec_ships_the_stock_hooks_and_leaves_them_out_of_the_start() -> None:
    spec = (ROOT / "packaging" / "heureum.spec").read_text(encoding="utf-8")
    assert "rth_stdlib_lazy.py" in spec
    for name in STOCK:
        assert f'"{name}"' in spec
    assert (
        'a.scripts = [s for s in a.scripts if s[0] not in ("pyi_rth_pyside6", *LAZY_STOCK_HOOKS)]'
        in spec
    )
