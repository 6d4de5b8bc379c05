"""NPS: the score's arithmetic (Hypothesis against exact fractions), recording answers, the
report over shop days, all-or-nothing imports, and the commands."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jobs_support import TZ, Cli, at, cashier, member, sale

from pos_tui.core.kernel import ImportRejected, NotFound, ValidationError
from pos_tui.core.loyalty import nps
from pos_tui.store import models as m


def reference(scores: list[int]) -> int | None:
    """The definition, with exact fractions: round half away from zero."""
    if not scores:
        return None
    value = Fraction(100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)), len(scores))
    whole, rest = divmod(abs(value), 1)
    rounded = int(whole) + (1 if rest >= Fraction(1, 2) else 0)
    return rounded if value >= 0 else -rounded


@given(st.lists(st.integers(0, 10), max_size=300))
def test_score_matches_the_definition(scores: list[int]) -> None:
    p = sum(1 for s in scores if nps.category(s) == "promoter")
    a = sum(1 for s in scores if nps.category(s) == "passive")
    d = sum(1 for s in scores if nps.category(s) == "detractor")
    assert p + a + d == len(scores)
    score = nps.nps_score(p, a, d)
    assert score == reference(scores)
    if score is not None:
        assert -100 <= score <= 100
        assert nps.nps_score(d, a, p) == -score  # the rounding is symmetric around zero


@given(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50))
def test_report_exact_and_rounded_agree(p: int, a: int, d: int) -> None:
    report = nps.NpsReport(date(2026, 11, 1), date(2026, 11, 30), p, a, d)
    if report.responses == 0:
        assert (report.score, report.exact) == (None, None)
        return
    assert report.exact is not None and report.score is not None
    assert abs(Decimal(report.score) - report.exact) <= Decimal("0.5")


def test_the_categories_and_rounding_examples() -> None:
    assert [nps.category(s) for s in (0, 6, 7, 8, 9, 10)] == [
        "detractor",
        "detractor",
        "passive",
        "passive",
        "promoter",
        "promoter",
    ]
    assert nps.nps_score(5, 3, 2) == 30
    assert nps.nps_score(1, 6, 1) == 0
    assert nps.nps_score(1, 6, 0) == 14  # 14.29
    assert nps.nps_score(1, 7, 0) == 13  # 12.5 rounds away from zero
    assert nps.nps_score(0, 7, 1) == -13
    assert nps.nps_score(0, 0, 0) is None
    with pytest.raises(ValidationError):
        nps.category(11)


def test_record_and_report_by_shop_day(db: object, now: datetime) -> None:
    who = member(at(date(2026, 1, 1)), phone="+905321234567")
    receipt = sale(cashier(now), at(date(2026, 11, 1)), "10.00", who)
    for score, when in (
        (10, at(date(2026, 11, 1), 0, 10)),
        (9, at(date(2026, 11, 15))),
        (3, at(date(2026, 11, 30), 23, 50)),
    ):
        nps.record_nps(who, score, source="till", sale_id=receipt, now=when)
    nps.record_nps(None, 7, source="till", now=at(date(2026, 10, 31), 23, 59))  # October in Istanbul
    report = nps.nps_report(date(2026, 11, 1), date(2026, 11, 30), tz=TZ)
    assert (report.promoters, report.passives, report.detractors, report.responses) == (2, 0, 1, 3)
    assert report.score == 33 and report.exact == Decimal("33.33")
    assert report.as_json()["promoters_percent"] == "66.67"
    assert nps.nps_report(date(2026, 10, 1), date(2026, 10, 31), tz=TZ).passives == 1
    assert m.JournalEntry.select().where(m.JournalEntry.kind == "nps").count() == 4
    with pytest.raises(ValidationError):
        nps.record_nps(who, 11, now=now)
    with pytest.raises(ValidationError):
        nps.record_nps(who, True, now=now)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        nps.record_nps(who, 5, source="web", now=now)
    with pytest.raises(NotFound):
        nps.record_nps(9999, 5, now=now)
    with pytest.raises(ValidationError):
        nps.nps_report(date(2026, 11, 2), date(2026, 11, 1))


def test_import_is_all_or_nothing(db: object, now: datetime, tmp_path: Path) -> None:
    who = member(at(date(2026, 1, 1)), phone="+905321234567")
    card = m.Member.get_by_id(who).card
    receipt_uid = m.Sale.get_by_id(sale(cashier(now), at(date(2026, 10, 1)), "10.00", who)).uid
    bad = tmp_path / "anket.csv"
    bad.write_text(
        "Kart;Puan;Tarih\n"
        f"{card};10;2026-10-05\n"
        "0532 123 45 67;eleven;2026-10-05\n"
        "05559999999;8;\n"
        ";7;5 Ekim\n"
        f"{card};9;2030-01-01\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportRejected) as caught:
        nps.import_nps(bad, now=now, tz=TZ)
    assert [(e.line, e.field) for e in caught.value.errors] == [(3, "score"), (4, "member"), (5, "at"), (6, "at")]
    assert m.NpsResponse.select().count() == 0
    good = tmp_path / "anket.json"
    good.write_text(
        json.dumps(
            [
                {"member": "0532 123 45 67", "score": 10, "at": "2026-10-05", "receipt": receipt_uid},
                {"score": "4", "at": "2026-10-06T18:30:00+03:00"},
                {"card": card, "puan": 8},
            ]
        ),
        encoding="utf-8",
    )
    report = nps.import_nps(good, now=now, tz=TZ)
    assert (report.rows, report.anonymous) == (3, 1)
    rows = [(r.member_id, r.score, r.source, r.sale_id) for r in m.NpsResponse.select().order_by(m.NpsResponse.id)]
    assert rows == [(who, 10, "import", 1), (None, 4, "import", None), (who, 8, "import", None)]
    unknown = tmp_path / "x.csv"
    unknown.write_text("score,colour\n5,red\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match="unknown column"):
        nps.import_nps(unknown, now=now)


def test_nps_commands(db: object, cli: Cli, tmp_path: Path) -> None:
    who = member(at(date(2026, 1, 1)), phone="+905321234567")
    card = m.Member.get_by_id(who).card
    added = cli("nps", "add", "--member", card, "--score", "9", "--json")
    assert added.exit_code == 0, added.stderr
    assert json.loads(added.stdout)["category"] == "promoter"
    anonymous = cli("nps", "add", "--score", "2")
    assert anonymous.exit_code == 0 and "detractor" in anonymous.stderr
    missing = cli("nps", "add", "--member", "0000", "--score", "2")
    assert missing.exit_code == 1 and "No member" in missing.stderr
    wrong = cli("nps", "add", "--score", "12")
    assert wrong.exit_code == 1 and "0 to 10" in wrong.stderr
    survey = tmp_path / "survey.csv"
    survey.write_text("phone,score\n05321234567,10\n,8\n", encoding="utf-8")
    imported = cli("nps", "import", str(survey), "--json")
    assert imported.exit_code == 0, imported.stderr
    assert json.loads(imported.stdout)["rows"] == 2
    today = "2099-12-31"  # answers added by the commands are dated now
    shown = cli("report", "nps", "--from", "2020-01-01", "--to", today, "--json")
    assert shown.exit_code == 0, shown.stderr
    doc = json.loads(shown.stdout)
    assert (doc["responses"], doc["promoters"], doc["passives"], doc["detractors"], doc["score"]) == (4, 2, 1, 1, 25)
    human = cli("report", "nps", "--from", "2020-01-01", "--to", today)
    assert human.exit_code == 0 and "NPS" in human.stdout
