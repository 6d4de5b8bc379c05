"""Every report by name: what it is called on the command line (``pos-admin report NAME``), in the
till's list, in its JSON's ``report`` field, and the module that makes it.

Each report is a module of this package named after it (``sales-by-day`` → ``sales_by_day.py``)
that defines::

    TITLE = N_("Sales by day")            # the list's and the export's title
    DESCRIPTION = N_("…")                 # one line: what it answers (the CLI's help)
    OPTIONS: tuple[ReportOption, ...] = ()  # its own options, beyond period, terminal and store
    def build(query: ReportQuery) -> Report: ...

``build`` is a pure function of the store and the query: it reads, never writes, and takes its
time from ``query.now``. The order of :data:`CATALOGUE` is the order of the lists.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from pos_tui.core.kernel.errors import NotFound, ValidationError
from pos_tui.core.reports.common import ReportQuery
from pos_tui.core.reports.model import Report
from pos_tui.i18n import N_, _

GROUPS: dict[str, str] = {
    "sales": N_("Sales"),
    "margin": N_("Margin"),
    "stock": N_("Stock"),
    "accounts": N_("Accounts"),
    "tax": N_("Tax"),
    "loyalty": N_("Loyalty"),
}
"""The groups of the till's report list, in its order (``N_`` texts: translate when shown)."""

CATALOGUE: tuple[tuple[str, str], ...] = (
    ("sales-by-day", "sales"),
    ("sales-heatmap", "sales"),
    ("sales-by-cashier", "sales"),
    ("sales-by-terminal", "sales"),
    ("sales-by-payment", "sales"),
    ("sales-by-category", "sales"),
    ("sales-by-product", "sales"),
    ("sales-compare", "sales"),
    ("returns", "sales"),
    ("discounts", "sales"),
    ("basket", "sales"),
    ("margin-by-product", "margin"),
    ("margin-by-category", "margin"),
    ("margin-by-supplier", "margin"),
    ("abc", "margin"),
    ("stock-value", "stock"),
    ("stock-low", "stock"),
    ("stock-idle", "stock"),
    ("count-variances", "stock"),
    ("shrinkage", "stock"),
    ("receivables-aging", "accounts"),
    ("payables-aging", "accounts"),
    ("collections-forecast", "accounts"),
    ("kdv", "tax"),
    ("loyalty-kpis", "loyalty"),
    ("loyalty-members", "loyalty"),
    ("points-liability", "loyalty"),
)
"""``(name, group)`` of every report, in the lists' order. A name is a contract: scripts call it."""


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
class ReportSpec:
    name: str
    group: str
    title: str  # N_ text
    description: str  # N_ text
    options: tuple[ReportOption, ...]
    build: Callable[[ReportQuery], Report]


def module_of(name: str) -> str:
    return f"pos_tui.core.reports.{name.replace('-', '_')}"


def report_names() -> tuple[str, ...]:
    return tuple(name for name, _group in CATALOGUE)


def report_spec(name: str) -> ReportSpec:
    """The report called ``name`` (its module is imported now), or a clear refusal naming the reports."""
    groups = dict(CATALOGUE)
    if name not in groups:
        raise NotFound(
            _("No report {name}; the reports are: {names}").format(name=repr(name), names=", ".join(report_names()))
        )
    module: ModuleType = importlib.import_module(module_of(name))
    return ReportSpec(
        name=name,
        group=groups[name],
        title=module.TITLE,
        description=module.DESCRIPTION,
        options=tuple(getattr(module, "OPTIONS", ())),
        build=module.build,
    )


def run_report(name: str, query: ReportQuery) -> Report:
    """Report ``name`` for ``query``, its options checked and completed with their defaults."""
    spec = report_spec(name)
    known = {o.key: o for o in spec.options}
    unknown = sorted(set(query.options) - set(known))
    if unknown:
        raise ValidationError(
            _("Report {name} has no option {option}").format(name=name, option=", ".join(f"--{k}" for k in unknown))
        )
    options = {o.key: o.default for o in spec.options}
    for key, value in query.options.items():
        choices = known[key].choices
        if choices and value not in choices:
            raise ValidationError(
                _("--{option} of report {name} is one of {choices}, not {value}").format(
                    option=key, name=name, choices=", ".join(choices), value=repr(value)
                )
            )
        options[key] = value
    from dataclasses import replace

    return spec.build(replace(query, options=options))
