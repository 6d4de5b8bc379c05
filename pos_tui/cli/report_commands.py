"""``pos-admin report NAME`` for every report of the catalogue, ``report list`` and ``report send``
(docs/reports.md "Exports" and "E-mailed reports").

The commands are made from :data:`~pos_tui.core.reports.CATALOGUE` (each one's help is its entry's
description, its options the entry's own ``--against``…) without importing any report module:
``pos-admin report --help`` stays quick; a report's module loads when the report runs.

Output (``--format``): ``table`` (the default) a table for people, the totals row and the summary;
``json`` and ``csv`` the file's bytes on stdout, or in ``--output FILE``; ``xlsx`` and ``pdf`` need
``--output FILE``, or stdout redirected to a file or a pipe (refused on a terminal, where they
would be garbage). ``--output report.xlsx`` alone takes the format from the file's extension.

Exit codes: 0 done, 1 the report or the e-mail failed (an unknown store or terminal, the mail
server), 2 usage (a bad date, period, format, option value or address, no such report).
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from pos_tui.cli.common import _early_language, handle_errors, now, parse_date, state
from pos_tui.cli.output import ExitCode, JsonOption, fail, info, stdout, table
from pos_tui.i18n import _

if TYPE_CHECKING:
    from pos_tui.core.reports import Report, ReportEntry, ReportOption
    from pos_tui.settings import Settings

FORMATS = ("table", "json", "csv", "xlsx", "pdf")
"""``--format``'s choices: ``table`` for people, the others files (:data:`EXPORT_FORMATS`)."""

BINARY = ("xlsx", "pdf")
_PERIOD_HELP = "today, yesterday, week, last-week, month, last-month, year or last-year (instead of --from/--to)."


class ReportGroup(TyperGroup):
    """``pos-admin report``: an unknown report name is refused in the shop's language, naming the
    reports (exit 2)."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            _early_language()
            fail(
                _("No report {name}; the reports are: {names}").format(
                    name=repr(name), names=", ".join(self.list_commands(ctx))
                ),
                ExitCode.USAGE,
            )
        return super().resolve_command(ctx, args)


# --- the options every report takes ---------------------------------------------------------


def _option(name: str, annotation: Any, default: Any = None) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)


def _period_parameters(last_option: str) -> list[inspect.Parameter]:
    return [
        _option(
            "from_",
            Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD or DD.MM.YYYY (default: today).")],
        ),
        _option(
            "to_day",
            Annotated[
                str | None,
                typer.Option(last_option, help="Last day, included (default: today; with --to alone: that day)."),
            ],
        ),
        _option("period", Annotated[str | None, typer.Option("--period", help=_PERIOD_HELP)]),
        _option("terminal", Annotated[str | None, typer.Option("--terminal", help="Only this terminal's documents.")]),
        _option(
            "store",
            Annotated[
                str | None, typer.Option("--store", help="Only the terminals that sell from this store's stock.")
            ],
        ),
    ]


def _own_parameters(options: Sequence[ReportOption], *, strict: bool) -> list[inspect.Parameter]:
    """A report's own options (``--against``); ``strict``: their choices in the help."""
    out = []
    for option in options:
        text = option.help
        if strict and option.choices:
            text += f" One of: {', '.join(option.choices)} (default: {option.default})."
        out.append(
            _option(
                "opt_" + option.key.replace("-", "_"), Annotated[str | None, typer.Option(f"--{option.key}", help=text)]
            )
        )
    return out


def _own_values(options: Sequence[ReportOption], values: dict[str, Any]) -> dict[str, str]:
    return {
        o.key: values["opt_" + o.key.replace("-", "_")]
        for o in options
        if values.get("opt_" + o.key.replace("-", "_")) is not None
    }


def _command(function: Callable[..., None], parameters: list[inspect.Parameter], name: str) -> Callable[..., None]:
    """``function(**values)`` as a command whose options are ``parameters`` (Typer reads the signature)."""

    @functools.wraps(function)
    def command(**values: Any) -> None:
        function(**values)

    command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    command.__name__ = name.replace("-", "_")
    return handle_errors(command)


# --- running a report ---------------------------------------------------------------------


def build(
    name: str,
    *,
    from_: str | None,
    to_day: str | None,
    period: str | None,
    terminal: str | None,
    store: str | None,
    options: dict[str, str],
    last_option: str = "--to",
) -> tuple[Report, Settings]:
    """Report ``name`` for the command line's period, filters and options; usage errors exit 2."""
    from pos_tui.core.kernel import NotFound, ValidationError, local
    from pos_tui.core.reports import (
        PERIODS,
        OptionRejected,
        ReportQuery,
        report_entry,
        resolve_period,
        run_report,
        terminal_on_record,
    )

    entry = report_entry(name)
    for option in entry.options:
        value = options.get(option.key)
        if value is not None and option.choices and value not in option.choices:
            fail(
                _("--{option} of report {name} is one of {choices}, not {value}").format(
                    option=option.key, name=name, choices=", ".join(option.choices), value=repr(value)
                ),
                ExitCode.USAGE,
            )
    known = {o.key for o in entry.options}
    for key in options:
        if key not in known:
            fail(_("Report {name} has no option {option}").format(name=name, option=f"--{key}"), ExitCode.USAGE)
    if period is not None and period not in PERIODS:
        fail(
            _("--period: {value} is not a period; choose one of {choices}").format(
                value=repr(period), choices=", ".join(PERIODS)
            ),
            ExitCode.USAGE,
        )
    first = parse_date(from_, "--from")
    last = parse_date(to_day, last_option)
    settings = state().settings
    tz = settings.shop.timezone
    at: datetime = now()
    try:
        span = resolve_period(period=period, first=first, last=last, today=local(at, tz).date())
    except ValidationError as exc:
        fail(exc.message, ExitCode.USAGE)
    settings = state().open_db()
    if terminal is not None and terminal != settings.terminal_id and not terminal_on_record(terminal):
        raise NotFound(_("No terminal {terminal}: nothing was ever recorded there").format(terminal=terminal))
    query = ReportQuery(span, tz, at, terminal=terminal, store=store, options=options)
    try:
        return run_report(name, query), settings
    except OptionRejected as exc:  # a bad option value is a usage error, as a bad date is
        fail(exc.message, ExitCode.USAGE)


def _format(fmt: str | None, json_: bool, output: Path | None) -> str:
    """The output format: ``--format``, ``--json``, else ``--output``'s extension, else a table."""
    if fmt is not None and fmt not in FORMATS:
        fail(
            _("--format: {value} is not a format; choose one of {choices}").format(
                value=repr(fmt), choices=", ".join(FORMATS)
            ),
            ExitCode.USAGE,
        )
    if json_:
        if fmt not in (None, "json"):
            fail(_("--json and --format {format} exclude each other").format(format=fmt), ExitCode.USAGE)
        fmt = "json"
    if fmt is not None:
        if fmt == "table" and output is not None:
            fail(
                _("A table is for the screen; to write {path} give --format csv, json, xlsx or pdf").format(
                    path=output
                ),
                ExitCode.USAGE,
            )
        named = output.suffix.lower().lstrip(".") if output is not None else ""
        if named in FORMATS[1:] and named != fmt:  # rapor.xlsx holding CSV would not open
            fail(
                _("The file name {path} says {named}, but the format is {format}: make them agree").format(
                    path=output, named=named.upper(), format=fmt.upper()
                ),
                ExitCode.USAGE,
            )
        return fmt
    if output is not None:
        suffix = output.suffix.lower().lstrip(".")
        if suffix not in FORMATS[1:]:
            fail(
                _("Give --format: the file name {path} does not end in .json, .csv, .xlsx or .pdf").format(path=output),
                ExitCode.USAGE,
            )
        return suffix
    return "table"


def output_path(text: str | None) -> Path | None:
    """``--output``: a file to write; a folder (one that exists, or a name ending in ``/``) is refused
    in the shop's language (exit 2), as a file name is needed."""
    if text is None:
        return None
    path = Path(text).expanduser()
    if text.endswith(("/", os.sep)) or path.is_dir():
        fail(_("{path} is a folder; give a file name to write the report to").format(path=text), ExitCode.USAGE)
    return path


def show_table(report: Report, settings: Settings) -> None:
    """The report for people: its table with the totals row, then the summary and the notes."""
    from pos_tui.core.reports import format_cell, title_lines

    report = report.for_people()

    language = settings.language
    kinds = [c.kind for c in report.columns]
    rows: list[list[str]] = [[format_cell(v, k, language) for v, k in zip(r, kinds, strict=True)] for r in report.rows]
    if report.totals is not None:
        totals = [
            format_cell(v, k, language) if v is not None else "" for v, k in zip(report.totals, kinds, strict=True)
        ]
        if report.totals[0] is None:
            totals[0] = _("Total")
        rows.append(totals)
    lines = title_lines(report, settings)
    title = " · ".join(lines[:-1])  # title, period, filters (not when it was made)
    labels = [c.label for c in report.columns]
    table(labels, rows, title=title, repeat=label_columns(report, labels, rows))
    if not report.rows:
        info(_("No rows for this period."))
    if report.summary:
        table([_("Figure"), _("Value")], [(f.label, format_cell(f.value, f.kind, language)) for f in report.summary])
    for note in report.notes:
        stdout.print(note, markup=False, soft_wrap=False)  # wrapped at its words


MEASURES = frozenset({"money", "qty", "points", "int"})
"""The kinds of a report's figures; the columns before the first of them name the row."""


def label_columns(report: Report, labels: Sequence[str], rows: Sequence[Sequence[str]]) -> int:
    """How many leading columns name a row (the weekday; the day and the KDV rate; a product's code
    and name): a table too wide for the terminal repeats them in each of its column groups. The first
    column always; the next ones while they are not figures and take at most half the terminal."""
    from rich.cells import cell_len

    def width(n: int) -> int:
        words = [cell_len(w) for w in labels[n].split()]
        return max([*words, *(cell_len(r[n]) for r in rows), 1]) + 1

    count, used = 1, width(0)
    for n in range(1, len(report.columns)):
        if report.columns[n].kind in MEASURES or used + width(n) > stdout.width // 2:
            break
        count, used = count + 1, used + width(n)
    return count


def on_terminal() -> bool:
    """Whether stdout is a terminal (where an XLSX's or a PDF's bytes would be garbage)."""
    return sys.stdout.isatty()


def emit(report: Report, settings: Settings, fmt: str, output: Path | None, decimal_comma: bool) -> None:
    """Show ``report`` or write it as ``fmt`` (to ``output``, else stdout)."""
    from pos_tui.core.reports import report_bytes, write_report

    if decimal_comma and fmt != "csv":
        fail(_("--decimal-comma is for --format csv only"), ExitCode.USAGE)
    if fmt == "table":
        show_table(report, settings)
        return
    if output is not None:
        path = write_report(report, output, fmt, settings=settings, decimal_comma=decimal_comma)
        info(_("Wrote {path}").format(path=path))
        return
    if fmt in BINARY and on_terminal():
        fail(
            _("{format} is a file, not for the screen: give --output FILE, or redirect the output to a file").format(
                format=fmt.upper()
            ),
            ExitCode.USAGE,
        )
    data = report_bytes(report, fmt, settings=settings, decimal_comma=decimal_comma)
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _report_command(entry: ReportEntry) -> Callable[..., None]:
    def run(**values: Any) -> None:
        output = output_path(values["output"])
        fmt = _format(values["format_"], values["json_"], output)
        report, settings = build(
            entry.name,
            from_=values["from_"],
            to_day=values["to_day"],
            period=values["period"],
            terminal=values["terminal"],
            store=values["store"],
            options=_own_values(entry.options, values),
        )
        emit(report, settings, fmt, output, values["decimal_comma"])

    parameters = [
        *_period_parameters("--to"),
        _option(
            "format_",
            Annotated[str | None, typer.Option("--format", help="table (default), json, csv, xlsx or pdf.")],
        ),
        _option(
            "output",
            Annotated[
                str | None,
                typer.Option(
                    "--output",
                    "-o",
                    help="File to write (its extension gives the format when --format is not given).",
                ),
            ],
        ),
        _option(
            "decimal_comma",
            Annotated[bool, typer.Option("--decimal-comma", help="CSV: a comma before the decimals (1234,50).")],
            False,
        ),
        _option("json_", JsonOption, False),
        *_own_parameters(entry.options, strict=True),
    ]
    return _command(run, parameters, entry.name)


# --- report list and report send ------------------------------------------------------------


def list_reports(json_: JsonOption = False) -> None:
    """Every report: name, group, title, description and its own options."""
    from pos_tui.cli.output import print_json
    from pos_tui.core.reports import CATALOGUE, GROUPS

    state().settings  # noqa: B018 (the shop's language, for the titles)
    if json_:
        print_json(
            [
                {
                    "name": e.name,
                    "group": e.group,
                    "title": _(e.title),
                    "description": _(e.description),
                    "options": [
                        {"key": o.key, "default": o.default, "choices": list(o.choices), "help": o.help}
                        for o in e.options
                    ],
                }
                for e in CATALOGUE
            ]
        )
        return
    head = [_("Report"), _("Group"), _("Title"), _("Options")]
    rows = [(e.name, _(GROUPS[e.group]), _(e.title)) for e in CATALOGUE]
    options = [[f"--{o.key} {'|'.join(o.choices)}".strip() for o in e.options] for e in CATALOGUE]
    # each option on a line, kept whole; its choices on a line of their own when the terminal is too narrow
    natural = sum(max(len(r[n]) for r in [head, *rows]) for n in range(3))
    widest = max(len(line) for lines in options for line in lines or ["-"])
    split = natural + widest + 3 * len(head) - 1 > stdout.width
    table(
        head,
        [
            (*r, "\n".join(o.replace(" ", "\n", 1) if split else o for o in lines) or "-")
            for r, lines in zip(rows, options, strict=True)
        ],
        title=_("Reports (pos-admin report NAME --help)"),
        whole=(0, 3),
    )


def _send_command() -> Callable[..., None]:
    from pos_tui.core.reports import CATALOGUE

    union: dict[str, ReportOption] = {}
    for entry in CATALOGUE:
        for option in entry.options:
            union.setdefault(option.key, option)
    own = list(union.values())

    def run(**values: Any) -> None:
        from pos_tui.cli.output import print_json
        from pos_tui.core.kernel import NotFound, ValidationError
        from pos_tui.core.reports import MAIL_FORMATS, attachment_name, check_addresses, report_entry, send_report

        name: str = values["name"]
        try:
            report_entry(name)
        except NotFound as exc:
            fail(exc.message, ExitCode.USAGE)
        fmt: str = values["format_"]
        if fmt not in MAIL_FORMATS:
            fail(
                _("--format: a report is sent as {choices}, not {format}").format(
                    choices=", ".join(MAIL_FORMATS), format=repr(fmt)
                ),
                ExitCode.USAGE,
            )
        if values["decimal_comma"] and fmt != "csv":
            fail(_("--decimal-comma is for --format csv only"), ExitCode.USAGE)
        try:
            recipients = check_addresses(values["to"] or [])
        except ValidationError as exc:
            fail(exc.message, ExitCode.USAGE)
        report, settings = build(
            name,
            from_=values["from_"],
            to_day=values["to_day"],
            period=values["period"],
            terminal=values["terminal"],
            store=values["store"],
            options=_own_values(own, values),
            last_option="--until",
        )

        smtp = settings.smtp
        mail = send_report(
            report,
            to=recipients,
            settings=settings,
            now=now(),
            password=os.environ.get(smtp.password_env) if smtp.password_env else None,
            fmt=fmt,
            decimal_comma=values["decimal_comma"],
        )
        attachment = attachment_name(report, fmt)
        if values["json_"]:
            print_json(
                {
                    "report": report.name,
                    "from": report.period.first.isoformat(),
                    "to": report.period.last.isoformat(),
                    "recipients": recipients,
                    "subject": str(mail["Subject"]),
                    "attachment": attachment,
                }
            )
        else:
            info(
                _("Sent {title} ({period}) to {recipients}, attached {file}.").format(
                    title=report.title, period=report.period.label(), recipients=", ".join(recipients), file=attachment
                )
            )

    parameters = [
        inspect.Parameter(
            "name",
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            annotation=Annotated[str, typer.Argument(help="The report's name (see: pos-admin report list).")],
        ),
        _option(
            "to",
            Annotated[list[str] | None, typer.Option("--to", help="An address to send it to; repeat for more.")],
        ),
        *_period_parameters("--until"),
        _option("format_", Annotated[str, typer.Option("--format", help="xlsx (default), pdf or csv.")], "xlsx"),
        _option(
            "decimal_comma",
            Annotated[bool, typer.Option("--decimal-comma", help="CSV: a comma before the decimals (1234,50).")],
            False,
        ),
        _option("json_", JsonOption, False),
        *_own_parameters(own, strict=False),
    ]
    return _command(run, parameters, "send")


def register(app: typer.Typer) -> None:
    """Add ``list``, ``send`` and a command per catalogue report to the ``report`` group."""
    from pos_tui.core.reports import CATALOGUE

    app.command("list")(handle_errors(list_reports))
    app.command(
        "send",
        help="E-mail a report through [smtp] in pos.toml, the export attached: "
        "--to owner@example.com --period yesterday (the period's last day is --until, as --to is the address).",
    )(_send_command())
    for entry in CATALOGUE:
        app.command(entry.name, help=entry.description)(_report_command(entry))
