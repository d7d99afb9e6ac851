"""Dependencies point one way: no import cycle between the packages of app/, nor between its files.

Every import counts, at the top of a file or inside a function (an import moved into a function still
ties the two modules together; it only hides the knot until run time).
"""

from __future__ import annotations

import ast
import functools
import itertools
from collections import deque
from collections.abc import Iterable, Mapping
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"

# Import edges left out of the check (each closes a known cycle being worked on); empty when there is none.
# test_every_allowed_edge_still_exists says when an entry has become stale.
ALLOWED_PACKAGE_EDGES: set[tuple[str, str]] = set()
ALLOWED_FILE_EDGES: set[tuple[str, str]] = set()

Graph = Mapping[str, set[str]]


def module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(APP.rglob("*.py"))}


def imported(name: str, path: Path, known: Iterable[str]) -> set[str]:
    """The app modules `name` imports, wherever in the file the import is."""
    known = set(known)

    def resolve(target: str) -> str | None:
        while target and target not in known:
            target = target.rpartition(".")[0]
        return target or None

    found: set[str | None] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {resolve(alias.name) for alias in node.names if alias.name.startswith("app")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name if path.name == "__init__.py" else name.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{base}".rstrip(".")
            if base == "app" or base.startswith("app."):
                found |= {resolve(f"{base}.{alias.name}") for alias in node.names}
    return {target for target in found if target is not None and target != name}


@functools.cache
def file_graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imported(name, path, found) for name, path in found.items()}


def package_of(name: str) -> str | None:
    """The package directly under app/ a module belongs to (None for app's own top-level files)."""
    parts = name.split(".")
    if len(parts) > 2 or (len(parts) == 2 and (APP / parts[1]).is_dir()):
        return ".".join(parts[:2])
    return None


def package_graph(files: Graph) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for source, targets in files.items():
        for target in targets:
            a, b = package_of(source), package_of(target)
            if a is not None and b is not None and a != b:
                graph.setdefault(a, set()).add(b)
    return graph


def without(graph: Graph, edges: set[tuple[str, str]]) -> dict[str, set[str]]:
    return {a: {b for b in targets if (a, b) not in edges} for a, targets in graph.items()}


def cycles(graph: Graph) -> list[list[str]]:
    """One shortest cycle through each node that lies on one, each cycle once, as a → … → a."""
    found: list[list[str]] = []
    seen: set[frozenset[str]] = set()
    for start in sorted(graph):
        paths, visited = deque([[start]]), {start}
        while paths:
            path = paths.popleft()
            for nxt in sorted(graph.get(path[-1], ())):
                if nxt == start and frozenset(path) not in seen:
                    seen.add(frozenset(path))
                    found.append([*path, start])
                    paths.clear()
                    break
                if nxt not in visited:
                    visited.add(nxt)
                    paths.append([*path, nxt])
    return found


def shown(found: list[list[str]], why: Mapping[tuple[str, str], str] | None = None) -> str:
    lines = []
    for cycle in found:
        lines.append(" → ".join(cycle))
        for a, b in itertools.pairwise(cycle):
            if why is not None:
                lines.append(f"    {a} → {b}: {why[(a, b)]}")
    return "\n".join(lines)


def reasons(files: Graph) -> dict[tuple[str, str], str]:
    """For each package edge, the file imports that make it."""
    found: dict[tuple[str, str], list[str]] = {}
    for source, targets in files.items():
        for target in targets:
            a, b = package_of(source), package_of(target)
            if a is not None and b is not None and a != b:
                found.setdefault((a, b), []).append(f"{source} imports {target}")
    return {edge: "; ".join(sorted(imports)[:3]) for edge, imports in found.items()}


def test_no_import_cycle_between_packages() -> None:
    files = file_graph()
    found = cycles(without(package_graph(files), ALLOWED_PACKAGE_EDGES))
    assert not found, "import cycles between packages:\n" + shown(found, reasons(files))


def test_no_import_cycle_between_files() -> None:
    found = cycles(without(file_graph(), ALLOWED_FILE_EDGES))
    assert not found, "import cycles between files:\n" + shown(found)


def test_every_allowed_edge_still_exists() -> None:
    files = file_graph()
    packages = package_graph(files)
    stale = {(a, b) for a, b in ALLOWED_PACKAGE_EDGES if b not in packages.get(a, set())}
    stale |= {(a, b) for a, b in ALLOWED_FILE_EDGES if b not in files.get(a, set())}
    assert not stale, f"these allowed edges are gone; remove them from the allow-list: {sorted(stale)}"


def test_the_cycle_finder_finds_a_package_cycle_and_prints_it() -> None:
    files = {"app.roadmap.routes": {"app.teams.service"}, "app.teams.service": {"app.roadmap.plan"}}
    found = cycles(package_graph(files))
    assert found == [["app.roadmap", "app.teams", "app.roadmap"]]
    assert shown(found, reasons(files)).splitlines() == [
        "app.roadmap → app.teams → app.roadmap",
        "    app.roadmap → app.teams: app.roadmap.routes imports app.teams.service",
        "    app.teams → app.roadmap: app.teams.service imports app.roadmap.plan",
    ]


def test_an_import_inside_a_function_counts(tmp_path: Path) -> None:
    source = tmp_path / "late.py"
    source.write_text("def f() -> None:\n    from app.roadmap import service\n", encoding="utf-8")
    assert imported("app.late", source, ["app.roadmap", "app.roadmap.service"]) == {"app.roadmap.service"}
