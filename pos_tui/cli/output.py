"""One output sink for every command.

Human text goes to stdout by default; with ``--json`` stdout carries only JSON and every
message goes to stderr. Errors always go to stderr with an :class:`ExitCode`. Progress bars
appear only on an interactive stderr and never with ``--json``. Destructive commands ask
through :func:`confirm` (on stderr, in the shop's language) and skip the question with
``-y/--yes``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, cast

import typer

from pos_tui.i18n import N_, _
from pos_tui.text import fold

if TYPE_CHECKING:
    from rich.console import Console


class _LazyConsole:
    """A Rich console made on first use: Rich takes longer to import than a ``--json`` lookup
    takes to run, and that prints no Rich at all."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def console(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.console(), name)


stdout = cast("Console", _LazyConsole(soft_wrap=True, highlight=False))
stderr = cast("Console", _LazyConsole(stderr=True, soft_wrap=True, highlight=False))


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
YesOption = Annotated[
    bool, typer.Option("--yes", "-y", help="Do not ask for confirmation (needed when not run from a terminal).")
]


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


# The choices shown after a question and the words accepted as answers, in the catalog so a
# Turkish shop sees ``[e/H]`` and answers e/evet or h/hayır. The English words are accepted in
# every language (they mean nothing else in Turkish), so habit never answers the wrong way.
# Translators: the choices after a yes/no question; the capital letter is what Enter means (no).
_CHOICES = N_("[y/N]")
# Translators: the answers meaning yes, separated by |; the first is the one shown in the choices.
_YES_WORDS = N_("y|yes")
# Translators: the answers meaning no, separated by |; the first is the one shown in the choices.
_NO_WORDS = N_("n|no")


def _words(msgid: str) -> set[str]:
    return {fold(w.strip()) for w in (_(msgid) + "|" + msgid).split("|") if w.strip()}


def confirm(question: str, *, yes: bool) -> None:
    """Ask ``question`` before a step that cannot be undone; return only on a yes.

    ``yes`` is the command's ``-y/--yes``: nothing is asked. Otherwise the question and the
    choices go to stderr (stdout stays clean for ``--json``) and one line is read from stdin;
    Enter means no, an unclear answer is asked again.

    - No (or end of input at a terminal): "Nothing was done.", exit 1.
    - End of input with no terminal on stdin (cron, ``</dev/null``, an empty pipe): nobody
      can answer, so the command refuses with exit 2 (usage) and says to add ``--yes``.
      An answer piped in (``echo e | pos-admin …``) is an answer like a typed one.
    """
    if yes:
        return
    accept, refuse = _words(_YES_WORDS), _words(_NO_WORDS)
    shown_yes, shown_no = (_(w).split("|")[0] for w in (_YES_WORDS, _NO_WORDS))
    prompt = f"{question} {_(_CHOICES)} "
    while True:
        stderr.print(prompt, markup=False, end="")
        stderr.file.flush()
        line = sys.stdin.readline()
        if not line:
            stderr.print()
            if not sys.stdin.isatty():
                fail(_("No answer to the question (not run from a terminal); add --yes to go ahead"), ExitCode.USAGE)
            break
        answer = fold(line.strip())
        if answer in accept:
            return
        if not answer or answer in refuse:
            break
        info(_("Please answer {yes} or {no}.").format(yes=shown_yes, no=shown_no))
    info(_("Nothing was done."))
    raise typer.Exit(int(ExitCode.FAILED))


def table(columns: Sequence[str], rows: Iterable[Sequence[Any]], title: str | None = None) -> None:
    from rich.table import Table

    t = Table(*columns, title=title, show_edge=False, header_style="bold")
    for row in rows:
        t.add_row(*("" if v is None else str(v) for v in row))
    stdout.print(t)


def show_progress(json_mode: bool) -> bool:
    return not json_mode and stderr.is_terminal


@contextmanager
def progress(description: str, total: int | None, json_mode: bool, unit: str | None = None) -> Iterator[Any]:
    """Yield an ``advance(n)`` callable; draws a Rich progress bar only on a terminal: done
    of total and the rate written the shop's way (``92.000/200.001``, ``12.345 satır/sn``, in
    ``unit`` when given) and the time left."""
    if not show_progress(json_mode):
        yield lambda n=1: None
        return
    from rich.progress import BarColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn
    from rich.text import Text

    from pos_tui.core.kernel import format_decimal

    class Done(ProgressColumn):
        def render(self, task: Any) -> Text:
            done = format_decimal(int(task.completed))
            return Text(done if task.total is None else f"{done}/{format_decimal(int(task.total))}")

    class Rate(ProgressColumn):
        def render(self, task: Any) -> Text:
            speed = task.finished_speed or task.speed
            if not speed:
                return Text("")
            n = format_decimal(int(speed))
            shown = _("{n} {unit}/s").format(n=n, unit=unit) if unit else _("{n}/s").format(n=n)
            return Text(shown, style="progress.data.speed")

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        Done(),
        Rate(),
        TimeRemainingColumn(),
        console=cast(_LazyConsole, stderr).console(),
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)
