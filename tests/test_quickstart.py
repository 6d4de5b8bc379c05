"""The README's Quickstart, `.ci/run` and the pins agree (issue 9: they must work on a fresh machine).

`.ci/run` runs the second Quickstart command verbatim; both commands install with the pins of
`constraints.txt`, which pins every dependency that `pyproject.toml` names, inside its range.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[1]


def quickstart() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quickstart", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "no ```bash block in the README's Quickstart"
    return [line for line in block.group(1).splitlines() if line.strip()]


def pins() -> dict[str, Version]:
    found: dict[str, Version] = {}
    for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, sep, version = line.partition("==")
            assert sep, f"constraints.txt: {line!r} is not pinned with =="
            found[canonicalize_name(name)] = Version(version)
    return found


def test_quickstart_is_two_commands_in_a_venv_with_the_pins() -> None:
    first, second = quickstart()
    for command in (first, second):
        assert command.startswith("python3 -m venv .venv && .venv/bin/pip install -c constraints.txt -e ")
    assert first.endswith(" && .venv/bin/pos --demo")
    assert second.endswith(" && .venv/bin/python -m pytest -n 2")
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["pos"] == "pos_tui.__main__:main"


def test_ci_runs_the_second_quickstart_command_verbatim_and_fails_on_any_error() -> None:
    run = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert quickstart()[1] in run
    assert "set -euo pipefail" in run
    for linter in (
        ".venv/bin/ruff check .",
        ".venv/bin/ruff format --check .",
        ".venv/bin/mypy",
        ".venv/bin/lint-imports",
    ):
        assert linter in run
    assert ".venv/" in (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_constraints_pin_every_dependency_inside_its_range() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pinned = pins()
    wanted = [Requirement(r) for r in project["dependencies"]]
    wanted += [Requirement(r) for extra in project["optional-dependencies"].values() for r in extra]
    for req in wanted:
        name = canonicalize_name(req.name)
        assert name in pinned, f"{req.name} is not in constraints.txt: run .ci/constraints.sh"
        assert req.specifier.contains(pinned[name], prereleases=True), (
            f"constraints.txt pins {name} {pinned[name]}, outside {req}"
        )
