"""The shop's words for the codes the store keeps in English (roles, units, tenders, documents,
customer and card kinds, consent channels, coupon sources, import fields).

The codes stay English in the database and in JSON; anything shown to a person goes through
these functions, so a Turkish till says "adet", "nakit", "iade". Codes without a label (a
role or tender added later in ``pos.toml`` or a plug-in) show as they are.
"""

from __future__ import annotations

from pos_tui.i18n import N_, _

ROLE_LABELS = {"cashier": N_("cashier"), "supervisor": N_("supervisor"), "admin": N_("admin")}
UNIT_LABELS = {"piece": N_("piece"), "kg": N_("kg"), "lt": N_("lt"), "m": N_("m")}
METHOD_LABELS = {
    "cash": N_("Cash"),
    "card": N_("Card"),
    "points": N_("Points"),
    "store_credit": N_("Store credit"),
    "gift_card": N_("Gift card"),
    "gift_card_new": N_("New gift card"),  # a return refunded onto a new card
    "on_account": N_("On account"),
    "transfer": N_("Bank transfer"),
    "cheque": N_("Cheque"),
}
DOCUMENT_LABELS = {
    "sale": N_("sale"),
    "return": N_("return"),
    # stock documents (journal kinds are "stock_" + these)
    "receipt": N_("goods receipt"),
    "supplier_return": N_("return to supplier"),
    "adjustment": N_("stock adjustment"),
    "transfer_out": N_("transfer sent"),
    "transfer_in": N_("transfer received"),
    "count": N_("stock count"),
    "reversal": N_("count reversal"),
}
# Stock movement kinds (stock_movement.kind) and adjustment reasons (stock_movement.reason).
MOVEMENT_LABELS = {
    "sale": N_("sale"),
    "return": N_("return"),
    "import": N_("import"),
    "receipt": N_("goods receipt"),
    "supplier_return": N_("return to supplier"),
    "adjust": N_("adjustment"),
    "count": N_("count"),
    "transfer_out": N_("transfer out"),
    "transfer_in": N_("transfer in"),
    "revalue": N_("revaluation"),
    "purchase": N_("purchase"),
}
REASON_LABELS = {
    "waste": N_("waste"),
    "damage": N_("damage"),
    "loss": N_("loss"),
    "internal": N_("internal use"),
    "correction": N_("correction"),
    "opening": N_("opening stock"),
    "transfer": N_("transfer difference"),
    "count": N_("count difference"),
}
CUSTOMER_KIND_LABELS = {"retail": N_("retail"), "wholesale": N_("wholesale")}
CARD_KIND_LABELS = {
    "barcode": N_("barcode card"),
    "magstripe": N_("magnetic stripe card"),
    "rfid": N_("RFID card"),
    "phone": N_("phone number"),
}
CONSENT_CHANNEL_LABELS = {"membership": N_("membership"), "sms": N_("sms"), "email": N_("email")}
# Where a coupon came from (coupon.source): the codes ``pos-admin loyalty coupons list --source`` takes.
COUPON_SOURCE_LABELS = {
    # Translators: where a coupon came from: made by hand (pos-admin loyalty coupons add)
    "admin": N_("manager"),
    # Translators: where a coupon came from: a personal offer (pos-admin loyalty offers generate)
    "offer": N_("offer"),
    "import": N_("import"),
    # Translators: where a coupon came from: a receipt issued it for the member's next visit
    "next_order": N_("next order"),
}
# Import fields, by their canonical names (pos_tui.core.interchange.imports.*_HEADERS).
FIELD_LABELS = {
    "code": N_("code"),
    "barcode": N_("barcode"),
    "name": N_("name"),
    "unit": N_("unit"),
    "price": N_("price"),
    "cost": N_("cost"),
    "kdv_rate": N_("KDV rate"),
    "category": N_("category"),
    "supplier": N_("supplier"),
    "min_stock": N_("minimum stock"),
    "stock": N_("stock"),
    "active": N_("active"),
    "kind": N_("customer type"),
    "phone": N_("phone"),
    "email": N_("e-mail"),
    "tax_id": N_("tax number"),
    "vkn": N_("tax number"),
    "tax_office": N_("tax office"),
    "address": N_("address"),
    "card": N_("member card"),
    "card_kind": N_("card type"),
    "member": N_("member"),
    "consent_sms": N_("SMS consent"),
    "consent_email": N_("e-mail consent"),
    "birth_date": N_("birth date"),
    # stock files (goods receipts, transfers, handheld counts)
    "qty": N_("quantity"),
    "unit_cost": N_("unit cost"),
    "discount": N_("discount"),
    "line": N_("line"),
    # price list files
    "percent_off": N_("percent off"),
    "valid_from": N_("valid from"),
    "valid_to": N_("valid until"),
}


def _label(table: dict[str, str], code: str) -> str:
    return _(table[code]) if code in table else code


def role_label(role: str) -> str:
    return _label(ROLE_LABELS, role)


def unit_label(unit: str) -> str:
    return _label(UNIT_LABELS, unit)


def method_label(method: str) -> str:
    return _label(METHOD_LABELS, method)


def document_label(kind: str) -> str:
    """A document kind, or a stock document's journal kind (``stock_receipt``)."""
    stock_kind = kind.removeprefix("stock_")
    return _label(DOCUMENT_LABELS, stock_kind if stock_kind in DOCUMENT_LABELS else kind)


def movement_label(kind: str) -> str:
    return _label(MOVEMENT_LABELS, kind)


def reason_label(reason: str) -> str:
    return _label(REASON_LABELS, reason)


def customer_kind_label(kind: str) -> str:
    return _label(CUSTOMER_KIND_LABELS, kind)


def card_kind_label(kind: str) -> str:
    return _label(CARD_KIND_LABELS, kind)


def channel_label(channel: str) -> str:
    """A consent or message channel (membership, sms, email)."""
    return _label(CONSENT_CHANNEL_LABELS, channel)


def coupon_source_label(source: str) -> str:
    """Where a coupon came from (``next_order`` → "sonraki alışveriş" in Turkish)."""
    return _label(COUPON_SOURCE_LABELS, source)


def field_label(field: str) -> str:
    """An import field by its canonical name (``price`` → "fiyat" in Turkish)."""
    return _label(FIELD_LABELS, field)
