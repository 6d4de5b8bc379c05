"""No import cycle inside ``pos_tui.tui`` (imports under ``if TYPE_CHECKING:`` aside; imports inside
functions count: they run too). The layers contract in pyproject.toml keeps app > screens > dialogs >
widgets; this also covers the plain modules of the bottom layer, which may import each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pos_tui.tui

TUI = Path(pos_tui.tui.__file__).parent


def _modules() -> dict[str, Path]:
    found = {}
    for path in TUI.rglob("*.py"):
        parts = ("pos_tui", "tui", *path.relative_to(TUI).with_suffix("").parts)
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(path: Path) -> set[str]:
    names: set[str] = set()

    class Visitor(ast.NodeVisitor):
        def visit_If(self, node: ast.If) -> None:
            test = node.test
            if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
                isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
            ):
                for child in node.orelse:
                    self.visit(child)
                return
            self.generic_visit(node)

        def visit_Import(self, node: ast.Import) -> None:
            names.update(alias.name for alias in node.names)

        def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
            if node.module:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)

    Visitor().visit(ast.parse(path.read_text(encoding="utf-8")))
    return names


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for imported in _imports(path):
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                targets.add(imported)
        graph[name] = targets
    return graph


def _cycle_from(graph: dict[str, set[str]], start: str) -> list[str] | None:
    """A path start → … → start, if there is one (depth-first)."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for target in sorted(graph[node]):
            if target == start:
                return [*path, start]
            if target not in seen:
                seen.add(target)
                stack.append((target, [*path, target]))
    return None


def test_the_tui_has_no_import_cycle() -> None:
    graph = _graph()
    assert "pos_tui.tui.app" in graph and "pos_tui.tui.screens.sale" in graph
    cycles = [cycle for name in sorted(graph) if (cycle := _cycle_from(graph, name))]
    assert not cycles, "import cycles: " + "; ".join(" → ".join(cycle) for cycle in cycles[:3])
