"""``pos-admin audit verify``: recompute the journal's hash chain and every total.

Exit 0 when the database is intact; exit 1 with the first broken entry on stderr when
anything was changed, deleted or cut off (see :mod:`pos_tui.core.audit` for the checks).
It only reads: the schema is not upgraded first (run ``pos-admin db upgrade`` for that).
``--anchor ENTRY:HASH`` (repeatable, typed from a printed X or Z report's "Journal head") also
proves the chain still holds that entry: the one check a consistent rewrite cannot pass.
"""

from __future__ import annotations

from typing import Annotated

import typer

from pos_tui.cli.common import handle_errors, make_typer, state
from pos_tui.cli.output import ExitCode, JsonOption, fail, info, print_json, progress
from pos_tui.core import audit
from pos_tui.i18n import _

app = make_typer("audit", "Check that nothing was changed behind pos_tui's back.")


@app.command("verify")
@handle_errors
def verify(
    anchor: Annotated[
        list[str] | None,
        typer.Option(
            "--anchor",
            metavar="ENTRY:HASH",
            help="A journal head printed on an X or Z report (repeatable): the chain must still hold it.",
        ),
    ] = None,
    json_: JsonOption = False,
) -> None:
    """Recompute the hash chain, the documents, stock and Z totals; exit 1 on any tampering."""
    from pos_tui.store import database
    from pos_tui.store.migrations import CURRENT_VERSION, schema_version

    settings = state().open_db(upgrade=False)  # sets the shop's language, so parse the anchors after it
    anchors = [audit.parse_anchor(text) for text in anchor or []]
    version = schema_version(database.obj)
    if version != CURRENT_VERSION:
        fail(
            _("The database has schema {version}, this pos_tui expects {current}; run pos-admin db upgrade").format(
                version=version, current=CURRENT_VERSION
            )
        )
    with progress(_("Verifying the journal and documents"), audit.work_size(), json_) as advance:
        report = audit.verify(settings=settings, progress=advance, anchors=anchors)
    if json_:
        print_json(report.as_json())
    if report.ok:
        if not json_:
            intact = _("Intact: {n} journal entries; every document, stock figure and Z checks out.")
            info(intact.format(n=report.entries))
            for text in report.anchors:
                info(_("Anchor {anchor}: the journal still holds this entry.").format(anchor=text))
            if report.centre is not None:
                info(
                    _(
                        "Terminals' chains as received: {terminals} terminal(s), {documents} document(s), intact."
                    ).format(terminals=report.centre.terminals, documents=report.centre.documents)
                )
        return
    info(_("First broken: {problem}").format(problem=report.problems[0]))
    for problem in report.problems[1:]:
        info(_("Also: {problem}").format(problem=problem))
    fail(
        _("{count} problem(s): the database was changed outside pos_tui").format(count=len(report.problems)),
        ExitCode.FAILED,
    )


@app.command("pan")
@handle_errors
def pan(json_: JsonOption = False) -> None:
    """Look for card numbers stored anywhere in the database; exit 1 if any is found (shown masked)."""
    from pos_tui.cli.output import table
    from pos_tui.i18n import ngettext

    state().open_db(upgrade=False)
    with progress(_("Looking for card numbers"), audit.scan_size(), json_) as advance:
        findings = audit.scan_pans(progress=advance)
    if json_:
        print_json({"ok": not findings, "found": [f.as_json() for f in findings]})
    elif findings:
        table(
            [_("Table"), _("Row"), _("Column"), _("Card number (masked)"), _("Scheme")],
            [(f.table, f.row, f.column, f.masked, f.scheme) for f in findings],
        )
    else:
        info(_("No card number is stored in the database."))
    if findings:
        fail(
            ngettext(
                "{count} card number is stored in the database; remove it (card numbers must never be stored)",
                "{count} card numbers are stored in the database; remove them (card numbers must never be stored)",
                len(findings),
            ).format(count=len(findings)),
            ExitCode.FAILED,
        )
