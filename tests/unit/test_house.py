"""The house rules a newcomer relies on, held by a test so they stay true:
a module's file name says one thing across the engine and the window, no
module grows past about 600 lines, and every engine module has unit tests
that import it (``tests/unit`` mirrors the packages)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import player

ROOT = Path(player.__file__).parent.parent
PACKAGES = ("player", "ui", "lab")
MAX_LINES = 600

#: file names two packages share on purpose, and why each is not ambiguous
SHARED_NAMES = {
    # each package's own settings: PlayerConfig (player/), HlsConfig (player/hls/)
    "config.py": {"player/config.py", "player/hls/config.py"},
    # the engine's English templates, and the window's translation of them
    "error_text.py": {"player/error_text.py", "ui/error_text.py"},
    # the player's command line, and the lab's (test origins, demo streams)
    "cli.py": {"player/cli.py", "lab/cli.py"},
}
#: modules allowed past MAX_LINES for now, with the reason
LONG: dict[str, str] = {}
#: engine modules whose unit tests are elsewhere for a reason
NOT_UNIT_TESTED = {
    "player.player": "the facade: tests/integration and tests/e2e drive it whole",
    "player.demux_thread": "run by every Session: test_engine and the integration tests",
    "player.session_state": "the session's fields: through test_engine and test_control_loop",
    "player.session_stats": "Session.stats(): read in test_engine and test_session_clocks",
    "player.cli_compare": "the compare command: tests/e2e/test_compare.py",
}
#: tests about the whole import graph: importing a module there tests nothing of it
STRUCTURAL = {"test_import_graph.py", "test_lazy_imports.py", "test_public_api.py", "test_house.py"}


def _modules(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if p.name != "__init__.py")


def test_a_file_name_says_one_thing() -> None:
    by_name: dict[str, set[str]] = defaultdict(set)
    for package in PACKAGES:
        for path in _modules(package):
            by_name[path.name].add(path.relative_to(ROOT).as_posix())
    shared = {name: paths for name, paths in by_name.items() if len(paths) > 1}
    assert shared == {name: SHARED_NAMES[name] for name in shared if name in SHARED_NAMES}, (
        "two modules share a file name: rename one to say what it owns, "
        "or justify the pair in SHARED_NAMES"
    )


def test_no_module_grows_past_the_limit() -> None:
    long = {}
    for package in PACKAGES:
        for path in _modules(package):
            name = path.relative_to(ROOT).as_posix()
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_LINES and name not in LONG:
                long[name] = lines
    assert long == {}, "split these by concern (or say why in LONG)"


def _imported(path: Path) -> set[str]:
    """The modules a test file imports, with the names it takes from each."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def _defined_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        n.name
        for n in tree.body
        if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
    }


def test_every_engine_module_has_unit_tests() -> None:
    """A test file named for it where ``tests/unit`` mirrors its package
    (``player/hls/crypto.py``: ``tests/unit/hls/test_crypto.py``), or unit
    tests that import it."""
    unit = ROOT / "tests" / "unit"
    imported: set[str] = set()
    for test in unit.rglob("test_*.py"):
        if test.name not in STRUCTURAL:
            imported |= _imported(test)
    missing = []
    for path in _modules("player"):
        relative = path.relative_to(ROOT / "player")
        mirrored = unit / relative.parent / f"test_{path.name}"
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        package = name.rpartition(".")[0]
        # taken through its package's exports (``from player.text_tracks import X``)
        exported = {n for n in _defined_in(path) if f"{package}.{n}" in imported}
        if not (mirrored.exists() or name in imported or exported or name in NOT_UNIT_TESTED):
            missing.append(name)
    assert missing == []
