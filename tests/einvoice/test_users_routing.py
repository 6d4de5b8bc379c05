"""Routing by GİB's list: a PK alias registered on or before the invoice day → e-Fatura at that alias; anyone
else → e-Arşiv; a live lookup is used when it answers and the local list when it fails. The thresholds
by date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from einvoice_users_support import Alias, make_vkn, write_csv
from hypothesis import given
from hypothesis import strategies as st

from pos_tui.core import einvoice
from pos_tui.settings import DatedLimit, EInvoiceSettings, Settings

V1, V2, V3 = make_vkn(101), make_vkn(202), make_vkn(303)
EF = EInvoiceSettings(profile="TICARIFATURA")


def _iso(moment: datetime) -> str:
    """An Istanbul local time as GİB writes it."""
    return moment.astimezone(einvoice_tz()).strftime("%Y-%m-%dT%H:%M:%S")


def einvoice_tz() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Istanbul")


@pytest.fixture
def listed(db: object, tmp_path: Path, now: datetime) -> None:
    tomorrow = _iso(now + timedelta(days=1))
    later_today = _iso(now.replace(hour=18))  # 21:00 in Istanbul, the same shop day
    einvoice.import_users(
        write_csv(
            tmp_path / "liste.csv",
            [
                Alias(V1, "urn:mail:defaultgb@bir.com.tr", kind="GB"),
                Alias(V1, "urn:mail:ikincipk@bir.com.tr", created="2015-01-01T00:00:00"),
                Alias(V1, "urn:mail:defaultpk@bir.com.tr", created="2017-05-05T00:00:00"),
                Alias(V2, "urn:mail:defaultpk@iki.com.tr", registered=tomorrow, created=tomorrow),
                Alias(V3, "urn:mail:defaultgb@uc.com.tr", kind="GB"),
                Alias(make_vkn(404), "urn:mail:defaultpk@dort.com.tr", registered=later_today, created=later_today),
            ],
        ),
        now=now,
    )


def test_a_registered_buyer_gets_an_efatura_at_its_defaultpk_alias(listed: None, now: datetime) -> None:
    r = einvoice.route(V1, now=now, settings=EF)
    assert (r.profile, r.alias, r.via, r.is_efatura) == ("TICARIFATURA", "urn:mail:defaultpk@bir.com.tr", "list", True)
    assert einvoice.route(V1, now=now, settings=EInvoiceSettings()).profile == "TEMELFATURA"


def test_without_a_defaultpk_the_oldest_pk_alias_is_used(now: datetime) -> None:
    users = [
        einvoice.RegisteredUser(V1, "urn:mail:yenipk@x.com", "X", "PK", None, datetime(2020, 1, 1, tzinfo=UTC)),
        einvoice.RegisteredUser(V1, "urn:mail:eskipk@x.com", "X", "PK", None, datetime(2018, 1, 1, tzinfo=UTC)),
        einvoice.RegisteredUser(V1, "urn:mail:defaultgb@x.com", "X", "GB", None, datetime(2010, 1, 1, tzinfo=UTC)),
    ]
    assert einvoice.pick_alias(users, now=now) == "urn:mail:eskipk@x.com"
    assert einvoice.pick_alias(users[2:], now=now) is None  # a GB alias receives nothing


def test_registered_from_tomorrow_gets_earsiv_today_and_efatura_tomorrow(listed: None, now: datetime) -> None:
    assert einvoice.route(V2, now=now, settings=EF) == einvoice.Route("EARSIVFATURA", None, "list")
    tomorrow = einvoice.route(V2, now=now + timedelta(days=1), settings=EF)
    assert tomorrow.alias == "urn:mail:defaultpk@iki.com.tr"


def test_registered_later_on_the_invoice_day_counts(listed: None, now: datetime) -> None:
    assert einvoice.route(make_vkn(404), now=now, settings=EF).is_efatura


def test_unregistered_or_gb_only_buyers_get_earsiv(listed: None, now: datetime) -> None:
    assert not einvoice.route(make_vkn(999), now=now, settings=EF).is_efatura
    assert not einvoice.route(V3, now=now, settings=EF).is_efatura
    assert not einvoice.route("10000000146", now=now, settings=EF).is_efatura


def test_a_live_lookup_that_answers_decides(listed: None, now: datetime) -> None:
    asked: list[str] = []

    def live(identifier: str) -> list[Any]:
        asked.append(identifier)
        if identifier == V3:
            return [{"alias": "urn:mail:yenipk@uc.com.tr", "kind": "PK", "registered_at": "2026-10-30T09:00:00+03:00"}]
        return []  # the integrator says: not registered

    r = einvoice.route(V3, now=now, settings=EF, live=live)
    assert (r.alias, r.via) == ("urn:mail:yenipk@uc.com.tr", "live")
    # the live answer wins over the (older) local list: V1 left e-Fatura yesterday
    assert einvoice.route(V1, now=now, settings=EF, live=live) == einvoice.Route("EARSIVFATURA", None, "live")
    assert asked == [V3, V1]


@pytest.mark.parametrize("failure", ["raises", "none"])
def test_a_failing_live_lookup_falls_back_to_the_list(listed: None, now: datetime, failure: str) -> None:
    def live(identifier: str) -> list[Any] | None:
        if failure == "raises":
            raise TimeoutError("integrator did not answer")
        return None

    r = einvoice.route(V1, now=now, settings=EF, live=live)
    assert (r.alias, r.via) == ("urn:mail:defaultpk@bir.com.tr", "list")


# --- thresholds -------------------------------------------------------------------------------------------


def test_the_shipped_invoice_thresholds_are_the_researched_ones(settings: Settings) -> None:
    e = settings.einvoice
    assert e.limit_on(date(2023, 12, 31)) == Decimal("4400")
    assert e.limit_on(date(2024, 1, 1)) == Decimal("6900")
    assert e.limit_on(date(2025, 6, 1)) == Decimal("9900")
    assert e.limit_on(date(2026, 11, 1)) == Decimal("12000")


def test_invoice_required_above_the_limit_in_force(settings: Settings) -> None:
    day = date(2026, 11, 1)
    assert einvoice.invoice_required(Decimal("12000.00"), day, settings) is None  # not above it
    assert einvoice.invoice_required(Decimal("12000.01"), day, settings) == Decimal("12000")
    assert einvoice.invoice_required(Decimal("12000.01"), date(2025, 12, 31), settings.einvoice) == Decimal("9900")
    assert einvoice.invoice_required(Decimal("999999"), date(2000, 1, 1), settings) is None  # no limit then


def test_the_earsiv_obligation_applies_only_to_a_shop_that_is_not_an_earsiv_user(settings: Settings) -> None:
    e = settings.einvoice
    assert e.earsiv_user and einvoice.earsiv_required(Decimal("50000"), date(2026, 11, 1), e) is None
    not_user = EInvoiceSettings(earsiv_user=False, earsiv_limits=e.earsiv_limits)
    assert einvoice.earsiv_required(Decimal("3000.00"), date(2026, 11, 1), not_user) is None
    assert einvoice.earsiv_required(Decimal("3000.01"), date(2026, 11, 1), not_user) == Decimal("3000")
    assert einvoice.earsiv_required(Decimal("2500"), date(2024, 6, 1), not_user) == Decimal("2000")
    assert einvoice.earsiv_required(Decimal("4000"), date(2021, 6, 1), not_user) is None  # 5.000 TL then
    assert einvoice.earsiv_required(Decimal("1"), date(2027, 1, 1), not_user) is not None  # every invoice


_days = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))
_amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2)


@given(st.dictionaries(_days, _amounts, max_size=8), _days, _amounts)
def test_limit_on_picks_the_latest_limit_not_after_the_day(
    limits: dict[date, Decimal], day: date, total: Decimal
) -> None:
    s = EInvoiceSettings(invoice_limits=tuple(DatedLimit(d, a) for d, a in sorted(limits.items())))
    in_force = [d for d in limits if d <= day]
    expected = limits[max(in_force)] if in_force else None
    assert s.limit_on(day) == expected
    required = einvoice.invoice_required(total, day, s)
    assert required == (expected if expected is not None and total > expected else None)


def test_a_providers_lookup_user_method_is_the_live_lookup(listed: None, now: datetime) -> None:
    class Folder:  # a driver that cannot look users up
        pass

    class Integrator:
        def lookup_user(self, identifier: str) -> list[Any] | None:
            return [einvoice.RegisteredUser(identifier, "urn:mail:canlipk@x.com", "X", "PK", None)]

    assert einvoice.live_lookup(None) is None and einvoice.live_lookup(Folder()) is None
    live = einvoice.live_lookup(Integrator())
    assert einvoice.route(V3, now=now, settings=EF, live=live).alias == "urn:mail:canlipk@x.com"
