"""ui._pyside_scan: PySide6 learns whether a module uses it from the module's
namespace, not by reading its source file at import (issue 13: 18 ms of CPU
per start here), and classifies Heureum's modules as it did before."""

from __future__ import annotations

import importlib
import json
import linecache
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QObject

from ui import _pyside_scan
from ui._pyside_scan import uses_pyside


def test_a_namespace_with_anything_of_pyside6_uses_it() -> None:
    holder = type(sys)("holder")
    assert not uses_pyside(json)
    holder.QObject = QObject  # type: ignore[attr-defined]
    assert uses_pyside(holder)
    bare = type(sys)("bare")
    bare.Qt = sys.modules["PySide6.QtCore"]  # type: ignore[attr-defined]
    assert uses_pyside(bare)


def test_a_module_imported_after_it_is_not_read_from_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feature = sys.modules["shibokensupport.feature"]
    assert getattr(feature, "_mod_uses_pyside") is uses_pyside  # noqa: B009
    # the word PySide6 in its text made the stock check say yes
    (tmp_path / "heureum_scan_probe.py").write_text("# not PySide6 at all\nX = 1\n")
    (tmp_path / "heureum_scan_qt.py").write_text("from PySide6.QtCore import QTimer\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        # by the import statement's path (builtins.__import__), which PySide6 wraps
        __import__("heureum_scan_probe")
        __import__("heureum_scan_qt")
        assert feature.pyside_feature_dict["heureum_scan_probe"] == -1
        assert feature.pyside_feature_dict["heureum_scan_qt"] == 0
        assert str(tmp_path / "heureum_scan_probe.py") not in linecache.cache
    finally:
        sys.modules.pop("heureum_scan_probe", None)
        sys.modules.pop("heureum_scan_qt", None)


def test_the_windows_modules_are_told_apart_as_before() -> None:
    importlib.import_module("ui.app")
    table = sys.modules["shibokensupport.feature"].pyside_feature_dict
    assert _pyside_scan.__name__ in sys.modules
    assert table["ui.main_window"] == 0 and table["ui.video_view"] == 0
    assert table["ui.play_queue"] == -1 and table["player.events"] == -1
