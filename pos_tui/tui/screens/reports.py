"""The report screen (F12 → Reports): every report of :data:`pos_tui.core.reports.CATALOGUE` for a
period, as a table and a chart, sorted, filtered and exported by keyboard (docs/reports.md "The
report screen in the till").

The list of reports by group on the left; the table of the chosen one with its totals row; its
headline figures (as many whole ones as two lines hold; F10 shows them all with the notes); its
chart beside the table on a terminal of :data:`WIDE` columns or more, under it at 80×24, as many
lines as the table leaves. Under :data:`ROOMY` columns the list is folded away while a report is
shown, also the first one (so its figures, not the list, have the width); F2 brings it back.
F4 steps through the named periods, F5 types a
first and last day, F6 changes the report's own option (period over period: against the period
before or last year; a report without one says so), F7 sorts by the column the cursor is in,
F3 (or ``/``, Ctrl+F) filters the
rows by a typed text, F8 counts only one terminal's or one store's documents (the CLI's
``--terminal``/``--store``; it stays through other reports and periods, the title line says it, the
export carries it, and a report it does not apply to says so on the message line), F9 writes the
report to a file. Esc clears the text filter first, then goes back to the sale.

Reports are made in a worker (:class:`~pos_tui.tui.calls.CoreCall`), so the screen paints at once
and a failure lands on its message line. Seeing reports needs the ``reports`` permission; without
it a supervisor's PIN opens the screen, and the approval is journalled (:func:`open_reports`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from pos_tui.core import reports
from pos_tui.core.kernel import Override, PosError, require, shop_day
from pos_tui.i18n import N_, _, ngettext
from pos_tui.tui.base import pos_app
from pos_tui.tui.calls import CoreCall
from pos_tui.tui.dialogs.report_scope import Scope
from pos_tui.tui.keymap import DEFAULT_KEYS, bind
from pos_tui.tui.screens.base import PosScreen
from pos_tui.tui.widgets.keybar import KeyBar
from pos_tui.tui.widgets.report_chart import ReportChart, chart_height, chart_plan
from pos_tui.tui.widgets.report_table import ReportTable, Sort, empty_hours, next_sort
from pos_tui.tui.widgets.status import StatusLine

if TYPE_CHECKING:
    from pos_tui.core.reports import Period, Report

PERMISSION = "reports"
DEFAULT_REPORT = "sales-by-day"
DEFAULT_PERIOD = "today"
WIDE = 120  # columns from which the chart stands beside the table
ROOMY = 160  # columns from which the list stays beside the table once a report is chosen
CHART_WIDTH = 40  # beside the table: bars and columns

PERIOD_LABELS: dict[str, str] = {
    "today": N_("Today"),
    "yesterday": N_("Yesterday"),
    "week": N_("This week"),
    "last-week": N_("Last week"),
    "month": N_("This month"),
    "last-month": N_("Last month"),
    "year": N_("This year"),
    "last-year": N_("Last year"),
}
"""The picker's words for :data:`pos_tui.core.reports.PERIODS` (same names, same order)."""

CHOICE_LABELS: dict[tuple[str, str], str] = {
    ("against", "previous"): N_("against the period before"),
    ("against", "last-year"): N_("against the same days last year"),
}
"""The screen's words for the reports' own options' choices (the CLI's stay as they are)."""


def period_label(name: str | None, period: Period) -> str:
    """``Today (06.12.2026)``, ``This week (30.11.2026–06.12.2026)``; a typed period alone."""
    if name is None:
        return period.label()
    return f"{_(PERIOD_LABELS[name])} ({period.label()})"


def option_text(key: str, value: str) -> str:
    """A report's own option the way the shop says it: ``against the same days last year``,
    ``8 weeks``; an option the screen has no words for: ``key: value``, as typed."""
    if (key, value) in CHOICE_LABELS:
        return _(CHOICE_LABELS[(key, value)])
    if key == "weeks" and value.strip().isdigit():
        n = int(value)
        return ngettext("{n} week", "{n} weeks", n).format(n=n)
    return f"{key}: {value}"


SEPARATOR = "  ·  "


def summary_lines(pairs: list[tuple[str, str]], width: int, *, lines: int = 2, more: Any = None) -> tuple[Text, int]:
    """The headline figures ``(label, value)`` in ``lines`` lines of ``width`` cells: whole
    ``label: value`` pairs in the report's order (a figure is never cut from its value), as many as
    fit with, when some do not, ``more(n)`` after them; and how many were left out."""
    from rich.cells import cell_len

    sizes = [cell_len(f"{label}: {value}") for label, value in pairs]
    gap = cell_len(SEPARATOR)

    def wrap(count: int) -> list[list[int]] | None:
        rows: list[list[int]] = [[]]
        used = 0
        for n in range(count):
            if rows[-1] and used + gap + sizes[n] <= width:
                rows[-1].append(n)
                used += gap + sizes[n]
            elif not rows[-1] and sizes[n] <= width:
                rows[-1].append(n)
                used = sizes[n]
            elif sizes[n] <= width:
                rows.append([n])
                used = sizes[n]
            else:
                return None
        if count < len(pairs) and more is not None:
            tail = cell_len(more(len(pairs) - count))
            if rows[-1] and used + gap + tail > width:
                rows.append([])
        return rows if len(rows) <= lines else None

    count = len(pairs)
    rows = wrap(count)
    while rows is None and count > 0:
        count -= 1
        rows = wrap(count)
    rows = rows or [[]]
    left = len(pairs) - count
    text = Text(no_wrap=True, overflow="ellipsis")
    for r, row in enumerate(rows):
        if r:
            text.append("\n")
        for m, n in enumerate(row):
            if m:
                text.append(SEPARATOR, style="dim")
            text.append(f"{pairs[n][0]}: ")
            text.append(pairs[n][1], style="bold")
    if left and more is not None:
        if rows[-1]:
            text.append(SEPARATOR, style="dim")
        text.append(more(left), style="dim")
    return text, left


@dataclass
class ReportMade(Message, bubble=False):
    """A report was made in the worker; ``ticket`` tells the latest ask from an older one."""

    ticket: int
    report: Any


@dataclass
class ReportState:
    """What the screen shows: which report, for which period, terminal or store, with which options."""

    name: str = DEFAULT_REPORT
    period_name: str | None = DEFAULT_PERIOD
    period: Period | None = None
    options: dict[str, dict[str, str]] = field(default_factory=dict)
    scope: Scope = field(default_factory=Scope)


def open_reports(screen: PosScreen) -> None:
    """F12 → Reports: the screen, at once for a user with the ``reports`` permission, else after a
    supervisor's PIN (the approval is journalled as an ``override`` of action ``reports``)."""
    session = screen.session
    actor = session.require_actor()

    def check(override: Override | None) -> Override | None:
        used = require(actor, PERMISSION, override)
        if used is not None:
            from pos_tui.core import staff

            staff.record_override(actor, used, PERMISSION, terminal=session.terminal, now=session.now())
        return used

    def permitted(_used: Override | None) -> None:
        screen.app.push_screen(ReportsScreen())

    pos_app(screen).with_override(check, permitted, screen.failed)


class ReportsScreen(PosScreen):
    """F12 → Reports (module docstring)."""

    DEFAULT_CSS = """
    ReportsScreen #report-head { height: auto; max-height: 2; padding: 0 1; }
    ReportsScreen #report-title { width: 1fr; text-style: bold; color: $accent; }
    ReportsScreen #report-summary { height: auto; max-height: 2; padding: 0 1; text-wrap: nowrap; }
    ReportsScreen #report-main { height: 1fr; }
    ReportsScreen #report-list {
        width: 36; height: 1fr; border: none; border-right: vkey $panel; padding: 0; scrollbar-size-vertical: 1;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    ReportsScreen.wide #report-list { width: 30; }
    ReportsScreen #report-list:focus { border-right: vkey $accent; }
    ReportsScreen #report-body { width: 1fr; height: 1fr; }
    ReportsScreen #report-filter { height: 1; border: none; padding: 0 1; display: none; }
    ReportsScreen #report-filter.shown { display: block; }
    ReportsScreen #report-view { height: 1fr; layout: vertical; }
    ReportsScreen #report-table { height: 1fr; }
    ReportsScreen #report-chart { height: 7; }
    ReportsScreen.wide #report-view { layout: horizontal; }
    ReportsScreen.wide #report-table { width: 1fr; height: 1fr; }
    ReportsScreen.wide #report-chart { height: 1fr; border-left: vkey $panel; }
    ReportsScreen.wide.chart-under #report-view { layout: vertical; }
    ReportsScreen.wide.chart-under #report-table { height: 1fr; width: 1fr; }
    ReportsScreen.wide.chart-under #report-chart { border-left: none; }
    ReportsScreen.chosen #report-list { display: none; }
    ReportsScreen.roomy #report-list { display: block; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        bind("app.back", "back", N_("Back"), N_("Clear the filter, or back to the sale")),
        bind("reports.list", "list", N_("Reports"), N_("The list of reports")),
        bind("reports.filter", "filter", N_("Filter"), N_("Show only the rows with a typed text")),
        bind("reports.period", "next_period", N_("Period"), N_("Today, yesterday, this week… in turn")),
        bind("reports.dates", "dates", N_("Dates"), N_("Type the first and last day")),
        bind("reports.option", "option", N_("Option"), N_("The report's own option, such as what it compares with")),
        # the same key on a report without an option (F6 is not in the key bar then): says so
        Binding(DEFAULT_KEYS["reports.option"], "no_option", show=False, id="reports.option"),
        bind("reports.sort", "sort", N_("Sort"), N_("Sort by the column the cursor is in")),
        bind(
            "reports.scope",
            "scope",
            N_("Terminal/Store"),
            N_("Count only one terminal's or one store's documents, or all again"),
        ),
        bind("reports.export", "export", N_("Export"), N_("Write the report to an XLSX, PDF, CSV or JSON file")),
        bind(
            "reports.details", "details", N_("Summary"), N_("Every headline figure and note of the report, in a window")
        ),
    ]

    def __init__(self, name: str = DEFAULT_REPORT) -> None:
        super().__init__()
        self.state = ReportState(name=name)
        self.report: Report | None = None
        self.made: Report | None = None
        self.sort: Sort | None = None
        self.needle = ""
        self.ticket = 0
        self.title_text = ""

    # -- layout --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        with Horizontal(id="report-head"):
            yield Label("", id="report-title")
        yield Static("", id="report-summary")
        with Horizontal(id="report-main"):
            yield OptionList(*self.list_options(), id="report-list")
            with Vertical(id="report-body"):
                yield Input(id="report-filter", placeholder=_("Filter: a part of any cell · Enter: keep · Esc: clear"))
                with Container(id="report-view"):
                    yield ReportTable(id="report-table")
                    yield ReportChart(self.language, id="report-chart")
        yield Static("", id="message")
        yield KeyBar()

    def list_options(self) -> list[Option]:
        """The reports under their groups' names (the names cannot be chosen)."""
        options: list[Option] = []
        for group, title in reports.GROUPS.items():
            options.append(Option(Text(_(title), style="bold"), id=f"group:{group}", disabled=True))
            options.extend(
                Option(Text(f" {_(e.title)}", no_wrap=True, overflow="ellipsis"), id=e.name)
                for e in reports.CATALOGUE
                if e.group == group
            )
        return options

    def on_mount(self) -> None:
        self.lay_out(self.app.size.width)
        listing = self.query_one("#report-list", OptionList)
        listing.highlighted = listing.get_option_index(self.state.name)
        # the first report has the width (its net at 80 columns); the list is a key away (F2)
        self.add_class("chosen")
        if self.app.size.width >= ROOMY:
            listing.focus()
        else:
            self.query_one(ReportTable).focus()
        self.set_period(DEFAULT_PERIOD)

    def on_resize(self) -> None:
        self.lay_out(self.size.width)
        self.show_summary()

    def lay_out(self, width: int) -> None:
        """Chart beside the table from :data:`WIDE` columns, under it below that (as many lines as
        the table leaves it, :func:`chart_height`). Under the table at any width: the heat map (its
        24 hours want the width, and the table its hours with sales) and a chart of one line. The
        list beside the table from :data:`ROOMY` columns, else only while it is chosen from (F2)."""
        wide = width >= WIDE
        plan = chart_plan(self.report)
        heat = self.report is not None and self.report.chart is not None and self.report.chart.kind == "heatmap"
        under = plan == "line" or heat
        self.set_class(wide, "wide")
        self.set_class(not wide, "narrow")
        self.set_class(width >= ROOMY, "roomy")
        self.set_class(under, "chart-under")
        chart = self.query_one(ReportChart)
        if wide and not under:
            chart.styles.width = CHART_WIDTH
            chart.styles.height = "1fr"
        else:
            chart.styles.width = "1fr"
            chart.styles.height = self.chart_lines()
        chart.display = plan != "none"

    def chart_lines(self) -> int:
        """The chart's lines under the table: what the table does not need of the view (its
        header, rows, totals and scroll bar), between the chart's least and most."""
        report = self.report
        view = self.query_one("#report-view").size.height
        if report is None or view <= 0:
            return chart_height(report, narrow=True)
        table = 1 + len(report.rows) + int(report.totals is not None) + 1
        width = max(self.query_one("#report-view").size.width - 2, 20)
        lines = chart_height(report, narrow=True, room=view - table, width=width)
        if chart_plan(report) == "chart":
            lines = min(lines, max(view - 5, 1))
        return lines

    # -- making the report ---------------------------------------------------------------------

    def today(self) -> Any:
        return shop_day(self.session.now(), self.session.tz)

    def set_period(self, name: str) -> None:
        self.state.period_name = name
        self.state.period = reports.named_period(name, self.today())
        self.make()

    def make(self) -> None:
        """Make the report of :attr:`state` in a worker; the newest ask wins."""
        state = self.state
        assert state.period is not None
        self.ticket += 1
        ticket = self.ticket
        session = self.session
        query = reports.ReportQuery(
            period=state.period,
            tz=session.tz,
            now=session.now(),
            terminal=state.scope.terminal,
            store=state.scope.store,
            options=dict(state.options.get(state.name, {})),
        )
        name = state.name
        self.show_head()
        self.show_note(_("Making the report…"))

        def run(_override: Override | None) -> ReportMade:
            return ReportMade(ticket, reports.run_report(name, query))

        pos_app(self).call_core(
            CoreCall(
                run=run,
                reply=lambda made: made,
                target=self,
                description=_("Making the report"),
                group="reports",
                overridable=False,  # the screen's permission was checked when it opened
            )
        )

    @on(ReportMade)
    def _made(self, event: ReportMade) -> None:
        if event.ticket != self.ticket:
            return  # an older ask answered late: the newer one is on its way
        if self.report is None or self.report.name != event.report.name:
            self.sort = None  # another report: its own order (another period keeps the sort)
        self.made = event.report  # whole, for the export (JSON keeps the columns for scripts)
        self.report = event.report.for_people()  # what the screen shows
        self.show_report()
        self.refresh_bindings()

    def failed(self, error: PosError) -> None:
        """The report could not be made: nothing of the one before stays under the new title."""
        self.report = self.made = None
        self.query_one(ReportTable).clear(columns=True)
        self.query_one("#report-summary", Static).update("")
        self.query_one(ReportChart).show(None)
        self.lay_out(self.size.width)
        self.refresh_bindings()
        super().failed(error)

    def has_option(self) -> bool:
        return any(o.choices for o in reports.report_entry(self.state.name).options)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """F6 only for a report with an option of its own (else its hidden twin says there is
        none), F7, F9 and F10 once there is a report."""
        if action == "option":
            return self.has_option()
        if action == "no_option":
            return not self.has_option()
        if action in ("sort", "export", "details"):
            return self.report is not None
        return True

    def show_head(self) -> None:
        state = self.state
        assert state.period is not None
        entry = reports.report_entry(state.name)
        parts = [_(entry.title), period_label(state.period_name, state.period)]
        if state.scope.label():
            parts.append(state.scope.label())
        options = {o.key: o.default for o in entry.options} | state.options.get(state.name, {})
        parts.extend(option_text(k, v) for k, v in options.items())
        self.title_text = " · ".join(parts)
        self.query_one("#report-title", Label).update(self.title_text)

    def show_report(self) -> None:
        report = self.report
        if report is None:
            return
        self.fill_table()
        self.show_summary()
        self.query_one(ReportChart).show(report)
        self.lay_out(self.size.width)
        self.call_after_refresh(self.lay_out, self.size.width)  # the view's height is known then
        self.show_notes()

    def figures(self, report: Report) -> list[tuple[str, str]]:
        return [(f.label, reports.format_cell(f.value, f.kind, self.language)) for f in report.summary]

    def show_summary(self) -> None:
        """As many whole headline figures as two lines hold, and how many more F10 shows."""
        summary = self.query_one("#report-summary", Static)
        if self.report is None:
            summary.update("")
            return
        key = pos_app(self).key_label("reports.details")
        width = (self.size.width or self.app.size.width) - 2

        def more(n: int) -> str:
            return ngettext("… and {n} more: {key}", "… and {n} more: {key}", n).format(n=n, key=key)

        text, _left = summary_lines(self.figures(self.report), width, more=more)
        summary.update(text)

    def summary_text(self, report: Report) -> Text:
        """Every headline figure, for tests and the summary window."""
        return summary_lines(self.figures(report), 10**6, lines=1)[0]

    def action_details(self) -> None:
        """F10: every headline figure and note of the report, in a window that scrolls."""
        report = self.report
        if report is None:
            return
        from rich.console import Group
        from rich.table import Table

        from pos_tui.tui.dialogs.views import ReportDialog

        grid = Table.grid(padding=(0, 2))
        grid.add_column()
        grid.add_column(justify="right", style="bold")
        for label, value in self.figures(report):
            grid.add_row(label, value)
        parts: list[Any] = [grid]
        if report.notes:
            parts.append(Text(""))
            parts.extend(Text(note) for note in report.notes)
        self.app.push_screen(ReportDialog(self.title_text, Group(*parts), wide=True))

    def fill_table(self) -> None:
        if self.report is not None:
            self.query_one(ReportTable).show(self.report, self.language, sort=self.sort, needle=self.needle)

    def show_notes(self) -> None:
        """The text filter's count, else the report's notes (after "nothing in this period" when it
        has no rows: a note that the terminal or store filter does not apply stays visible), else
        nothing (errors go there too)."""
        report = self.report
        if report is None:
            return
        table = self.query_one(ReportTable)
        if self.needle.strip():
            self.show_note(
                _("{shown} of {total} rows contain {text}; the totals row is of all rows").format(
                    shown=len(table.shown), total=len(report.rows), text=repr(self.needle.strip())
                )
            )
            return
        notes = list(report.notes)
        if not report.rows:
            nothing = _("Nothing in this period")
            if self.state.scope.label():
                nothing = _("Nothing in this period ({filter})").format(filter=self.state.scope.label())
            notes.insert(0, nothing)
        hidden = empty_hours(report)
        if hidden:
            notes.insert(
                0,
                ngettext(
                    "The table leaves out {n} hour without sales; the export has every hour",
                    "The table leaves out {n} hours without sales; the export has every hour",
                    len(hidden),
                ).format(n=len(hidden)),
            )
        if not notes and not self.query_one("#report-list").display:
            notes.append(_("{key}: the list of reports").format(key=pos_app(self).key_label("reports.list")))
        self.show_note(" · ".join(notes))

    # -- the list ------------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#report-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        name = event.option.id
        if name is None or name.startswith("group:"):
            return
        self.state.name = name
        self.needle = ""
        self._hide_filter()
        self.refresh_bindings()
        self.add_class("chosen")
        self.query_one(ReportTable).focus()
        self.make()

    @on(OptionList.OptionHighlighted, "#report-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        name = event.option.id
        if name and not name.startswith("group:") and self.report is not None:
            entry = reports.report_entry(name)
            self.show_note(f"{_(entry.title)}: {_(entry.description)}")

    def action_list(self) -> None:
        self.remove_class("chosen")
        listing = self.query_one("#report-list", OptionList)
        listing.highlighted = listing.get_option_index(self.state.name)
        listing.focus()

    # -- period and options --------------------------------------------------------------------

    def action_next_period(self) -> None:
        names = reports.PERIODS
        current = self.state.period_name
        self.set_period(names[(names.index(current) + 1) % len(names)] if current in names else names[0])

    def action_dates(self) -> None:
        from pos_tui.tui.dialogs.report_period import ReportPeriodDialog

        assert self.state.period is not None

        def typed(period: Period | None) -> None:
            if period is not None:
                self.state.period_name = None
                self.state.period = period
                self.make()

        self.app.push_screen(ReportPeriodDialog(self.state.period), typed)

    def action_no_option(self) -> None:
        """F6 on a report without an option of its own: the key bar has no F6 then; say why."""
        self.show_note(
            _("{title} has no option of its own").format(title=_(reports.report_entry(self.state.name).title))
        )

    def action_option(self) -> None:
        entry = reports.report_entry(self.state.name)
        options = [o for o in entry.options if o.choices]
        if not options:
            return  # the key is hidden then (check_action)
        chosen = self.state.options.setdefault(entry.name, {})
        if len(options) == 1:
            self._next_choice(options[0], chosen)
            return
        from pos_tui.tui.dialogs.prompts import ChoiceDialog

        def picked(key: str | None) -> None:
            option = next((o for o in options if o.key == key), None)
            if option is not None:
                self._next_choice(option, chosen)

        self.app.push_screen(
            ChoiceDialog(
                _("Options of {title}").format(title=_(entry.title)),
                [(o.key, option_text(o.key, chosen.get(o.key, o.default))) for o in options],
            ),
            picked,
        )

    def _next_choice(self, option: Any, chosen: dict[str, str]) -> None:
        current = chosen.get(option.key, option.default)
        choices = list(option.choices)
        chosen[option.key] = choices[(choices.index(current) + 1) % len(choices)] if current in choices else choices[0]
        self.make()

    def action_scope(self) -> None:
        from pos_tui.tui.dialogs.report_scope import ReportScopeDialog

        def chosen(scope: Scope | None) -> None:
            if scope is not None and scope != self.state.scope:
                self.state.scope = scope
                self.make()

        self.app.push_screen(ReportScopeDialog(self.state.scope), chosen)

    # -- sort and filter -----------------------------------------------------------------------

    def action_sort(self) -> None:
        if self.report is None or not self.report.columns:
            return
        table = self.query_one(ReportTable)
        column = min(table.report_column(table.cursor_column), len(self.report.columns) - 1)
        self.sort = next_sort(self.sort, column, self.report.columns[column].kind)
        self.fill_table()
        table.focus()
        label = self.report.columns[column].label
        if self.sort is None:
            self.show_note(_("In the report's own order"))
        else:
            self.show_note(
                (
                    _("Sorted by {column}, largest first")
                    if self.sort.descending
                    else _("Sorted by {column}, smallest first")
                ).format(column=label)
            )

    def action_filter(self) -> None:
        field = self.query_one("#report-filter", Input)
        field.add_class("shown")
        field.focus()

    @on(Input.Changed, "#report-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.needle = event.value
        self.fill_table()
        self.show_notes()

    @on(Input.Submitted, "#report-filter")
    def _filter_kept(self) -> None:
        self.query_one(ReportTable).focus()

    def _hide_filter(self) -> None:
        field = self.query_one("#report-filter", Input)
        field.remove_class("shown")
        if field.value:
            with field.prevent(Input.Changed):
                field.value = ""

    def action_back(self) -> None:
        """Esc: clears the text filter; else folds the list F2 opened (under :data:`ROOMY`
        columns); else back to the sale."""
        field = self.query_one("#report-filter", Input)
        if field.has_class("shown") or self.needle:
            self.needle = ""
            self._hide_filter()
            self.fill_table()
            self.show_notes()
            self.query_one(ReportTable).focus()
            return
        if not self.has_class("chosen") and not self.has_class("roomy"):
            self.add_class("chosen")
            self.query_one(ReportTable).focus()
            self.show_notes()
            return
        self.dismiss(None)

    # -- export --------------------------------------------------------------------------------

    def action_export(self) -> None:
        if self.report is None:
            return  # the key is hidden until there is a report (check_action)
        from pos_tui.tui.dialogs.report_export import ReportExportDialog

        def written(path: Any) -> None:
            if path is None:
                return
            if self.app.is_web:
                self.show_note(_("Written to {path} and sent to the browser as a download").format(path=path))
            else:
                self.show_note(_("Written to {path}").format(path=path))

        self.app.push_screen(ReportExportDialog(self.made or self.report, self.session.settings), written)
