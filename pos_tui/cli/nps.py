"""``pos-admin nps``: record and import Net Promoter Score answers (0–10).

The report is ``pos-admin report nps --from --to``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pos_tui.cli.common import handle_errors, make_typer, now, state
from pos_tui.cli.output import JsonOption, info, print_json
from pos_tui.core.kernel import NotFound
from pos_tui.core.loyalty import find_member, nps
from pos_tui.i18n import _

app = make_typer("nps", "Net Promoter Score answers: add one, import a survey.")


@app.command("add")
@handle_errors
def add(
    score: Annotated[int, typer.Option("--score", help="0 (would not recommend) to 10 (would recommend).")],
    member: Annotated[
        str | None, typer.Option("--member", help="The member's card or phone (default: an anonymous answer).")
    ] = None,
    json_: JsonOption = False,
) -> None:
    """Record one answer."""
    settings = state().open_db()
    member_id = None
    if member is not None:
        found = find_member(member)
        if found is None:
            raise NotFound(_("No member with card or phone {text}").format(text=member))
        member_id = found.id
    answer = nps.record_nps(member_id, score, source="import", now=now(), terminal=settings.terminal_id)
    if json_:
        print_json(
            {"id": answer.id, "member_id": answer.member_id, "score": answer.score, "category": nps.category(score)}
        )
        return
    labels = {"promoter": _("promoter"), "passive": _("passive"), "detractor": _("detractor")}
    info(_("Recorded score {score} ({category}).").format(score=score, category=labels[nps.category(score)]))


@app.command("import")
@handle_errors
def import_(
    file: Annotated[Path, typer.Argument(help="CSV or JSON: score, member (card or phone), at, receipt.")],
    fmt: Annotated[str | None, typer.Option("--format", help="csv or json (default: from the extension).")] = None,
    json_: JsonOption = False,
) -> None:
    """Import survey answers; all or nothing."""
    settings = state().open_db()
    report = nps.import_nps(file, now=now(), tz=settings.shop.timezone, fmt=fmt, terminal=settings.terminal_id)
    if json_:
        print_json(report.as_json())
        return
    info(
        _("Imported {n} answer(s) from {file} ({anonymous} anonymous).").format(
            n=report.rows, file=report.source, anonymous=report.anonymous
        )
    )
