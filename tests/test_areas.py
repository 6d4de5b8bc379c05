"""The business areas of ``pos_tui.core`` and their front doors.

Each area is a package whose ``__init__`` names its public API three times over, on purpose:
``_EXPORTS`` (name → defining module, what the lazy loader reads), ``__all__`` (what a reader
and ``from … import *`` see) and an ``if TYPE_CHECKING`` import block (what type checkers and
editors follow). These tests keep the three in step, prove every name loads without a UI
library, and hold ``tui/``, ``cli/`` and ``devices/`` to importing front doors only.
"""

from __future__ import annotations

import ast
import functools
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORE = REPO / "pos_tui" / "core"
AREAS = sorted(p.name for p in CORE.iterdir() if (p / "__init__.py").exists() and not p.name.startswith("_"))
# Every front door: the areas and the sub-areas inside them (loyalty.members, loyalty.rules).
FRONT_DOORS = sorted(
    str(p.parent.relative_to(CORE)).replace("/", ".")
    for p in CORE.glob("*/**/__init__.py")
    if "_EXPORTS" in p.read_text()
)
OUTSIDE = [REPO / "pos_tui" / d for d in ("tui", "cli", "devices")] + [REPO / "pos_tui" / "__main__.py"]


def _front_door(area: str) -> tuple[dict[str, str], list[str], dict[str, str]]:
    tree = ast.parse((CORE / area.replace(".", "/") / "__init__.py").read_text())
    exports: dict[str, str] = {}
    all_: list[str] = []
    typed: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id == "_EXPORTS":
                exports = ast.literal_eval(node.value)
            elif node.targets[0].id == "__all__":
                all_ = ast.literal_eval(node.value)
        elif isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for imp in node.body:
                if isinstance(imp, ast.ImportFrom):
                    for alias in imp.names:
                        typed[alias.name] = imp.module or ""
    return exports, all_, typed


def test_there_are_areas() -> None:
    assert {"kernel", "till", "loyalty", "audit"} <= set(AREAS)
    assert {"loyalty.members", "loyalty.rules"} <= set(FRONT_DOORS)


@pytest.mark.parametrize("area", FRONT_DOORS)
def test_front_door_names_agree(area: str) -> None:
    exports, all_, typed = _front_door(area)
    assert sorted(exports) == sorted(all_), f"{area}: _EXPORTS and __all__ differ"
    assert set(typed) == set(exports), f"{area}: the TYPE_CHECKING imports and _EXPORTS differ"
    for name, module in exports.items():
        expected = f"pos_tui.core.{area}" if module == name else f"pos_tui.core.{area}.{module}"
        assert typed[name] == expected, f"{area}.{name}: TYPE_CHECKING imports it from {typed[name]}"


@pytest.mark.parametrize("area", FRONT_DOORS)
def test_every_public_name_loads_from_its_module(area: str) -> None:
    package = importlib.import_module(f"pos_tui.core.{area}")
    exports, _all, _typed = _front_door(area)
    for name, module in exports.items():
        value = getattr(package, name)
        if module == name:
            assert value.__name__ == f"pos_tui.core.{area}.{name}"
        else:
            home = importlib.import_module(f"pos_tui.core.{area}.{module}")
            assert getattr(home, name) is value


@pytest.mark.parametrize("area", AREAS)
def test_area_loads_headless(area: str) -> None:
    """Importing an area and every name it exports loads no UI, CLI or device library."""
    code = (
        "import importlib, sys\n"
        f"pkg = importlib.import_module('pos_tui.core.{area}')\n"
        "for name in pkg.__all__:\n"
        "    getattr(pkg, name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'typer', 'serial', 'escpos')\n"
        "             or m.startswith(('pos_tui.tui', 'pos_tui.cli', 'pos_tui.devices')))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == "", f"{area} loads {out.stdout}"


def _outside_files() -> list[Path]:
    files: list[Path] = []
    for place in OUTSIDE:
        files += sorted(place.rglob("*.py")) if place.is_dir() else [place]
    return files


def test_ui_and_cli_import_front_doors_only() -> None:
    public = {area: set(_front_door(area)[1]) for area in AREAS}
    wrong: list[str] = []
    for path in _outside_files():
        for node in ast.walk(ast.parse(path.read_text())):
            where = f"{path.relative_to(REPO)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Import):
                wrong += [f"{where}: import {a.name}" for a in node.names if a.name.startswith("pos_tui.core.")]
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("pos_tui.core"):
                continue
            parts = (node.module or "").split(".")
            if len(parts) == 2:  # from pos_tui.core import till
                wrong += [f"{where}: {a.name} is not an area" for a in node.names if a.name not in public]
            elif len(parts) == 3 and parts[2] in public:
                wrong += [
                    f"{where}: {parts[2]}.{a.name} is not in its front door"
                    for a in node.names
                    if a.name not in public[parts[2]]
                ]
            else:
                wrong.append(f"{where}: from {node.module} (an inner module)")
    assert wrong == []


@functools.cache
def _defined(module: str) -> set[str]:
    """The public names a module defines itself (not what it imports)."""
    tree = ast.parse(Path(importlib.import_module(module).__file__ or "").read_text())
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    exports = next(
        (
            ast.literal_eval(n.value)
            for n in tree.body
            if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "__all__"
        ),
        None,
    )
    return set(exports) if exports is not None else {n for n in names if not n.startswith("_")}


def test_ui_and_cli_use_only_what_a_sub_area_defines() -> None:
    """A front door may hand out a sub-area as a namespace (``loyalty.wallet``); through it the
    UI reaches only the public names that module defines itself, never a private helper or a
    name it merely imported from elsewhere (``ledger.shop_day`` is the kernel's)."""
    wrong: list[str] = []
    for path in _outside_files():
        text = path.read_text()
        tree = ast.parse(text)
        spaces: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pos_tui.core."):
                exports = _front_door((node.module or "")[len("pos_tui.core.") :])[0]
                for alias in node.names:
                    if exports.get(alias.name) == alias.name:  # a sub-area handed out as a namespace
                        spaces[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in spaces:
                module = spaces[node.value.id]
                if node.attr not in _defined(module):
                    wrong.append(f"{path.relative_to(REPO)}:{node.lineno}: {module}.{node.attr}")
    assert wrong == []
