"""The layering is enforced, not just documented: business code never loads Textual."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_non_ui_packages_do_not_import_textual() -> None:
    code = (
        "import sys, pkgutil, importlib\n"
        "import pos_tui.core, pos_tui.store, pos_tui.cli, pos_tui.devices\n"
        "for pkg in (pos_tui.core, pos_tui.store, pos_tui.cli, pos_tui.devices):\n"
        "    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(info.name)\n"
        "import pos_tui.cli.app\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == "", f"textual imported by non-UI code: {out.stdout}"


LINT = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def test_import_linter_contracts_hold() -> None:
    out = subprocess.run(
        [sys.executable, "-c", LINT],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert out.returncode == 0, out.stdout + out.stderr
