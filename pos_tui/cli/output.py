"""One output sink for every command.

Human text goes to stdout by default; with ``--json`` stdout carries only JSON and every
message goes to stderr. Errors always go to stderr with an :class:`ExitCode`. Progress bars
appear only on an interactive stderr and never with ``--json``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from enum import IntEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from pos_tui.i18n import _

stdout = Console(soft_wrap=True, highlight=False)
stderr = Console(stderr=True, soft_wrap=True, highlight=False)


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    USAGE = 2


JsonOption = Annotated[bool, typer.Option("--json", help="Print only JSON on stdout; messages go to stderr.")]

DevicesOption = Annotated[
    Path | None,
    typer.Option(
        "--devices", envvar="POS_DEVICES", help="devices.toml to read (default: next to pos.toml).", dir_okay=False
    ),
]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def print_json(data: Any) -> None:
    """Write ``data`` as JSON on stdout (Decimals as two-decimal strings)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=_default) + "\n")
    sys.stdout.flush()


def info(message: str) -> None:
    """A message for the person at the terminal; stderr, so it never pollutes piped output."""
    stderr.print(message, markup=False)


def fail(message: str, code: ExitCode = ExitCode.FAILED) -> NoReturn:
    stderr.print(_("error: {message}").format(message=message), markup=False, style="red")
    raise typer.Exit(int(code))


def table(columns: Sequence[str], rows: Iterable[Sequence[Any]], title: str | None = None) -> None:
    t = Table(*columns, title=title, show_edge=False, header_style="bold")
    for row in rows:
        t.add_row(*("" if v is None else str(v) for v in row))
    stdout.print(t)


def show_progress(json_mode: bool) -> bool:
    return not json_mode and stderr.is_terminal


@contextmanager
def progress(description: str, total: int | None, json_mode: bool) -> Iterator[Any]:
    """Yield an ``advance(n)`` callable; draws a Rich progress bar only on a terminal."""
    if not show_progress(json_mode):
        yield lambda n=1: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=stderr,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)
