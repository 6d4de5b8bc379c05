"""Stored versions of the rules: apply (admin only when an actor is given, journalled),
the active program (default until something is applied, cached per version), applying the
active program again is a no-op, tiers set writes a new version."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from engine_support import SHIPPED, shipped

from pos_tui.core.kernel import Actor, NotFound, PermissionDenied, ValidationError
from pos_tui.core.loyalty import Program, rules
from pos_tui.core.loyalty.rules import versions as rules_versions
from pos_tui.store import fast
from pos_tui.store import models as m

SMALL = '[earning]\npercent = 2\n[[tiers]]\ncode = "a"\nname = "A"\nmin_spend = 0\n'


def journal(kind: str) -> list[dict[str, object]]:
    rows = m.JournalEntry.select().where(m.JournalEntry.kind == kind).order_by(m.JournalEntry.id)
    return [json.loads(r.payload) for r in rows]


def test_nothing_applied_means_the_default_program(db: object) -> None:
    assert rules.active_rules_id() is None
    assert rules.active_program() == Program()
    assert rules.active_version() is None


def test_apply_stores_the_text_the_canonical_data_and_the_digest(db: object, now: datetime) -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    version = rules.apply_rules(text, source="config/loyalty.toml", now=now, terminal="T1")
    assert version.program == shipped()
    assert version.applied_at == now and len(version.digest) == 64
    assert rules.active_rules_id() == version.id
    assert rules.active_program() == version.program
    row = m.LoyaltyRules.get_by_id(version.id)
    assert row.source == text and row.digest == version.digest == rules.digest_of(version.program)
    assert json.loads(row.data) == rules.program_to_dict(version.program)
    assert rules.rules_source(version.id) == text
    entry = journal("loyalty_rules")
    assert entry == [
        {"id": version.id, "digest": version.digest, "source": "config/loyalty.toml", "user": None, "previous": None}
    ]
    active = rules.active_version()
    assert active is not None and (active.id, active.digest, active.applied_at) == (version.id, version.digest, now)


def test_applying_the_active_program_again_changes_nothing(db: object, now: datetime) -> None:
    first = rules.apply_rules(SMALL, now=now)
    # The same program, written differently, is the same digest.
    again = rules.apply_rules(
        "[[tiers]]\ncode = 'a'\nname = 'A'\nmin_spend = 0.00\n[earning]\npercent = 2.0\n", now=now
    )
    assert again.id == first.id and again.applied_at == first.applied_at
    assert m.LoyaltyRules.select().count() == 1 and len(journal("loyalty_rules")) == 1
    second = rules.apply_rules("[earning]\npercent = 3\n", now=now + timedelta(minutes=1))
    assert second.id != first.id and rules.active_program().earning.percent == Decimal(3)
    # Going back to the first program is a new version that makes it active again.
    back = rules.apply_rules(SMALL, now=now + timedelta(minutes=2))
    assert back.id not in (first.id, second.id) and back.digest == first.digest
    assert rules.active_program().earning.percent == Decimal(2)
    assert journal("loyalty_rules")[-1]["previous"] == second.id


def test_a_bad_file_applies_nothing(db: object, now: datetime) -> None:
    rules.apply_rules(SMALL, now=now)
    with pytest.raises(ValidationError, match=r"\[tiers\.a\] multiplier: must be at least 1, not 0.5"):
        rules.apply_rules(SMALL + "multiplier = 0.5\n", source="bad.toml", now=now)
    assert m.LoyaltyRules.select().count() == 1 and len(journal("loyalty_rules")) == 1


def test_only_admins_apply_rules(db: object, now: datetime, cashier: Actor, make_actor: object) -> None:
    with pytest.raises(PermissionDenied):
        rules.apply_rules(SMALL, actor=cashier, now=now)
    admin = make_actor("yonetici", "admin")  # type: ignore[operator]
    version = rules.apply_rules(SMALL, actor=admin, now=now)
    assert m.LoyaltyRules.get_by_id(version.id).actor_id == admin.user_id
    assert journal("loyalty_rules")[0]["user"] == "yonetici"


def test_the_active_program_is_parsed_once_per_version(
    db: object, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules.apply_rules(SMALL, now=now)
    first = rules.active_program()
    calls = []
    real = rules.program_from_dict
    monkeypatch.setattr(rules_versions, "program_from_dict", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert rules.active_program() is first and rules.active_program() is first
    assert calls == []
    rules.apply_rules("[earning]\npercent = 3\n", now=now)  # the new program is parsed on apply…
    calls.clear()
    newer = rules.active_program()  # …and once more when first read back from the table
    assert newer is not first and newer.earning.percent == 3 and len(calls) == 1
    assert rules.active_program() is newer and len(calls) == 1


def test_the_active_program_is_read_with_one_cheap_query(db: object, now: datetime) -> None:
    rules.apply_rules(SMALL, now=now)
    rules.active_program()
    db_ = fast._db()
    seen: list[str] = []
    real = db_.execute_sql

    def spy(sql: str, *args: object, **kwargs: object) -> object:
        seen.append(sql)
        return real(sql, *args, **kwargs)

    db_.execute_sql = spy  # type: ignore[method-assign]
    try:
        rules.active_program()
    finally:
        del db_.execute_sql
    assert len(seen) == 1 and "ORDER BY" in seen[0] and "LIMIT" in seen[0]


def test_tiers_set_adds_changes_and_removes_tiers(db: object, now: datetime) -> None:
    rules.apply_rules(SHIPPED.read_text(encoding="utf-8"), now=now)
    v = rules.set_tier("gumus", discount=Decimal(12), now=now)
    assert rules.active_rules_id() == v.id
    gumus = rules.active_program().tier("gumus")
    assert gumus is not None and gumus.basket_discount_percent == 12 and gumus.multiplier == Decimal("1.5")
    assert gumus.monthly_benefits  # the rest of the tier is kept
    assert rules.rules_source(v.id).startswith("# Written by pos-admin loyalty tiers set (tier gumus set)")
    assert rules.parse_program(rules.rules_source(v.id)) == rules.active_program()
    assert journal("loyalty_rules")[-1]["change"] == "tier gumus set"

    rules.set_tier("bronz", name="Bronz", min_spend=Decimal(500), multiplier=Decimal("1.2"), now=now)
    assert [t.code for t in rules.active_program().tiers] == ["kirmizi", "bronz", "gumus", "altin"]
    rules.set_tier("bronz", remove=True, now=now)
    assert [t.code for t in rules.active_program().tiers] == ["kirmizi", "gumus", "altin"]
    # The shipped rules are otherwise intact.
    assert rules.active_program().stamp_cards == shipped().stamp_cards


def test_tiers_set_refuses_what_the_file_would_refuse(db: object, now: datetime) -> None:
    rules.apply_rules(
        SHIPPED.read_text(encoding="utf-8") + '\n[[paid_memberships]]\nproduct = "9001"\ntier = "altin"\n', now=now
    )
    before = rules.active_rules_id()
    with pytest.raises(ValidationError, match="no tier 'altin'"):
        rules.set_tier("altin", remove=True, now=now)
    with pytest.raises(ValidationError, match=r"\[tiers.gumus\] multiplier: must be at least 1, not 0.5"):
        rules.set_tier("gumus", multiplier=Decimal("0.5"), now=now)
    with pytest.raises(ValidationError, match="needs a name and a minimum spend"):
        rules.set_tier("yeni", name="Yeni", now=now)
    with pytest.raises(ValidationError, match="min_spend: must be more than"):
        rules.set_tier("ikiz", name="İkiz", min_spend=Decimal(1000), now=now)
    with pytest.raises(NotFound):
        rules.set_tier("yok", remove=True, now=now)
    assert rules.active_rules_id() == before
