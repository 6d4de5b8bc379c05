"""Peewee models. Money columns are integer kuruş, quantity columns integer milli-units.

Timestamps are naive UTC (``DateTimeField``); services convert from/to the shop's time zone
at the edges. Posted documents (sales, their lines, payments, KDV rows, stock movements,
cash movements, Z closures, journal entries) are insert-only: the guard is in
:mod:`pos_tui.store.guards` (triggers on SQLite and PostgreSQL) and in the services, which
never update them. Corrections are new documents.
"""

from __future__ import annotations

from typing import Any

from peewee import (
    SQL,
    AutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    CompositeKey,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    NodeList,
    TextField,
)

from pos_tui.store.proxy import database


class NeverReusedIdField(AutoField):
    """An id the database never hands out twice, even after the highest row was deleted.

    SQLite reuses ``max(rowid) + 1`` unless the column is ``AUTOINCREMENT`` (schema 6 adds it
    to ``journal_entry``); PostgreSQL's ``SERIAL`` sequence never goes back by itself (nor on
    rollback), so nothing is added there. Someone who can rewrite the file can still reset
    ``sqlite_sequence`` or call ``setval``: see docs/audit.md for what then catches them.
    """

    def ddl(self, ctx: Any) -> NodeList:
        node = super().ddl(ctx)
        if ctx.state.field_types.get("AUTO") == "INTEGER":  # SQLite's rowid alias
            return NodeList((node, SQL("AUTOINCREMENT")))
        return node


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class MetaEntry(BaseModel):
    """Key/value facts about the database itself (schema version, PIN key, journal head)."""

    key = CharField(primary_key=True, max_length=64)
    value = TextField()


class Counter(BaseModel):
    """Gapless sequences (receipt numbers, Z numbers) per terminal, incremented inside the
    transaction that uses the number, so a rolled-back sale never burns a number."""

    scope = CharField(max_length=32)
    name = CharField(max_length=32)
    value = IntegerField(default=0)

    class Meta:
        primary_key = CompositeKey("scope", "name")


class User(BaseModel):
    id = AutoField()
    name = CharField(max_length=64, unique=True)
    role = CharField(max_length=16)
    pin_tag = CharField(max_length=64, unique=True)  # keyed hash of the PIN, for PIN-only lookup
    pin_hash = CharField(max_length=255)  # argon2id
    active = BooleanField(default=True)
    created_at = DateTimeField()
    revision = BigIntegerField(null=True, index=False)  # schema 11: the centre's revision (docs/sync.md)


class LoginAttempt(BaseModel):
    """Every PIN typed on a terminal, right or wrong (login or manager override)."""

    id = AutoField()
    terminal = CharField(max_length=32, index=True)
    at = DateTimeField()
    user = ForeignKeyField(User, null=True, backref="login_attempts", on_delete="RESTRICT")
    success = BooleanField()
    purpose = CharField(max_length=16, default="login")  # login | override


class Category(BaseModel):
    id = AutoField()
    name = CharField(max_length=128, unique=True)
    revision = BigIntegerField(null=True, index=False)  # schema 11: the centre's revision (docs/sync.md)


class Supplier(BaseModel):
    id = AutoField()
    code = CharField(max_length=64, unique=True)
    name = CharField(max_length=255)
    vkn = CharField(max_length=11, null=True)
    tax_office = CharField(max_length=128, null=True)
    phone = CharField(max_length=32, null=True)
    email = CharField(max_length=255, null=True)
    address = TextField(null=True)
    created_at = DateTimeField()
    revision = BigIntegerField(null=True, index=False)  # schema 11: the centre's revision (docs/sync.md)


class Customer(BaseModel):
    """A retail or wholesale customer ("cari"). The loyalty issue adds members on top."""

    id = AutoField()
    code = CharField(max_length=64, unique=True)
    name = CharField(max_length=255)
    name_key = CharField(max_length=255, index=True)
    kind = CharField(max_length=16, default="retail")  # retail | wholesale
    phone = CharField(max_length=20, null=True, unique=True)
    email = CharField(max_length=255, null=True)
    tax_id = CharField(max_length=11, null=True)  # VKN (10) or TCKN (11)
    tax_office = CharField(max_length=128, null=True)
    address = TextField(null=True)
    created_at = DateTimeField()
    revision = BigIntegerField(null=True, index=False)  # schema 11: the centre's revision (docs/sync.md)


class Product(BaseModel):
    id = AutoField()
    code = CharField(max_length=64, unique=True)  # PLU
    name = CharField(max_length=255)
    # pos_tui.text.search_key(name): the name index (store.search) is built on it; no b-tree
    # index of its own since schema 7 (only a search's candidates are ordered by it)
    name_key = CharField(max_length=255)
    unit = CharField(max_length=8, default="piece")  # piece | kg | lt | m
    price = IntegerField()  # kuruş, KDV included
    cost = IntegerField(default=0)  # kuruş
    kdv_rate = IntegerField()  # percent
    category = ForeignKeyField(Category, null=True, backref="products", on_delete="SET NULL")
    supplier = ForeignKeyField(Supplier, null=True, backref="products", on_delete="SET NULL")
    min_stock = IntegerField(default=0)  # milli-units
    stock = IntegerField(default=0)  # milli-units; cache of SUM(stock_movement.qty), checked by audit
    active = BooleanField(default=True)
    updated_at = DateTimeField(index=True)
    # schema 8: the stock's value at moving average cost (kuruş), a cache of SUM(stock_movement.value);
    # ``cost`` is that average per unit (kernel.costing has the rule)
    stock_value = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])
    revision = BigIntegerField(null=True, index=False)  # schema 11: the centre's revision (docs/sync.md)


class Barcode(BaseModel):
    code = CharField(max_length=64, primary_key=True)
    product = ForeignKeyField(Product, backref="barcodes", on_delete="CASCADE", index=True)
    revision = BigIntegerField(null=True, index=False)  # schema 11: the centre's revision (docs/sync.md)


class ProductWord(BaseModel):
    """Search index: every folded word of every product name (schema v2 to 6; schema 7
    replaced it by :mod:`pos_tui.store.search`, so it is not in :data:`ALL_MODELS`).

    A prefix range scan on ``word`` finds products by any word of their name in
    milliseconds on a million products, on SQLite and PostgreSQL alike.
    """

    word = CharField(max_length=64)
    product = ForeignKeyField(Product, on_delete="CASCADE", index=True)

    class Meta:
        primary_key = CompositeKey("word", "product")


class Shift(BaseModel):
    """A cash drawer session on one terminal. Closing fills the closing columns once."""

    id = AutoField()
    terminal = CharField(max_length=32, index=True)
    opened_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    opened_at = DateTimeField()
    opening_float = IntegerField()
    closed_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    closed_at = DateTimeField(null=True)
    counted_cash = IntegerField(null=True)
    expected_cash = IntegerField(null=True)
    variance = IntegerField(null=True)


class CashMovement(BaseModel):
    """Paid-in, paid-out and no-sale drawer openings (insert-only)."""

    id = AutoField()
    shift = ForeignKeyField(Shift, backref="cash_movements", on_delete="RESTRICT")
    terminal = CharField(max_length=32)
    user = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    at = DateTimeField()
    kind = CharField(max_length=16)  # paid_in | paid_out | no_sale
    amount = IntegerField(default=0)  # kuruş, always >= 0
    reason = TextField()


class Member(BaseModel):
    """A loyalty member (schema v3): the identity the points ledger belongs to.

    ``customer`` links to the shop's customer record when there is one; ``anonymized_at`` is
    set when the person is erased (their ledger rows and totals stay).
    """

    id = AutoField()
    customer = ForeignKeyField(Customer, null=True, backref="members", on_delete="RESTRICT")
    card = CharField(max_length=64, unique=True)
    phone = CharField(max_length=20, null=True, unique=True)  # +90…
    name = CharField(max_length=255)
    email = CharField(max_length=255, null=True)
    birth_date = DateField(null=True)
    tier_code = CharField(max_length=32, null=True)
    created_at = DateTimeField()
    anonymized_at = DateTimeField(null=True)
    # schema v4
    name_key = CharField(max_length=255, index=True, default="", constraints=[SQL("DEFAULT ''")])  # fold(name)
    card_kind = CharField(max_length=16, default="barcode", constraints=[SQL("DEFAULT 'barcode'")])
    # card_kind: barcode (our printed card) | magstripe | rfid | phone (no card, the phone number is the id)
    referral_code = CharField(max_length=16, null=True, unique=True)
    referred_by = ForeignKeyField("self", null=True, backref="referrals", on_delete="RESTRICT")
    referred_by_id: int | None  # peewee's id accessor of referred_by, declared for type checkers
    tier_until = DateField(null=True)  # a paid or manual tier holds through this shop day
    revision = BigIntegerField(null=True, index=False)  # schema 11: the centre's revision (docs/sync.md)


class Sale(BaseModel):
    """A posted sale or return document (insert-only). Totals are positive for both kinds."""

    id = AutoField()
    uid = CharField(max_length=64, unique=True)  # our uuid, or the external id of an imported sale
    kind = CharField(max_length=8)  # sale | return
    terminal = CharField(max_length=32)
    receipt_no = IntegerField()
    at = DateTimeField(index=True)
    cashier = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    customer = ForeignKeyField(Customer, null=True, backref="sales", on_delete="RESTRICT")
    shift = ForeignKeyField(Shift, null=True, backref="sales", on_delete="RESTRICT")
    return_of = ForeignKeyField("self", null=True, backref="returns", on_delete="RESTRICT")
    subtotal = IntegerField()  # kuruş, before discounts
    discount = IntegerField(default=0)  # kuruş, line + cart discounts
    total = IntegerField()  # kuruş, what was paid (or refunded)
    source = CharField(max_length=16, default="till")  # till | import
    note = TextField(null=True)
    member = ForeignKeyField(Member, null=True, backref="sales", on_delete="RESTRICT")  # schema v4

    class Meta:
        indexes = ((("terminal", "receipt_no"), True),)


class SaleLine(BaseModel):
    id = AutoField()
    sale = ForeignKeyField(Sale, backref="lines", on_delete="RESTRICT")
    line_no = IntegerField()
    product = ForeignKeyField(Product, backref="+", on_delete="RESTRICT")
    code = CharField(max_length=64)
    barcode = CharField(max_length=64, null=True)
    name = CharField(max_length=255)
    unit = CharField(max_length=8)
    qty = IntegerField()  # milli-units, positive
    unit_price = IntegerField()  # kuruş actually charged per unit (after override)
    list_price = IntegerField()  # kuruş catalog price at the time
    discount = IntegerField(default=0)  # kuruş: line discount + its share of the cart discount
    total = IntegerField()  # kuruş net: line_amount(unit_price, qty) - discount
    kdv_rate = IntegerField()
    kdv = IntegerField()  # kuruş contained in total
    origin_line = ForeignKeyField("self", null=True, backref="returned_by", on_delete="RESTRICT")
    price_override_reason = TextField(null=True)


class Payment(BaseModel):
    id = AutoField()
    sale = ForeignKeyField(Sale, backref="payments", on_delete="RESTRICT")
    method = CharField(max_length=16)  # cash | card (later: points, store_credit, gift_card, on_account)
    amount = IntegerField()  # kuruş applied to the document
    tendered = IntegerField(null=True)  # cash handed over
    change = IntegerField(null=True)
    reference = CharField(max_length=64, null=True)  # card terminal reference; never a card number


class SaleKdv(BaseModel):
    """Per-rate KDV breakdown of a document; base + kdv over all rates == sale.total."""

    sale = ForeignKeyField(Sale, backref="kdv_rows", on_delete="RESTRICT")
    rate = IntegerField()
    base = IntegerField()
    kdv = IntegerField()

    class Meta:
        primary_key = CompositeKey("sale", "rate")


class StockLocation(BaseModel):
    """A place stock is kept (schema 8): the shop floor ``MAGAZA``, a depot ``DEPO``…"""

    id = AutoField()
    code = CharField(max_length=16, unique=True)
    name = CharField(max_length=128)
    is_default = BooleanField(default=False)  # exactly one: where unassigned terminals sell from
    active = BooleanField(default=True)
    created_at = DateTimeField()
    revision = BigIntegerField(null=True, index=False)  # schema 11: the centre's revision (docs/sync.md)
    store = CharField(max_length=16, default="S1", constraints=[SQL("DEFAULT 'S1'")])  # schema 11: Store.code


class TerminalLocation(BaseModel):
    """The location a terminal sells from (schema 8); a terminal without a row sells from the default."""

    terminal = CharField(max_length=32, primary_key=True)
    location = ForeignKeyField(StockLocation, backref="+", on_delete="RESTRICT")
    revision = BigIntegerField(null=True, index=False)  # schema 11: the centre's revision (docs/sync.md)


class StockDocument(BaseModel):
    """A posted stock document (schema 8, insert-only): goods receipt, supplier return,
    adjustment, transfer out/in, count, and the reversal of a count.

    ``number`` is gapless per kind; ``at`` is the document's own date (a receipt may be entered
    days after the goods came), ``posted_at`` when pos_tui wrote it. ``refers_to`` links a supplier
    return to its receipt, a transfer's receipt to its sending, a reversal to what it reverses.
    ``data`` is the canonical JSON the journal entry carries (totals per KDV rate, …).
    """

    id = AutoField()
    kind = CharField(
        max_length=16
    )  # receipt | supplier_return | adjustment | transfer_out | transfer_in | count | reversal
    number = IntegerField()
    at = DateTimeField(index=True)
    posted_at = DateTimeField()
    terminal = CharField(max_length=32)
    user = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    location = ForeignKeyField(StockLocation, backref="+", on_delete="RESTRICT")
    other_location = ForeignKeyField(StockLocation, null=True, backref="+", on_delete="RESTRICT")
    supplier = ForeignKeyField(Supplier, null=True, backref="+", on_delete="RESTRICT")
    supplier_doc = CharField(max_length=64, null=True)  # the supplier's irsaliye or invoice number
    due_date = DateField(null=True)
    refers_to = ForeignKeyField("self", null=True, backref="+", on_delete="RESTRICT")
    reason = CharField(max_length=16, null=True)
    note = TextField(null=True)
    data = TextField(default="{}")

    class Meta:
        indexes = ((("kind", "number"), True),)


# A sent transfer is received once and a count reversed once, whatever the services check.
StockDocument.add_index(
    StockDocument.refers_to,
    unique=True,
    where=StockDocument.kind.in_(["transfer_in", "reversal"]),
    name="stock_document_once",
)


class StockDocumentLine(BaseModel):
    """A line of a stock document (schema 8, insert-only). Money in kuruş excluding KDV."""

    id = AutoField()
    document = ForeignKeyField(StockDocument, backref="lines", on_delete="RESTRICT")
    line_no = IntegerField()
    product = ForeignKeyField(Product, backref="+", on_delete="RESTRICT", index=True)
    qty = IntegerField()  # milli-units, positive (an adjustment's sign is its movement's)
    unit_cost = IntegerField(default=0)  # kuruş per unit, before the line discount
    discount = IntegerField(default=0)  # kuruş
    net = IntegerField(default=0)  # kuruş, excluding KDV, after the discount
    kdv_rate = IntegerField(default=0)
    kdv = IntegerField(default=0)  # kuruş
    refers_to = ForeignKeyField("self", null=True, backref="+", on_delete="RESTRICT")


class StockMovement(BaseModel):
    id = AutoField()
    # indexed by (product, at) below: the stock card's order, and any lookup by product
    product = ForeignKeyField(Product, backref="stock_movements", on_delete="RESTRICT", index=False)
    at = DateTimeField()
    qty = IntegerField()  # milli-units, signed: + in, - out
    # sale | return | import | receipt | supplier_return | adjust | count | transfer_out | transfer_in | revalue
    # (purchase: never written since schema 8)
    kind = CharField(max_length=16)
    sale = ForeignKeyField(Sale, null=True, backref="+", on_delete="RESTRICT")
    note = TextField(null=True)
    # schema 8 (location is NULL only in rows written before it, and the migration fills those)
    # No index of their own: a movement is found by product (and time), sale or document; these
    # columns are read with it. Every index here costs every sale and every imported product.
    location = ForeignKeyField(StockLocation, null=True, backref="+", on_delete="RESTRICT", index=False)
    unit_cost = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])  # kuruş per unit it moved at
    value = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])  # kuruş, signed: the stock value's change
    reason = CharField(max_length=16, null=True)  # adjustments: waste | damage | loss | internal | correction | opening
    document = ForeignKeyField(StockDocument, null=True, backref="movements", on_delete="RESTRICT", index=False)
    terminal = CharField(max_length=32, null=True)
    user = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT", index=False)

    class Meta:
        indexes = ((("product", "at"), False),)


# Only stock documents' movements have a document: a partial index stays as small as they are.
StockMovement.add_index(StockMovement.document, where=StockMovement.document.is_null(False))


class StockLevel(BaseModel):
    """On hand per product and location (schema 8): a cache of SUM(stock_movement.qty), checked by audit."""

    # the primary key (product, location) is their index
    product = ForeignKeyField(Product, backref="+", on_delete="RESTRICT", index=False)
    location = ForeignKeyField(StockLocation, backref="+", on_delete="RESTRICT", index=False)
    qty = IntegerField(default=0)

    class Meta:
        primary_key = CompositeKey("product", "location")


class SupplierPrice(BaseModel):
    """The last purchase price per supplier and product (schema 8), from the receipts."""

    supplier = ForeignKeyField(Supplier, backref="+", on_delete="RESTRICT", index=False)  # the key's prefix
    product = ForeignKeyField(Product, backref="+", on_delete="RESTRICT")
    unit_cost = IntegerField()  # kuruş per unit excluding KDV, after the line discount
    at = DateTimeField()
    document = ForeignKeyField(StockDocument, backref="+", on_delete="RESTRICT")

    class Meta:
        primary_key = CompositeKey("supplier", "product")


class CountSession(BaseModel):
    """A stock count (sayım, schema 8): its scope and state. ``scope`` is JSON
    (``{"categories": [...], "products": [...]}``, empty: everything at the location)."""

    id = AutoField()
    name = CharField(max_length=128)
    status = CharField(max_length=16, default="open")  # open | posted | cancelled
    blind = BooleanField(default=False)
    location = ForeignKeyField(StockLocation, backref="+", on_delete="RESTRICT")
    scope = TextField(default="{}")
    opened_at = DateTimeField()
    opened_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    closed_at = DateTimeField(null=True)
    closed_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    document = ForeignKeyField(StockDocument, null=True, backref="+", on_delete="RESTRICT")
    note = TextField(null=True)


class CountLine(BaseModel):
    """A product's line in a count (schema 8): the quantity expected, frozen when the product
    was first counted (sales and receipts after that moment do not change the variance)."""

    session = ForeignKeyField(CountSession, backref="lines", on_delete="RESTRICT", index=False)  # the key's prefix
    product = ForeignKeyField(Product, backref="+", on_delete="RESTRICT", index=False)
    expected = IntegerField()  # milli-units on hand at the location when first counted
    at = DateTimeField()

    class Meta:
        primary_key = CompositeKey("session", "product")


class CountEvent(BaseModel):
    """One scan or typed quantity in a count (schema 8, insert-only): the totals are their sums.
    ``uid`` makes a retried event count once; an undo is a new event with the negative quantity."""

    id = AutoField()
    uid = CharField(max_length=64, unique=True)
    # indexed by (session, product) below; each scan writes a row, so no other index
    session = ForeignKeyField(CountSession, backref="events", on_delete="RESTRICT", index=False)
    product = ForeignKeyField(Product, backref="+", on_delete="RESTRICT", index=False)
    qty = IntegerField()  # milli-units, signed
    zone = CharField(max_length=32, null=True)
    user = ForeignKeyField(User, backref="+", on_delete="RESTRICT", index=False)
    terminal = CharField(max_length=32)
    at = DateTimeField()
    undoes = ForeignKeyField("self", null=True, unique=True, backref="+", on_delete="RESTRICT")

    class Meta:
        indexes = ((("session", "product"), False),)


class ZClosure(BaseModel):
    """End-of-day closure of one terminal; covers every document with id in (prev.last_sale_id, last_sale_id]."""

    id = AutoField()
    terminal = CharField(max_length=32)
    z_no = IntegerField()
    at = DateTimeField()
    user = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    first_sale_id = IntegerField(null=True)
    last_sale_id = IntegerField()  # high-water mark (0 when the terminal has no documents yet)
    from_at = DateTimeField(null=True)
    to_at = DateTimeField(null=True)
    sales_count = IntegerField()
    returns_count = IntegerField()
    gross = IntegerField()
    returns = IntegerField()
    net = IntegerField()
    grand_total = IntegerField()
    data = TextField()  # canonical JSON: by_payment, by_kdv

    class Meta:
        indexes = ((("terminal", "z_no"), True),)


class JournalEntry(BaseModel):
    """Append-only, hash-chained record of every document: hash = sha256(prev_hash + payload)."""

    id = NeverReusedIdField()  # the sequence: 1, 2, 3… with no gaps, never reused (schema 6)
    at = DateTimeField()
    terminal = CharField(max_length=32)
    kind = CharField(max_length=24)  # see docs/architecture.md, "Journal entry kinds"
    ref = CharField(max_length=64, null=True)  # the document's uid / id
    payload = TextField()  # canonical JSON
    prev_hash = CharField(max_length=64)
    hash = CharField(max_length=64, unique=True)


class CartDraft(BaseModel):
    """The open and parked carts of a terminal, saved on every change so a crash loses nothing (schema v2)."""

    id = AutoField()
    terminal = CharField(max_length=32, index=True)
    status = CharField(max_length=8)  # open | parked
    cashier = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    data = TextField()  # JSON of pos_tui.core.basket.cart.Cart
    created_at = DateTimeField()
    updated_at = DateTimeField()


class PointsEntry(BaseModel):
    """One posted movement of a member's points (schema v3, insert-only).

    Entries that create points (earn, restore, transfer_in, a positive adjust) are *lots*:
    ``lot`` is empty, ``available_from``/``expires_on`` are set. Entries that take points
    from a lot (redeem, donate, transfer_out, clawback, expire, settle, a negative adjust)
    point at it through ``lot`` with negative ``points``. A lot's remaining points are its
    ``points`` plus the entries pointing at it; nothing is ever updated. Negative entries
    without a lot are a debt (a clawback of points already spent); see docs/loyalty.md.
    """

    id = AutoField()
    member = ForeignKeyField(Member, backref="points_entries", on_delete="RESTRICT")
    at = DateTimeField()
    kind = CharField(max_length=16)  # earn | redeem | expire | adjust | clawback | restore | donate | ...
    points = IntegerField()  # signed
    lot = ForeignKeyField("self", null=True, backref="consumptions", on_delete="RESTRICT")
    sale = ForeignKeyField(Sale, null=True, backref="+", on_delete="RESTRICT")
    available_from = DateField(null=True)  # lots: first shop-local day the points can be spent
    expires_on = DateField(null=True)  # lots: last shop-local day they can be spent; empty = never
    reason = TextField(null=True)
    actor = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")

    class Meta:
        indexes = ((("member", "kind"), False),)


# --------------------------------------------------------------------------- loyalty (schema v4)
# Every table below except GiftCard, Coupon and Message is insert-only. See docs/loyalty.md.


class Consent(BaseModel):
    """One consent decision of a member for one channel (KVKK); the latest row per channel wins."""

    id = AutoField()
    member = ForeignKeyField(Member, backref="consents", on_delete="RESTRICT")
    channel = CharField(max_length=16)  # membership | sms | email
    granted = BooleanField()
    at = DateTimeField()
    source = CharField(max_length=16)  # till | cli | import
    actor = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")

    class Meta:
        indexes = ((("member", "channel"), False),)


class LoyaltyRules(BaseModel):
    """A version of the loyalty program as applied by ``pos-admin loyalty apply``; the newest is active."""

    id = AutoField()
    applied_at = DateTimeField()
    actor = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    source = TextField()  # the TOML text as applied
    data = TextField()  # canonical JSON of the parsed program
    digest = CharField(max_length=64)  # sha256 of data
    revision = BigIntegerField(null=True, index=False)  # schema 11: the centre's revision (docs/sync.md)


class TierChange(BaseModel):
    """A member entering or leaving a tier; ``member.tier_code`` caches the latest ``to_code``."""

    id = AutoField()
    member = ForeignKeyField(Member, backref="tier_changes", on_delete="RESTRICT")
    at = DateTimeField()
    from_code = CharField(max_length=32, null=True)
    to_code = CharField(max_length=32, null=True)
    reason = CharField(max_length=16)  # evaluation | paid | manual | import | return | receipt
    valid_until = DateField(null=True)
    sale = ForeignKeyField(Sale, null=True, backref="+", on_delete="RESTRICT")
    actor = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")


class StampEntry(BaseModel):
    """Stamps on a member's stamp card (signed): earned by buying, spent on the free item."""

    id = AutoField()
    member = ForeignKeyField(Member, backref="stamp_entries", on_delete="RESTRICT")
    card = CharField(max_length=32)  # the stamp card's code in the rules
    at = DateTimeField()
    stamps = IntegerField()  # signed
    kind = CharField(max_length=16)  # earn | reward | clawback | restore | adjust | import
    sale = ForeignKeyField(Sale, null=True, backref="+", on_delete="RESTRICT")

    class Meta:
        indexes = ((("member", "card"), False),)


class WalletEntry(BaseModel):
    """Store credit / cashback of a member in kuruş (signed); the balance is the sum."""

    id = AutoField()
    member = ForeignKeyField(Member, backref="wallet_entries", on_delete="RESTRICT", index=True)
    at = DateTimeField()
    amount = IntegerField()  # kuruş, signed
    kind = CharField(max_length=16)  # cashback | spend | refund | clawback | adjust | import
    sale = ForeignKeyField(Sale, null=True, backref="+", on_delete="RESTRICT")
    reason = TextField(null=True)
    actor = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")


class GiftCard(BaseModel):
    id = AutoField()
    code = CharField(max_length=32, unique=True)
    issued_at = DateTimeField()
    member = ForeignKeyField(Member, null=True, backref="gift_cards", on_delete="RESTRICT")
    expires_on = DateField(null=True)
    active = BooleanField(default=True)
    revision = BigIntegerField(null=True, index=False)  # schema 11: the centre's revision (docs/sync.md)


class GiftCardEntry(BaseModel):
    """Money on a gift card in kuruş (signed); the balance is the sum."""

    id = AutoField()
    card = ForeignKeyField(GiftCard, backref="entries", on_delete="RESTRICT", index=True)
    at = DateTimeField()
    amount = IntegerField()  # kuruş, signed
    kind = CharField(max_length=16)  # issue | topup | spend | refund
    sale = ForeignKeyField(Sale, null=True, backref="+", on_delete="RESTRICT")
    actor = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")


class Coupon(BaseModel):
    id = AutoField()
    code = CharField(max_length=32, unique=True)
    kind = CharField(max_length=8)  # amount | percent
    amount = IntegerField(null=True)  # kuruş, for kind=amount
    percent_bp = IntegerField(null=True)  # basis points (1 % = 100), for kind=percent
    min_spend = IntegerField(default=0)  # kuruş
    valid_from = DateField(null=True)
    valid_to = DateField(null=True)
    max_uses = IntegerField(null=True, default=1)  # empty = unlimited
    member = ForeignKeyField(Member, null=True, backref="coupons", on_delete="RESTRICT")  # personal coupon
    product = ForeignKeyField(Product, null=True, backref="+", on_delete="RESTRICT")  # only on this product
    source = CharField(max_length=16, default="admin")  # admin | offer | import
    note = TextField(null=True)
    created_at = DateTimeField()
    active = BooleanField(default=True)
    revision = BigIntegerField(null=True, index=False)  # schema 11: the centre's revision (docs/sync.md)
    # schema 12 (issue 16)
    max_discount = IntegerField(null=True)  # kuruş: a percent coupon takes at most this much off
    origin_sale = CharField(max_length=64, null=True, index=True)  # uid of the sale that issued it (next-order)
    rule = CharField(max_length=32, null=True)  # the next-order rule's code that issued it


class CouponUse(BaseModel):
    id = AutoField()
    coupon = ForeignKeyField(Coupon, backref="uses", on_delete="RESTRICT", index=True)
    sale = ForeignKeyField(Sale, backref="+", on_delete="RESTRICT")
    member = ForeignKeyField(Member, null=True, backref="+", on_delete="RESTRICT")
    at = DateTimeField()
    amount = IntegerField()  # kuruş of discount it gave


class SaleBenefit(BaseModel):
    """A loyalty discount on a posted sale, printed as its own line (promotion, stamp, reward, tier, coupon).

    Its amount is already inside ``sale_line.discount`` of ``line_no`` (KDV follows the line)."""

    id = AutoField()
    sale = ForeignKeyField(Sale, backref="benefits", on_delete="RESTRICT", index=True)
    line_no = IntegerField()
    kind = CharField(max_length=16)  # promotion | stamp | reward | tier | coupon
    code = CharField(max_length=32)
    label = CharField(max_length=255)
    amount = IntegerField()  # kuruş
    points = IntegerField(default=0)  # points a reward cost


class SaleLoyalty(BaseModel):
    """What a member's sale earned and why (one row per sale with a member)."""

    sale = ForeignKeyField(Sale, primary_key=True, backref="+", on_delete="RESTRICT")
    member = ForeignKeyField(Member, backref="+", on_delete="RESTRICT", index=True)
    rules = ForeignKeyField(LoyaltyRules, null=True, backref="+", on_delete="RESTRICT")
    tier_code = CharField(max_length=32, null=True)
    base = IntegerField()  # kuruş the points were computed on
    points = IntegerField()  # everything earned on the receipt (base + bonus + supplier)
    bonus = IntegerField(default=0)
    data = TextField()  # canonical JSON breakdown


class SaleFiscal(BaseModel):
    """The fiscal device's (ÖKC) confirmation of a sale: written in the sale's transaction only
    after the device printed and closed the fiscal receipt (schema v5)."""

    sale = ForeignKeyField(Sale, primary_key=True, backref="+", on_delete="RESTRICT")
    device = CharField(max_length=64)  # the device's serial number (sicil no)
    fiscal_no = IntegerField()  # the fiscal receipt number (fiş no) within the Z period
    z_no = IntegerField()  # the Z report the receipt belongs to
    at = DateTimeField()  # when the device closed the receipt (our clock)


class SupplierPoints(BaseModel):
    """Points a supplier funds on a sale line, for the settlement report."""

    id = AutoField()
    sale = ForeignKeyField(Sale, backref="+", on_delete="RESTRICT", index=True)
    supplier = ForeignKeyField(Supplier, backref="+", on_delete="RESTRICT", index=True)
    product = ForeignKeyField(Product, backref="+", on_delete="RESTRICT")
    points = IntegerField()  # signed: negative on a return
    supplier_points = IntegerField()  # the supplier's share, signed


class NpsResponse(BaseModel):
    id = AutoField()
    member = ForeignKeyField(Member, null=True, backref="nps", on_delete="RESTRICT")
    at = DateTimeField(index=True)
    score = IntegerField()  # 0..10
    source = CharField(max_length=16)  # till | import
    sale = ForeignKeyField(Sale, null=True, backref="+", on_delete="RESTRICT")


class Message(BaseModel):
    """A queued marketing/service message; ``key`` makes queueing idempotent per period."""

    id = AutoField()
    member = ForeignKeyField(Member, backref="messages", on_delete="CASCADE", index=True)
    kind = CharField(max_length=16)  # birthday | expiring | tier_up | tier_down
    channel = CharField(max_length=8)  # sms | email
    key = CharField(max_length=96, unique=True)
    created_at = DateTimeField()
    subject = CharField(max_length=255)
    body = TextField()
    status = CharField(max_length=8, default="queued")  # queued | sent | failed
    sent_at = DateTimeField(null=True)
    error = TextField(null=True)


# -- accounts (schema 9) ----------------------------------------------------------------------


class PriceList(BaseModel):
    """A price list (schema 9), e.g. ``TOPTAN``: per product a price or a rule (list price − N %)."""

    id = AutoField()
    code = CharField(max_length=32, unique=True)
    name = CharField(max_length=128)
    created_at = DateTimeField()
    revision = BigIntegerField(null=True, index=False)  # schema 11: the centre's revision (docs/sync.md)


class PriceListItem(BaseModel):
    """One price of a list (schema 9): a fixed ``price`` (kuruş) or ``percent_off`` (hundredths of a
    percent: 1250 = 12,5 %) off the product's list price. ``product`` NULL: the list's rule for every
    product without its own item. Valid from/to are shop days (both inclusive, NULL = open)."""

    id = AutoField()
    price_list = ForeignKeyField(PriceList, backref="items", on_delete="CASCADE", index=False)
    product = ForeignKeyField(Product, null=True, backref="+", on_delete="RESTRICT")
    price = IntegerField(null=True)
    percent_off = IntegerField(null=True)
    valid_from = DateField(null=True)
    valid_to = DateField(null=True)
    created_at = DateTimeField()
    revision = BigIntegerField(null=True, index=False)  # schema 11: the centre's revision (docs/sync.md)

    class Meta:
        indexes = ((("price_list", "product"), False),)


class Party(BaseModel):
    """A customer or supplier account holder (cari, schema 9). ``customer``/``supplier`` link the
    party to the rows sales and stock documents already point at (same code); the account's
    entries are :class:`AccountEntry`. ``credit_limit`` in kuruş (0: no sale on account without an
    override); ``terms_days``: due date = document date + terms."""

    id = AutoField()
    code = CharField(max_length=64, unique=True)
    name = CharField(max_length=255)
    name_key = CharField(max_length=255, index=True)  # text.search_key(name)
    kind = CharField(max_length=16)  # customer | supplier | both
    vkn = CharField(max_length=10, null=True)
    tckn = CharField(max_length=11, null=True)
    tax_office = CharField(max_length=128, null=True)
    address = TextField(null=True)
    phone = CharField(max_length=20, null=True, index=True)
    email = CharField(max_length=255, null=True)
    terms_days = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])
    credit_limit = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])
    price_list = ForeignKeyField(PriceList, null=True, backref="+", on_delete="RESTRICT")
    card = CharField(max_length=64, null=True, unique=True)  # the account card's barcode
    notes = TextField(null=True)
    customer = ForeignKeyField(Customer, null=True, unique=True, backref="+", on_delete="RESTRICT")
    supplier = ForeignKeyField(Supplier, null=True, unique=True, backref="+", on_delete="RESTRICT")
    member = ForeignKeyField(Member, null=True, backref="+", on_delete="RESTRICT")
    currency = CharField(max_length=3, default="TRY", constraints=[SQL("DEFAULT 'TRY'")])  # only TRY for now
    active = BooleanField(default=True, constraints=[SQL("DEFAULT TRUE")])
    created_at = DateTimeField()
    updated_at = DateTimeField()
    revision = BigIntegerField(null=True, index=False)  # schema 11: the centre's revision (docs/sync.md)


class Cheque(BaseModel):
    """A cheque or promissory note (çek, senet; schema 9) in the portfolio or issued by the shop.
    ``status`` is a cache of its last :class:`ChequeEvent` (the audit recomputes it)."""

    id = AutoField()
    number = IntegerField(unique=True)  # the portfolio number, gapless
    instrument = CharField(max_length=8)  # cheque | note
    direction = CharField(max_length=8)  # received | issued
    party = ForeignKeyField(Party, backref="+", on_delete="RESTRICT")  # who gave it / to whom it was issued
    holder = ForeignKeyField(Party, null=True, backref="+", on_delete="RESTRICT")  # endorsed to
    drawer = CharField(max_length=255, null=True)  # keşideci
    bank = CharField(max_length=128, null=True)
    branch = CharField(max_length=128, null=True)
    account_no = CharField(max_length=64, null=True)
    serial = CharField(max_length=64, null=True)
    amount = IntegerField()  # kuruş, > 0
    currency = CharField(max_length=3, default="TRY", constraints=[SQL("DEFAULT 'TRY'")])
    issue_date = DateField(null=True)
    due = DateField(index=True)
    status = CharField(max_length=16)  # portfolio | endorsed | deposited | collected | bounced | issued | paid
    created_at = DateTimeField()


class AccountEntry(BaseModel):
    """One entry on a party's account (schema 9, insert-only); the balance is their sum.

    ``amount`` is signed kuruş: positive means the party owes the shop more (a sale on account, a
    payment to a supplier), negative the shop owes more (a collection, a goods receipt). ``kind``:
    sale | return | collection | receipt | supplier_return | payment | opening | correction |
    cheque_in | cheque_out | cheque_endorse | cheque_bounce | cancel. ``at`` is the entry's
    date (a collection may be entered later), ``due`` the day it falls due. ``document`` names
    what it records for a person (``sale:…``, ``stock:…``, ``cheque:…``); ``applies_to`` matches
    a settlement to one item explicitly (else the oldest open items are settled first);
    ``cancels`` is set on the entry that cancels another (both then leave the open items)."""

    id = AutoField()
    number = IntegerField(unique=True)  # gapless over all accounts
    party = ForeignKeyField(Party, backref="+", on_delete="RESTRICT", index=False)  # (party, at) below
    kind = CharField(max_length=16)
    at = DateTimeField()
    posted_at = DateTimeField()
    due = DateField(null=True)
    amount = IntegerField()
    currency = CharField(max_length=3, default="TRY", constraints=[SQL("DEFAULT 'TRY'")])
    method = CharField(max_length=16, null=True)  # cash | card | transfer | cheque (collections, payments)
    document = CharField(max_length=64, null=True)
    sale = ForeignKeyField(Sale, null=True, backref="+", on_delete="RESTRICT")
    stock_document = ForeignKeyField(StockDocument, null=True, backref="+", on_delete="RESTRICT")
    cheque = ForeignKeyField(Cheque, null=True, backref="+", on_delete="RESTRICT")
    installment = IntegerField(null=True)  # 1..N of an installment plan
    applies_to = ForeignKeyField("self", null=True, backref="+", on_delete="RESTRICT")
    cancels = ForeignKeyField("self", null=True, unique=True, backref="+", on_delete="RESTRICT")
    terminal = CharField(max_length=32)
    user = ForeignKeyField(User, backref="+", on_delete="RESTRICT", index=False)
    shift = ForeignKeyField(Shift, null=True, backref="+", on_delete="RESTRICT")
    reason = CharField(max_length=32, null=True)
    note = TextField(null=True)

    class Meta:
        indexes = ((("party", "at"), False),)


class ChequeEvent(BaseModel):
    """One step of a cheque's life (schema 9, insert-only): received, issued, endorsed, deposited,
    collected, bounced, paid, returned."""

    id = AutoField()
    cheque = ForeignKeyField(Cheque, backref="events", on_delete="RESTRICT")
    kind = CharField(max_length=16)
    at = DateTimeField()
    posted_at = DateTimeField()
    party = ForeignKeyField(Party, null=True, backref="+", on_delete="RESTRICT")  # the endorsee
    terminal = CharField(max_length=32)
    user = ForeignKeyField(User, backref="+", on_delete="RESTRICT", index=False)
    note = TextField(null=True)


class AgendaEntry(BaseModel):
    """A note or task in the agenda (ajanda, schema 9). Automatic entries carry ``source`` (e.g.
    ``cheque:12``), are kept in step with the books and never typed by hand. ``rrule``: an RFC 5545
    recurrence; ``due_at`` the next occurrence (naive UTC)."""

    id = AutoField()
    kind = CharField(max_length=8, default="task", constraints=[SQL("DEFAULT 'task'")])  # note | task
    title = CharField(max_length=200)
    text = TextField(null=True)
    due_at = DateTimeField(null=True, index=True)
    all_day = BooleanField(default=False, constraints=[SQL("DEFAULT FALSE")])
    rrule = CharField(max_length=255, null=True)
    link_kind = CharField(max_length=16, null=True)  # party | product | document | cheque
    link_ref = CharField(max_length=64, null=True)
    assignee = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    role = CharField(max_length=16, null=True)
    status = CharField(max_length=8, default="open", constraints=[SQL("DEFAULT 'open'")])  # open | done
    snoozed_until = DateTimeField(null=True)
    done_at = DateTimeField(null=True)
    done_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    source = CharField(max_length=64, null=True, unique=True)
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    created_at = DateTimeField()
    updated_at = DateTimeField()


# -- e-invoices (schema 10) -------------------------------------------------------------------


class EInvoice(BaseModel):
    """An issued e-Fatura or e-Arşiv invoice (schema 10, insert-only): the UBL-TR XML exactly as issued,
    its number (series + year + 9-digit sequence, gapless per series and year), ETTN and totals (kuruş).
    Its life after issuing (queued, sent, accepted, rejected, cancelled) is :class:`EInvoiceEvent`; a
    correction is a cancellation or a return invoice, never an edit."""

    id = AutoField()
    uuid = CharField(max_length=36, unique=True)  # ETTN
    number = CharField(max_length=16, unique=True)
    series = CharField(max_length=3)
    year = IntegerField()
    seq = IntegerField()
    profile = CharField(max_length=16)  # TEMELFATURA | TICARIFATURA | EARSIVFATURA
    type = CharField(max_length=16)  # SATIS | IADE | ISTISNA | TEVKIFAT
    source = CharField(max_length=16)  # sale | sales | wholesale | supplier_return
    issued_at = DateTimeField(index=True)
    customer_id = CharField(max_length=11)  # VKN or TCKN of the buyer (the supplier for an IADE to one)
    customer_name = CharField(max_length=255)
    customer_alias = CharField(max_length=255, null=True)  # the e-Fatura mailbox it goes to
    party = ForeignKeyField(Party, null=True, backref="+", on_delete="RESTRICT")
    sale = ForeignKeyField(Sale, null=True, backref="+", on_delete="RESTRICT")  # the first (or only) sale
    stock_document = ForeignKeyField(StockDocument, null=True, backref="+", on_delete="RESTRICT")
    billing_ref = CharField(max_length=32, null=True)  # the invoice an IADE refers to
    billing_ref_date = DateField(null=True)
    line_extension = IntegerField()
    allowance_total = IntegerField()
    tax_exclusive = IntegerField()
    kdv = IntegerField()
    withholding = IntegerField()
    tax_inclusive = IntegerField()
    payable = IntegerField()
    currency = CharField(max_length=3, default="TRY", constraints=[SQL("DEFAULT 'TRY'")])
    xml = TextField()
    digest = CharField(max_length=64)  # sha256 of the XML bytes
    terminal = CharField(max_length=32)
    user = ForeignKeyField(User, backref="+", on_delete="RESTRICT", index=False)

    class Meta:
        table_name = "einvoice"
        indexes = ((("series", "year", "seq"), True),)


class EInvoiceSale(BaseModel):
    """The posted sales an invoice covers (schema 10, insert-only; several for a periodic invoice)."""

    invoice = ForeignKeyField(EInvoice, backref="+", on_delete="RESTRICT", index=False)
    sale = ForeignKeyField(Sale, backref="+", on_delete="RESTRICT")

    class Meta:
        table_name = "einvoice_sale"
        primary_key = CompositeKey("invoice", "sale")


class EInvoiceEvent(BaseModel):
    """One step of an invoice's life (schema 10, insert-only): queued, sent, accepted, rejected, cancelled,
    or ``error`` (a try that failed and will be retried). ``reference``: the integrator's id."""

    id = AutoField()
    invoice = ForeignKeyField(EInvoice, backref="+", on_delete="RESTRICT")
    kind = CharField(max_length=16)
    at = DateTimeField()
    attempt = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])
    reference = CharField(max_length=128, null=True)
    code = CharField(max_length=32, null=True)  # the integrator's or GİB's answer code
    message = TextField(null=True)
    terminal = CharField(max_length=32)
    user = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT", index=False)

    class Meta:
        table_name = "einvoice_event"


class EInvoiceQueue(BaseModel):
    """The sender's working state per invoice (schema 10; updated, not a document): the current status
    (a cache of the last event, which the audit recomputes), tries so far and when to try next."""

    invoice = ForeignKeyField(EInvoice, primary_key=True, backref="+", on_delete="RESTRICT")
    status = CharField(max_length=16, index=True)
    attempts = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])
    next_at = DateTimeField(null=True, index=True)
    reference = CharField(max_length=128, null=True)
    message = TextField(null=True)
    updated_at = DateTimeField()

    class Meta:
        table_name = "einvoice_queue"


class EInvoiceUser(BaseModel):
    """The local copy of GİB's registered e-Fatura users (schema 10): one row per identifier and alias."""

    id = AutoField()
    identifier = CharField(max_length=11, index=True)  # VKN or TCKN
    # the mailbox (etiket), urn:mail:defaultpk@firma.com.tr; "alias" in GİB's list (Model.alias is Peewee's)
    mailbox = CharField(max_length=255, column_name="alias")
    title = CharField(max_length=255)
    kind = CharField(max_length=8, default="PK", constraints=[SQL("DEFAULT 'PK'")])  # PK | GB
    registered_at = DateTimeField(null=True)
    alias_created_at = DateTimeField(null=True)
    imported_at = DateTimeField()

    class Meta:
        table_name = "einvoice_user"
        indexes = ((("identifier", "mailbox"), True),)


class ReturnDocument(BaseModel):
    """What the rules ask the shop to keep when goods of an invoiced sale come back (schema 10,
    insert-only; docs/einvoice-rules.md): the IADE invoice a business buyer issued (``kind`` received_iade,
    its number and date), or the return slip / gider pusulası for a consumer (``kind`` return_slip /
    gider_pusulasi, numbered by the shop). Linked to the return and to the original invoice."""

    id = AutoField()
    kind = CharField(max_length=16)
    number = CharField(max_length=32)
    issue_date = DateField()
    sale = ForeignKeyField(Sale, unique=True, backref="+", on_delete="RESTRICT")  # the posted return
    invoice = ForeignKeyField(EInvoice, backref="+", on_delete="RESTRICT")  # the original invoice
    person_name = CharField(max_length=255, null=True)
    person_id = CharField(max_length=11, null=True)  # the consumer's TCKN or the buyer's VKN
    person_address = TextField(null=True)  # the consumer's address (a gider pusulası names it)
    amount = IntegerField()  # kuruş, KDV included
    kdv = IntegerField()
    note = TextField(null=True)
    at = DateTimeField()
    terminal = CharField(max_length=32)
    user = ForeignKeyField(User, backref="+", on_delete="RESTRICT", index=False)


# -- offline sync (schema 11) -----------------------------------------------------------------
# docs/sync.md. A terminal's SQLite file writes an outbox record per write transaction that posted
# anything (``sync_outbox``, sealed by :mod:`pos_tui.store.outbox` from what ``sync_capture``'s
# triggers caught); the central PostgreSQL database keeps every terminal's documents
# (``sync_document``), the ledger rows they carried (``sync_ledger``), the balances they add up to
# (``sync_balance``), the online holds (``sync_hold``) and what went below its bound
# (``sync_overdraft``). Master rows carry ``revision``; deleted ones leave a ``sync_tombstone``.


class Store(BaseModel):
    """A shop of the chain (schema 11). Stock locations belong to one; its ``price_list``, when
    set, prices what its terminals sell (members and their points are chain-wide)."""

    code = CharField(max_length=16, primary_key=True)
    name = CharField(max_length=128)
    price_list = ForeignKeyField(PriceList, null=True, backref="+", on_delete="RESTRICT")
    created_at = DateTimeField()
    revision = BigIntegerField(null=True, index=False)


class SyncOutbox(BaseModel):
    """One posted unit of work of this terminal (insert-only): ``seq`` is gapless per terminal
    (the counter ``sync/outbox`` taken in the same transaction), ``uid`` the document's global id,
    ``hash`` the journal head after it. What it carries is in ``sync_capture``."""

    seq = IntegerField(primary_key=True)
    uid = CharField(max_length=36, unique=True)
    at = DateTimeField()
    kind = CharField(max_length=32)  # the first journal kind of the transaction, else the first table
    hash = CharField(max_length=64)

    class Meta:
        table_name = "sync_outbox"


class SyncCapture(BaseModel):
    """A row the capture triggers saw written (``op`` i insert, u update) in a transaction not
    yet sealed (``outbox`` NULL) or in outbox record ``outbox``."""

    id = AutoField()
    outbox = IntegerField(null=True)
    tbl = CharField(max_length=32)
    row_id = IntegerField()
    op = CharField(max_length=1, default="i", constraints=[SQL("DEFAULT 'i'")])

    class Meta:
        table_name = "sync_capture"
        indexes = ((("outbox", "id"), False),)


class SyncOrigin(BaseModel):
    """Which local row stands for a row that came from elsewhere (a central master row, another
    terminal's ledger row): ``origin`` is its global name (``T1:points_entry:55``, ``c:412``)."""

    tbl = CharField(max_length=32)
    origin = CharField(max_length=80)
    local_id = IntegerField()

    class Meta:
        table_name = "sync_origin"
        primary_key = CompositeKey("tbl", "origin")
        indexes = ((("tbl", "local_id"), False),)


class SyncTerminal(BaseModel):
    """Centre: a terminal that joined, where its documents stand (``high_water``: every ``seq`` up
    to it received; ``head_hash``: the journal hash of that document)."""

    terminal = CharField(max_length=32, primary_key=True)
    store = CharField(max_length=16)
    high_water = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])
    head_hash = CharField(max_length=64, null=True)
    joined_at = DateTimeField()
    last_push_at = DateTimeField(null=True)
    series = TextField(default="{}", constraints=[SQL("DEFAULT '{}'")])  # JSON: its invoice series, checked unique

    class Meta:
        table_name = "sync_terminal"


class SyncDocument(BaseModel):
    """Centre: one outbox record of one terminal, exactly once (insert-only). ``body`` is its JSON:
    the journal entries and the rows the transaction wrote (docs/sync.md)."""

    uid = CharField(max_length=36, primary_key=True)
    terminal = CharField(max_length=32)
    store = CharField(max_length=16)
    seq = IntegerField()
    kind = CharField(max_length=32)
    at = DateTimeField()
    hash = CharField(max_length=64)
    body = TextField()
    received_at = DateTimeField()

    class Meta:
        table_name = "sync_document"
        indexes = ((("terminal", "seq"), True), (("store", "at"), False))


class SyncLedger(BaseModel):
    """Centre: a ledger row a terminal wrote (insert-only), under its global name ``origin``.
    ``ledger``/``key``/``place`` say what it moves (``stock``/product code/location code,
    ``points``/card, ``wallet``/card, ``gift_card``/code, ``account``/party code, ``stamps``/card/stamp
    card, ``coupon``/code); ``data`` is the row with natural keys, for the other terminals."""

    id = AutoField()
    origin = CharField(max_length=80, unique=True)
    document = CharField(max_length=36, index=True)
    terminal = CharField(max_length=32)
    store = CharField(max_length=16)
    tbl = CharField(max_length=32)
    ledger = CharField(max_length=16)
    key = CharField(max_length=64)
    place = CharField(max_length=32, default="", constraints=[SQL("DEFAULT ''")])
    amount = BigIntegerField()
    at = DateTimeField()
    data = TextField()

    class Meta:
        table_name = "sync_ledger"
        indexes = ((("ledger", "key", "place"), False),)


class SyncBalance(BaseModel):
    """Centre: the sum of a ledger per key and place, kept with every row received and every hold."""

    ledger = CharField(max_length=16)
    key = CharField(max_length=64)
    place = CharField(max_length=32, default="", constraints=[SQL("DEFAULT ''")])
    amount = BigIntegerField(default=0, constraints=[SQL("DEFAULT 0")])
    revision = BigIntegerField(null=True, index=True)  # sync_revision_seq at its last change: terminals pull by it

    class Meta:
        table_name = "sync_balance"
        primary_key = CompositeKey("ledger", "key", "place")


class SyncHold(BaseModel):
    """Centre: an amount an online terminal took from a balance before posting ``document`` (the
    sale's uid); settled when the document arrives, released when it never will."""

    document = CharField(max_length=64)
    ledger = CharField(max_length=16)
    key = CharField(max_length=64)
    place = CharField(max_length=32, default="", constraints=[SQL("DEFAULT ''")])
    amount = BigIntegerField()  # signed, as applied to the balance at hold time (a redemption < 0, on account > 0)
    terminal = CharField(max_length=32)
    at = DateTimeField()
    settled_at = DateTimeField(null=True)
    released_at = DateTimeField(null=True)

    class Meta:
        table_name = "sync_hold"
        primary_key = CompositeKey("document", "ledger", "key", "place")


class SyncOverdraft(BaseModel):
    """Centre: what a terminal's offline document did that the centre could not take as it came
    (insert-only), recorded and shown in the reconciliation report, never hidden: ``kind``
    ``overdraft`` (a balance went below its bound) or ``conflict`` (a shared row, e.g. a member
    enrolled on two terminals with one phone number, could not be applied; ``note`` says why)."""

    id = AutoField()
    kind = CharField(max_length=16, default="overdraft", constraints=[SQL("DEFAULT 'overdraft'")])
    ledger = CharField(max_length=16)
    key = CharField(max_length=64)
    place = CharField(max_length=32, default="", constraints=[SQL("DEFAULT ''")])
    balance = BigIntegerField()  # after the document
    document = CharField(max_length=36)
    terminal = CharField(max_length=32)
    at = DateTimeField()
    note = TextField(null=True)

    class Meta:
        table_name = "sync_overdraft"


class SyncTombstone(BaseModel):
    """Centre: a master row deleted at ``revision`` (``key``: its natural key, as text)."""

    revision = BigIntegerField(primary_key=True)
    tbl = CharField(max_length=32)
    key = TextField()
    at = DateTimeField()

    class Meta:
        table_name = "sync_tombstone"


ALL_MODELS: tuple[type[BaseModel], ...] = (
    MetaEntry,
    Counter,
    User,
    LoginAttempt,
    Category,
    Supplier,
    Customer,
    Product,
    Barcode,
    Shift,
    CashMovement,
    Sale,
    SaleLine,
    Payment,
    SaleKdv,
    StockLocation,
    StockDocument,
    StockDocumentLine,
    StockMovement,
    ZClosure,
    JournalEntry,
    CartDraft,
    Member,
    PointsEntry,
    Consent,
    LoyaltyRules,
    TierChange,
    StampEntry,
    WalletEntry,
    GiftCard,
    GiftCardEntry,
    Coupon,
    CouponUse,
    SaleBenefit,
    SaleLoyalty,
    SupplierPoints,
    NpsResponse,
    Message,
    SaleFiscal,
    TerminalLocation,
    StockLevel,
    SupplierPrice,
    CountSession,
    CountLine,
    CountEvent,
    PriceList,
    PriceListItem,
    Party,
    Cheque,
    AccountEntry,
    ChequeEvent,
    AgendaEntry,
    EInvoice,
    EInvoiceSale,
    EInvoiceEvent,
    EInvoiceQueue,
    EInvoiceUser,
    ReturnDocument,
    Store,
    SyncOutbox,
    SyncCapture,
    SyncOrigin,
    SyncTerminal,
    SyncDocument,
    SyncLedger,
    SyncBalance,
    SyncHold,
    SyncOverdraft,
    SyncTombstone,
)

# The tables each schema version added, written out and frozen: a migration creates exactly
# these, so a model inserted into ALL_MODELS cannot change what an old step does.
# tests/staff/test_schema_versions.py compares them with a checked-in list of table names.
V1_MODELS: tuple[type[BaseModel], ...] = (
    MetaEntry,
    Counter,
    User,
    LoginAttempt,
    Category,
    Supplier,
    Customer,
    Product,
    Barcode,
    Shift,
    CashMovement,
    Sale,
    SaleLine,
    Payment,
    SaleKdv,
    StockMovement,
    ZClosure,
    JournalEntry,
)
V2_MODELS: tuple[type[BaseModel], ...] = (ProductWord, CartDraft)
V3_MODELS: tuple[type[BaseModel], ...] = (Member, PointsEntry)
V4_MODELS: tuple[type[BaseModel], ...] = (
    Consent,
    LoyaltyRules,
    TierChange,
    StampEntry,
    WalletEntry,
    GiftCard,
    GiftCardEntry,
    Coupon,
    CouponUse,
    SaleBenefit,
    SaleLoyalty,
    SupplierPoints,
    NpsResponse,
    Message,
)
V5_MODELS: tuple[type[BaseModel], ...] = (SaleFiscal,)
V6_MODELS: tuple[type[BaseModel], ...] = ()  # no new table: journal_entry's ids become AUTOINCREMENT
# No new model: the name index (pos_tui.store.search) replaces product_word, which it drops.
V7_MODELS: tuple[type[BaseModel], ...] = ()
# Stock: locations, documents, the per-location cache, purchase prices and counts (stock_movement and
# product gain columns).
V8_MODELS: tuple[type[BaseModel], ...] = (
    StockLocation,
    TerminalLocation,
    StockDocument,
    StockDocumentLine,
    StockLevel,
    SupplierPrice,
    CountSession,
    CountLine,
    CountEvent,
)
# Accounts (cari): parties, their entries, price lists, cheques and notes; the agenda.
V9_MODELS: tuple[type[BaseModel], ...] = (
    PriceList,
    PriceListItem,
    Party,
    Cheque,
    AccountEntry,
    ChequeEvent,
    AgendaEntry,
)
# e-Fatura and e-Arşiv: issued invoices, the sales they cover, their life, the sender's queue, the
# registered-user list and the documents kept for customer returns.
V10_MODELS: tuple[type[BaseModel], ...] = (
    EInvoice,
    EInvoiceSale,
    EInvoiceEvent,
    EInvoiceQueue,
    EInvoiceUser,
    ReturnDocument,
)
# Offline sync: stores, the terminal's outbox, capture and origin map; the centre's documents, ledger
# rows, balances, holds, overdrafts and tombstones (master tables and stock_location gain columns).
V11_MODELS: tuple[type[BaseModel], ...] = (
    Store,
    SyncOutbox,
    SyncCapture,
    SyncOrigin,
    SyncTerminal,
    SyncDocument,
    SyncLedger,
    SyncBalance,
    SyncHold,
    SyncOverdraft,
    SyncTombstone,
)

# Loyalty mechanics (issue 16): no new table; ``coupon`` gains max_discount, origin_sale and rule.
V12_MODELS: tuple[type[BaseModel], ...] = ()

# Models a later version dropped (their tables are gone from a database at CURRENT_VERSION).
DROPPED_MODELS: tuple[type[BaseModel], ...] = (ProductWord,)  # schema 7

# Per schema version, the models it added (CURRENT_VERSION in migrations is the last key).
MODELS_BY_VERSION: dict[int, tuple[type[BaseModel], ...]] = {
    1: V1_MODELS,
    2: V2_MODELS,
    3: V3_MODELS,
    4: V4_MODELS,
    5: V5_MODELS,
    6: V6_MODELS,
    7: V7_MODELS,
    8: V8_MODELS,
    9: V9_MODELS,
    10: V10_MODELS,
    11: V11_MODELS,
    12: V12_MODELS,
}

# Tables whose rows are never updated or deleted once written.
INSERT_ONLY = (
    CashMovement,
    Sale,
    SaleLine,
    Payment,
    SaleKdv,
    StockMovement,
    StockDocument,
    StockDocumentLine,
    CountEvent,
    ZClosure,
    JournalEntry,
    PointsEntry,
    Consent,
    LoyaltyRules,
    TierChange,
    StampEntry,
    WalletEntry,
    GiftCardEntry,
    CouponUse,
    SaleBenefit,
    SaleLoyalty,
    SupplierPoints,
    NpsResponse,
    SaleFiscal,
    AccountEntry,
    ChequeEvent,
    EInvoice,
    EInvoiceSale,
    EInvoiceEvent,
    ReturnDocument,
    SyncOutbox,
    SyncDocument,
    SyncLedger,
    SyncOverdraft,
    SyncTombstone,
)
