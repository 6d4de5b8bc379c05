"""The report screen (F12 → Reports): every report of :data:`pos_tui.core.reports.CATALOGUE` for a
period, as a table and a chart, sorted, filtered and exported by keyboard (docs/reports.md "The
report screen in the till").

The list of reports by group on the left; the table of the chosen one with its totals row; its
headline figures; its chart beside the table on a terminal of :data:`WIDE` columns or more, under
it at 80×24. The list gives its room to the table once a report is chosen (F2 brings it back),
unless the terminal has :data:`ROOMY` columns. F4 steps through the named periods, F5 types a
first and last day, F6 changes the report's own option (period over period: against the period
before or last year), F7 sorts by the column the cursor is in, F3 (or ``/``, Ctrl+F) filters the
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
from textual.binding import BindingType
from textual.containers import Container, Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from pos_tui.core import reports
from pos_tui.core.kernel import Override, PosError, require, shop_day
from pos_tui.i18n import N_, _
from pos_tui.tui.base import pos_app
from pos_tui.tui.calls import CoreCall
from pos_tui.tui.dialogs.report_scope import Scope
from pos_tui.tui.keymap import bind
from pos_tui.tui.screens.base import PosScreen
from pos_tui.tui.widgets.keybar import KeyBar
from pos_tui.tui.widgets.report_chart import ReportChart, chart_height
from pos_tui.tui.widgets.report_table import ReportTable, Sort, next_sort
from pos_tui.tui.widgets.status import StatusLine

if TYPE_CHECKING:
    from pos_tui.core.reports import Period, Report

PERMISSION = "reports"
DEFAULT_REPORT = "sales-by-day"
DEFAULT_PERIOD = "today"
WIDE = 120  # columns from which the chart stands beside the table
ROOMY = 160  # columns from which the list stays beside the table once a report is chosen
CHART_WIDTH = 40  # beside the table: bars and columns
HEAT_WIDTH = 56  # beside the table: the heat map's 24 hours two characters wide, the weekday and a frame

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

OPTION_LABELS: dict[str, str] = {"against": N_("against")}
CHOICE_LABELS: dict[str, str] = {"previous": N_("the period before"), "last-year": N_("the same days last year")}
"""The screen's words for the reports' own options and their choices (the CLI's stay as they are)."""


def period_label(name: str | None, period: Period) -> str:
    """``Today (06.12.2026)``, ``This week (30.11.2026–06.12.2026)``; a typed period alone."""
    if name is None:
        return period.label()
    return f"{_(PERIOD_LABELS[name])} ({period.label()})"


def option_text(key: str, value: str) -> str:
    """``against: the same days last year`` (an option without words of its own: quoted as typed)."""
    label = _(OPTION_LABELS[key]) if key in OPTION_LABELS else f'"{key}"'
    choice = _(CHOICE_LABELS[value]) if value in CHOICE_LABELS else f'"{value}"'
    return f"{label}: {choice}"


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
    ReportsScreen #report-summary { height: auto; max-height: 2; padding: 0 1; }
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
        bind("reports.sort", "sort", N_("Sort"), N_("Sort by the column the cursor is in")),
        bind(
            "reports.scope",
            "scope",
            N_("Terminal/Store"),
            N_("Count only one terminal's or one store's documents, or all again"),
        ),
        bind("reports.export", "export", N_("Export"), N_("Write the report to an XLSX, PDF, CSV or JSON file")),
    ]

    def __init__(self, name: str = DEFAULT_REPORT) -> None:
        super().__init__()
        self.state = ReportState(name=name)
        self.report: Report | None = None
        self.sort: Sort | None = None
        self.needle = ""
        self.ticket = 0

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
        listing.focus()
        self.set_period(DEFAULT_PERIOD)

    def on_resize(self) -> None:
        self.lay_out(self.size.width)

    def lay_out(self, width: int) -> None:
        """Chart beside the table from :data:`WIDE` columns, under it below that; the list beside the
        table from :data:`ROOMY` columns, else only until a report is chosen (F2 brings it back)."""
        wide = width >= WIDE
        self.set_class(wide, "wide")
        self.set_class(not wide, "narrow")
        self.set_class(width >= ROOMY, "roomy")
        chart = self.query_one(ReportChart)
        if wide:
            heat = self.report is not None and self.report.chart is not None and self.report.chart.kind == "heatmap"
            chart.styles.width = HEAT_WIDTH if heat else CHART_WIDTH
            chart.styles.height = "1fr"
        else:
            chart.styles.width = "1fr"
            chart.styles.height = chart_height(self.report, narrow=True)
        chart.display = self.report is not None and self.report.chart is not None and bool(self.report.rows)

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
        self.report = event.report
        self.show_report()
        self.refresh_bindings()

    def failed(self, error: PosError) -> None:
        """The report could not be made: nothing of the one before stays under the new title."""
        self.report = None
        self.query_one(ReportTable).clear(columns=True)
        self.query_one("#report-summary", Static).update("")
        self.query_one(ReportChart).show(None)
        self.lay_out(self.size.width)
        self.refresh_bindings()
        super().failed(error)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """F6 only for a report with an option of its own, F7 and F9 once there is a report."""
        if action == "option":
            return any(o.choices for o in reports.report_entry(self.state.name).options)
        if action in ("sort", "export"):
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
        self.query_one("#report-title", Label).update(" · ".join(parts))

    def show_report(self) -> None:
        report = self.report
        if report is None:
            return
        self.fill_table()
        self.query_one("#report-summary", Static).update(self.summary_text(report))
        self.query_one(ReportChart).show(report)
        self.lay_out(self.size.width)
        self.show_notes()

    def summary_text(self, report: Report) -> Text:
        text = Text()  # a second line when the figures need it (the CSS keeps it to two)
        for n, figure in enumerate(report.summary):
            if n:
                text.append("  ·  ", style="dim")
            text.append(f"{figure.label}: ")
            text.append(reports.format_cell(figure.value, figure.kind, self.language), style="bold")
        return text

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
        column = min(table.cursor_column, len(self.report.columns) - 1)
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
        field = self.query_one("#report-filter", Input)
        if field.has_class("shown") or self.needle:
            self.needle = ""
            self._hide_filter()
            self.fill_table()
            self.show_notes()
            self.query_one(ReportTable).focus()
            return
        self.dismiss(None)

    # -- export --------------------------------------------------------------------------------

    def action_export(self) -> None:
        if self.report is None:
            return  # the key is hidden until there is a report (check_action)
        from pos_tui.tui.dialogs.report_export import ReportExportDialog

        def written(path: Any) -> None:
            if path is not None:
                self.show_note(_("Written to {path}").format(path=path))

        self.app.push_screen(ReportExportDialog(self.report, self.session.settings), written)
