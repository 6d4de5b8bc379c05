"""One output sink for every command.

Human text goes to stdout by default; with ``--json`` stdout carries only JSON and every
message goes to stderr. Errors always go to stderr with an :class:`ExitCode`. Progress bars
appear only on an interactive stderr and never with ``--json``. Destructive commands ask
through :func:`confirm` (on stderr, in the shop's language) and skip the question with
``-y/--yes``.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
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


def _shop_zone() -> str:
    from pos_tui.cli.common import state

    return state().settings.shop.timezone


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime):
        if value.tzinfo is None:  # naive: UTC from the store or already local? Only its source knows
            raise TypeError("a naive datetime in JSON output: format it with pos_tui.core.kernel.iso(at, tz)")
        from pos_tui.core.kernel import iso

        return iso(value, _shop_zone())
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def print_json(data: Any) -> None:
    """Write ``data`` as JSON on stdout (Decimals as two-decimal strings).

    Every time in the JSON is the shop's local time with its offset, to the second
    (``2026-11-01T10:15:00+03:00``): an aware ``datetime`` is written so here (it names its
    instant, so this never shifts it twice); a naive one is refused, as only the code that
    read it knows whether it is UTC from the store or a shop-local time. Strings are written
    as they are: a caller formatting a time itself uses ``pos_tui.core.kernel.iso(at, tz)``.
    """
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


# A cell that must never be cut: an amount, a quantity, a number, a date or a time
# (``-12.800,00``, ``%12,5``, ``06.12.2026``, ``06.12.2026 14:30``, ``31-60``, ``-``).
_FIXED_CELL = re.compile(r"[-+%]?[\d.,:/%-]*\d[\d.,:/% -]*|-|")
# The narrowest a column of names is squeezed to (it wraps, words longer than this fold).
_MIN_WRAP = 8
# ... but wide enough for a word up to this long, so that words are not broken in two.
_MAX_WORD = 14


def _text_width(text: str) -> int:
    """The terminal cells ``text`` takes: its longest line's."""
    from rich.cells import cell_len

    return max(cell_len(line) for line in text.split("\n"))


def _fixed_columns(header: Sequence[str], rows: Sequence[Sequence[str]]) -> dict[int, int]:
    """The columns whose every cell is an amount, a number or a date (and one at least has a
    digit), and the width each needs so that no cell is cut (its header wraps at its words)."""
    fixed: dict[int, int] = {}
    for i, title in enumerate(header):
        cells = [row[i] for row in rows]
        if not any(any(ch.isdigit() for ch in c) for c in cells):
            continue
        if not all(_FIXED_CELL.fullmatch(c.strip()) for c in cells):
            continue
        words = [_text_width(w) for w in title.split()] or [0]
        fixed[i] = max(max(_text_width(c) for c in cells), max(words), 1)
    return fixed


def _wrap_sizes(header: Sequence[str], rows: Sequence[Sequence[str]], i: int) -> tuple[int, int]:
    """The natural width of column ``i`` (of names) and the narrowest it is squeezed to."""
    texts = [header[i], *(row[i] for row in rows)]
    natural = max(_text_width(t) for t in texts)
    word = max((_text_width(w) for t in texts for w in t.split()), default=0)
    return natural, min(natural, max(_MIN_WRAP, min(word, _MAX_WORD)))


def _widths(
    header: Sequence[str], rows: Sequence[Sequence[str]], fixed: dict[int, int], gap: int, width: int
) -> dict[int, int] | None:
    """Every column's width when the table fits in ``width`` with ``gap`` columns per cell (3:
    padding on both sides and a line, 1: a space between), else None. Amounts, numbers and dates get
    what they need; the columns of names share the rest, each at least its narrowest."""
    sizes = {i: _wrap_sizes(header, rows, i) for i in range(len(header)) if i not in fixed}
    n = len(header)
    room = width - sum(fixed.values()) - ((gap - 1) * n + max(n - 1, 0))  # padding, then the dividers
    if room < sum(least for _natural, least in sizes.values()):
        return None
    out = dict(fixed)
    if sum(natural for natural, _least in sizes.values()) <= room:
        return out | {i: natural for i, (natural, _least) in sizes.items()}
    given = {i: least for i, (_natural, least) in sizes.items()}
    spare = room - sum(given.values())
    while spare > 0:  # one more character to the column of names that lacks the most
        i = max(given, key=lambda k: sizes[k][0] - given[k])
        if sizes[i][0] <= given[i]:
            break
        given[i] += 1
        spare -= 1
    return out | given


def table(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    title: str | None = None,
    *,
    optional: Sequence[int] = (),
    whole: Sequence[int] = (),
    repeat: int = 0,
) -> None:
    """A table on stdout that fits the terminal (80 columns at least) without cutting an amount,
    a number or a date: those columns keep their width (right-aligned) and names wrap at their
    words. When even that is too wide the table loses its column lines, then:

    - with ``repeat`` (a number of leading columns: a report's labels), it is printed in column
      groups one under the other, each group starting with those ``repeat`` columns again, so
      every row keeps its label and no amount is ever folded;
    - otherwise it loses the ``optional`` columns (indexes, the least important first) until it
      fits; as a last resort a long amount folds onto a second line, it is never shortened with
      an ellipsis.

    ``whole`` (indexes): columns of codes with letters kept whole like amounts (an invoice number,
    an ETTN), left-aligned; a cell may hold several lines, each kept whole."""
    header = list(columns)
    cells = [[("" if v is None else str(v)) for v in row] + [""] * (len(header) - len(row)) for row in rows]
    width = stdout.width

    def kept_whole(keep: Sequence[int]) -> dict[int, int]:
        return {
            n: max([_text_width(w) for w in header[i].split()] + [_text_width(r[i]) for r in cells] + [1])
            for n, i in enumerate(keep)
            if i in whole
        }

    def attempt(keep: Sequence[int], gap: int) -> dict[int, int] | None:
        head = [header[i] for i in keep]
        body = [[r[i] for i in keep] for r in cells]
        return _widths(head, body, _fixed_columns(head, body) | kept_whole(keep), gap, width)

    keep = list(range(len(header)))
    sizes = attempt(keep, 3)
    if sizes is not None:
        _print_table(header, cells, keep, sizes, kept_whole(keep), title=title, compact=False)
        return
    sizes = attempt(keep, 1)
    if sizes is None and 0 < repeat < len(header):
        from pos_tui.core.kernel import column_groups  # here: a wide table only

        groups = column_groups(len(header), repeat, lambda group: attempt(group, 1) is not None)
        for n, group in enumerate(groups):
            if n:
                stdout.print()
            _print_table(
                header,
                cells,
                group,
                attempt(group, 1),
                kept_whole(group),
                title=title if n == 0 else None,
                compact=True,
            )
        return
    drop = list(optional)
    while sizes is None and drop:
        gone = drop.pop(0)
        if gone in keep:
            keep.remove(gone)
        sizes = attempt(keep, 1)
    _print_table(header, cells, keep, sizes, kept_whole(keep), title=title, compact=True)


def _print_table(
    header: Sequence[str],
    cells: Sequence[Sequence[str]],
    keep: Sequence[int],
    sizes: dict[int, int] | None,
    codes: dict[int, int],
    *,
    title: str | None,
    compact: bool,
) -> None:
    """Print the columns ``keep`` of the table at the widths ``sizes`` (None: Rich shares the width)."""
    from rich import box
    from rich.table import Table

    if compact:
        t = Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, header_style="bold", padding=(0, 0))
    else:
        t = Table(title=title, show_edge=False, header_style="bold")
    fixed = _fixed_columns([header[i] for i in keep], [[r[i] for i in keep] for r in cells])
    for n, i in enumerate(keep):
        size = None if sizes is None else sizes[n]
        if n in codes:
            t.add_column(header[i], width=size or codes[n], overflow="fold")
        elif n in fixed:
            t.add_column(header[i], width=size or fixed[n], overflow="fold", justify="right")
        else:
            t.add_column(header[i], width=size, overflow="fold")
    for row in cells:
        t.add_row(*(row[i] for i in keep))
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
