"""Every report by name: what it is called on the command line (``pos-admin report NAME``), in the
till's list, in its JSON's ``report`` field, and the module that makes it.

:data:`CATALOGUE` declares each report's public face (name, group, title, description, its own
options) without importing it, so lists and ``--help`` stay cheap. Each report is a module of this
package named after it (``sales-by-day`` → ``sales_by_day.py``) that defines::

    def build(query: ReportQuery) -> Report: ...

``build`` is a pure function of the store and the query: it reads, never writes, and takes its
time from ``query.now``; ``query.options`` holds every option of its entry (defaults filled in).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from pos_tui.core.kernel.errors import NotFound, ValidationError
from pos_tui.core.reports.common import ReportQuery
from pos_tui.core.reports.model import Report
from pos_tui.i18n import N_, _

GROUPS: dict[str, str] = {
    "sales": N_("Sales"),
    "margin": N_("Margin"),
    "stock": N_("Stock"),
    "accounts": N_("Accounts"),
    "tax": N_("Taxes"),
    "loyalty": N_("Loyalty"),
}
"""The groups of the till's report list, in its order (``N_`` texts: translate when shown)."""


class OptionRejected(ValidationError):
    """A report's option value it does not take (``--against yesterday``, ``--weeks 0``): the
    caller's mistake, which the CLI reports as a usage error (exit 2), not a failed report."""


@dataclass(frozen=True, slots=True)
class ReportOption:
    """A report's own option: ``--against previous|last-year``. ``key`` is the CLI option without its
    dashes and the key in :attr:`ReportQuery.options`; ``choices`` empty means free text (``--days 90``:
    the report checks it)."""

    key: str
    help: str  # English, for the CLI's help (like every other option's)
    default: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReportEntry:
    """A report as the lists, the CLI's help and the exports know it, without importing it:
    ``title`` and ``description`` are ``N_`` texts (translate when shown)."""

    name: str
    group: str
    title: str
    description: str
    options: tuple[ReportOption, ...] = ()


_AGAINST = ReportOption(
    "against",
    "previous: the period just before (as many days; a whole month or year: the one before); "
    "last-year: the same days a year earlier.",
    "previous",
    ("previous", "last-year"),
)


def _entry(name: str, group: str, title: str, description: str, *options: ReportOption) -> ReportEntry:
    return ReportEntry(name, group, title, description, options)


# fmt: off
CATALOGUE: tuple[ReportEntry, ...] = (
    _entry("sales-by-day", "sales", N_("Sales by day"),
           N_("Each day's receipts, returns, discounts and net sales, with KDV.")),
    _entry("sales-heatmap", "sales", N_("Sales by hour and weekday"),
           N_("Net sales by hour of the day and weekday.")),
    _entry("sales-by-cashier", "sales", N_("Sales by cashier"),
           N_("Net sales, receipts and average basket per cashier.")),
    _entry("sales-by-terminal", "sales", N_("Sales by terminal"),
           N_("Net sales, receipts and average basket per terminal.")),
    _entry("sales-by-payment", "sales", N_("Sales by payment method"),
           N_("What each payment method took, net of refunds.")),
    _entry("sales-by-category", "sales", N_("Sales by category"), N_("Net sales and quantity per category.")),
    _entry("sales-by-product", "sales", N_("Sales by product"), N_("Net sales and quantity per product.")),
    _entry("sales-compare", "sales", N_("Period over period"),
           N_("This period against the one before or the same days last year."), _AGAINST),
    _entry("returns", "sales", N_("Returns and voids"),
           N_("Returns and cancelled sales: how many, how much, by whom.")),
    _entry("discounts", "sales", N_("Discounts"), N_("Discounts given, of which kind, and by whom.")),
    _entry("basket", "sales", N_("Average basket"), N_("Average basket per day: amount and lines.")),
    _entry("margin-by-product", "margin", N_("Margin by product"),
           N_("Net sales, cost at average cost and margin per product.")),
    _entry("margin-by-category", "margin", N_("Margin by category"),
           N_("Net sales, cost at average cost and margin per category.")),
    _entry("margin-by-supplier", "margin", N_("Margin by supplier"),
           N_("Net sales, cost at average cost and margin per supplier.")),
    _entry("abc", "margin", N_("ABC analysis"),
           N_("The products that make 80 % (A), the next 15 % (B) and the rest (C) of revenue.")),
    _entry("stock-value", "stock", N_("Stock value"),
           N_("Stock on hand and its value at average cost, at the period's end.")),
    _entry("stock-low", "stock", N_("Low stock and reorder list"),
           N_("Products under their minimum stock, and how much to order.")),
    _entry("stock-idle", "stock", N_("Idle stock"), N_("Products in stock that did not sell in the period.")),
    _entry("count-variances", "stock", N_("Count variances"),
           N_("Stock counts' differences, in quantity and value.")),
    _entry("shrinkage", "stock", N_("Shrinkage"),
           N_("Stock lost to waste, damage, loss and count differences, in value.")),
    _entry("receivables-aging", "accounts", N_("Receivables aging"),
           N_("What customers owe, by how long it is overdue.")),
    _entry("payables-aging", "accounts", N_("Payables aging"),
           N_("What the shop owes suppliers, by how long it is overdue.")),
    _entry("collections-forecast", "accounts", N_("Collections forecast"),
           N_("What is due to come in and go out, week by week."),
           ReportOption("weeks", "How many weeks ahead of the period's first day (1 to 52).", "8")),
    _entry("kdv", "tax", N_("KDV by rate"),
           N_("KDV by rate per day, invoices (e-Fatura, e-Arşiv) apart from receipts.")),
    _entry("loyalty-kpis", "loyalty", N_("Loyalty figures"), N_("The loyalty program's key figures.")),
    _entry("loyalty-members", "loyalty", N_("Members and non-members"),
           N_("Members' against others' receipts and sales, day by day.")),
    _entry("points-liability", "loyalty", N_("Points liability"),
           N_("Outstanding points and what they are worth, day by day.")),
)
# fmt: on
"""Every report, in the lists' order. A name, an option's key and its choices are a contract:
scripts call them."""


@dataclass(frozen=True, slots=True)
class ReportSpec:
    """A catalogue entry with its ``build`` (its module imported)."""

    entry: ReportEntry
    build: Callable[[ReportQuery], Report]


def module_of(name: str) -> str:
    return f"pos_tui.core.reports.{name.replace('-', '_')}"


def report_names() -> tuple[str, ...]:
    return tuple(e.name for e in CATALOGUE)


def report_entry(name: str) -> ReportEntry:
    """The catalogue entry ``name``, or a clear refusal naming the reports."""
    for e in CATALOGUE:
        if e.name == name:
            return e
    raise NotFound(
        _("No report {name}; the reports are: {names}").format(name=repr(name), names=", ".join(report_names()))
    )


def report_spec(name: str) -> ReportSpec:
    """Report ``name`` with its ``build`` (its module is imported now)."""
    entry = report_entry(name)
    return ReportSpec(entry, importlib.import_module(module_of(name)).build)


def run_report(name: str, query: ReportQuery) -> Report:
    """Report ``name`` for ``query``, its options checked (:class:`OptionRejected`) and completed with their
    defaults."""
    spec = report_spec(name)
    known = {o.key: o for o in spec.entry.options}
    unknown = sorted(set(query.options) - set(known))
    if unknown:
        raise OptionRejected(
            _("Report {name} has no option {option}").format(name=name, option=", ".join(f"--{k}" for k in unknown))
        )
    options = {o.key: o.default for o in spec.entry.options}
    for key, value in query.options.items():
        choices = known[key].choices
        if choices and value not in choices:
            raise OptionRejected(
                _("--{option} of report {name} is one of {choices}, not {value}").format(
                    option=key, name=name, choices=", ".join(choices), value=repr(value)
                )
            )
        options[key] = value
    return spec.build(replace(query, options=options))


def new_report(name: str, query: ReportQuery, **parts: Any) -> Report:
    """The :class:`Report` of catalogue entry ``name`` for ``query``: its translated title, the
    query's period, filters and time, and ``parts`` (``columns``, ``rows``, ``totals``, ``summary``,
    ``chart``, ``notes``). Every report module's ``build`` ends with it."""
    entry = report_entry(name)
    return Report(
        name=name,
        title=_(entry.title),
        period=query.period,
        generated_at=query.now,
        filters=query.filters(),
        **parts,
    )
