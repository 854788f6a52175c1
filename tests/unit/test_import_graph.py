"""The engine's modules import one another in one direction only: no circles,
counting every import (at the top, inside a function, under TYPE_CHECKING)."""

from __future__ import annotations

import ast
from pathlib import Path

import player

ROOT = Path(player.__file__).parent


def _modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for path in ROOT.rglob("*.py"):
        parts = path.with_suffix("").relative_to(ROOT.parent).parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:
                full = f"{target}.{alias.name}"
                found.add(full if full in modules else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    # a package's lazy exports are how callers reach it, not a dependency of
    # its submodules on it
    return {m for m in found & modules.keys() if m != name and not name.startswith(m + ".")}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component: list[str] = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_engine_has_no_import_circle() -> None:
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    # the walk sees the edges it should (a broken resolver would pass vacuously)
    assert "player.decode" in graph["player.engine"]
    assert "player.hls.loader_thread" in graph["player.hls.hls_source"]
    assert "player.hls.downloads" in graph["player.hls.ladder"]
    assert _cycles(graph) == []


def test_a_circle_is_found_when_there_is_one() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in graph[todo.pop()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


def test_the_sessions_parts_never_reach_back_to_the_session() -> None:
    """``engine.Session`` starts and commands its parts; they work on the
    session's state and clocks, and never import the session (decoders
    included: they once did, and the two formed a circle)."""
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    parts = (
        "player.session_state",
        "player.session_clocks",
        "player.demux_thread",
        "player.presenter",
        "player.control_loop",
        "player.session_stats",
        "player.decode",
    )
    assert set(parts) <= graph["player.engine"] | _reachable(graph, "player.engine")
    for part in parts:
        assert "player.engine" not in _reachable(graph, part), part


def test_the_hls_sources_parts_never_reach_back_to_the_source() -> None:
    """``HlsSource`` wires its parts together and is the ``Source`` API; the
    parts share ``LoaderState`` and what each is handed, and never import
    the source (so none can reach into it for everything)."""
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    parts = (
        "player.hls.config",
        "player.hls.loader_state",
        "player.hls.packet_queue",
        "player.hls.ladder",
        "player.hls.rung_choice",
        "player.hls.outages",
        "player.hls.segment_loader",
        "player.hls.fetch_cursor",
        "player.hls.track_requests",
        "player.hls.segment_packets",
        "player.hls.loader_thread",
    )
    assert set(parts) <= graph["player.hls.hls_source"] | _reachable(graph, "player.hls.hls_source")
    for part in parts:
        assert "player.hls.hls_source" not in _reachable(graph, part), part


def test_only_the_http_fetcher_is_made_of_httpx() -> None:
    """The HLS parts are handed a ``fetch.Fetcher`` (a scripted one in the
    tests): only ``HlsSource`` and ``HeadStart`` (the first playlist's
    request, made as the open begins), which make the real one by default,
    know ``http_fetcher``, and only that module imports httpx at its top
    (``otlp`` posts with it inside a function, and only with ``--otlp``)."""
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    users = {name for name, deps in graph.items() if "player.http_fetcher" in deps}
    assert users == {"player.hls.hls_source", "player.hls.head_start"}
    assert "player.http_fetcher" not in _reachable(graph, "player.fetch")
    top_level = set()
    for name, path in modules.items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import) and any(a.name == "httpx" for a in node.names):
                top_level.add(name)
            if isinstance(node, ast.ImportFrom) and node.module == "httpx":
                top_level.add(name)
    assert top_level == {"player.http_fetcher"}
