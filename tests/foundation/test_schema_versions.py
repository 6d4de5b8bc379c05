"""Each schema version's model list is frozen: an old migration step must create exactly the
tables it created when it was released, whatever models are added later."""

from __future__ import annotations

import re
from pathlib import Path

from pos_tui.store import models as m
from pos_tui.store.migrations import CURRENT_VERSION

# Checked in on purpose: changing a released version's tables breaks upgrades of old shops.
# A new schema version adds a new key here (and a Vn_MODELS list and a migration step).
FROZEN_TABLES: dict[int, list[str]] = {
    1: [
        "meta_entry",
        "counter",
        "user",
        "login_attempt",
        "category",
        "supplier",
        "customer",
        "product",
        "barcode",
        "shift",
        "cash_movement",
        "sale",
        "sale_line",
        "payment",
        "sale_kdv",
        "stock_movement",
        "z_closure",
        "journal_entry",
    ],
    2: ["product_word", "cart_draft"],
    3: ["member", "points_entry"],
    4: [
        "consent",
        "loyalty_rules",
        "tier_change",
        "stamp_entry",
        "wallet_entry",
        "gift_card",
        "gift_card_entry",
        "coupon",
        "coupon_use",
        "sale_benefit",
        "sale_loyalty",
        "supplier_points",
        "nps_response",
        "message",
    ],
    5: ["sale_fiscal"],
    6: [],
    7: [],
    8: [
        "stock_location",
        "terminal_location",
        "stock_document",
        "stock_document_line",
        "stock_level",
        "supplier_price",
        "count_session",
        "count_line",
        "count_event",
    ],
    9: [
        "price_list",
        "price_list_item",
        "party",
        "cheque",
        "account_entry",
        "cheque_event",
        "agenda_entry",
    ],
    10: [
        "einvoice",
        "einvoice_sale",
        "einvoice_event",
        "einvoice_queue",
        "einvoice_user",
        "return_document",
    ],
    11: [
        "store",
        "sync_outbox",
        "sync_capture",
        "sync_origin",
        "sync_terminal",
        "sync_document",
        "sync_ledger",
        "sync_balance",
        "sync_hold",
        "sync_overdraft",
        "sync_tombstone",
    ],
    12: [],
}

SCHEMA_V1 = Path(__file__).resolve().parent.parent / "data" / "schema_v1.sql"


def _tables(models: tuple[type[m.BaseModel], ...]) -> list[str]:
    return [model._meta.table_name for model in models]


def test_each_versions_model_list_matches_the_frozen_table_names() -> None:
    assert {v: _tables(models) for v, models in m.MODELS_BY_VERSION.items()} == FROZEN_TABLES
    assert tuple(m.MODELS_BY_VERSION.values()) == (
        m.V1_MODELS,
        m.V2_MODELS,
        m.V3_MODELS,
        m.V4_MODELS,
        m.V5_MODELS,
        m.V6_MODELS,
        m.V7_MODELS,
        m.V8_MODELS,
        m.V9_MODELS,
        m.V10_MODELS,
        m.V11_MODELS,
        m.V12_MODELS,
    )


def test_versions_run_from_one_to_current_and_add_up_to_all_models() -> None:
    assert list(m.MODELS_BY_VERSION) == list(range(1, CURRENT_VERSION + 1))
    every = [model for models in m.MODELS_BY_VERSION.values() for model in models]
    assert len(every) == len(set(every)), "a model is listed in two versions"
    assert set(every) - set(m.DROPPED_MODELS) == set(m.ALL_MODELS), "a model is in ALL_MODELS but in no version"
    assert not set(m.DROPPED_MODELS) & set(m.ALL_MODELS)


def test_version_1_is_the_schema_frozen_in_the_v1_dump() -> None:
    dumped = re.findall(r'CREATE TABLE IF NOT EXISTS "(\w+)"', SCHEMA_V1.read_text(encoding="utf-8"))
    assert sorted(dumped) == sorted(FROZEN_TABLES[1])
