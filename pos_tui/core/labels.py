"""The shop's words for the codes the store keeps in English (roles, units, tenders, documents).

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
}
DOCUMENT_LABELS = {"sale": N_("sale"), "return": N_("return")}


def _label(table: dict[str, str], code: str) -> str:
    return _(table[code]) if code in table else code


def role_label(role: str) -> str:
    return _label(ROLE_LABELS, role)


def unit_label(unit: str) -> str:
    return _label(UNIT_LABELS, unit)


def method_label(method: str) -> str:
    return _label(METHOD_LABELS, method)


def document_label(kind: str) -> str:
    return _label(DOCUMENT_LABELS, kind)
