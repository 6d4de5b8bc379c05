"""Who is acting: the logged-in user with the permissions of their role.

Services that need a permission take an :class:`Actor` and an optional :class:`Override`.
When the actor lacks the permission and no override is given they raise
:class:`~pos_tui.core.kernel.errors.PermissionDenied`; the UI then asks a supervisor for their PIN
(:func:`pos_tui.core.staff.users.authorize_override`) and repeats the call with the override,
which the service records in the journal with both users and the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pos_tui.core.kernel.errors import PermissionDenied
from pos_tui.core.kernel.formatting import format_percent
from pos_tui.i18n import N_, _

PERMISSION_LABELS = {
    "sell": N_("sell"),
    "return": N_("return items"),
    "return_without_receipt": N_("return without a receipt"),
    "void": N_("void a line"),
    "cancel_sale": N_("cancel a sale"),
    "price_override": N_("change a price"),
    "no_sale": N_("open the drawer without a sale"),
    "cash_movement": N_("pay in or pay out cash"),
    "reports": N_("see reports"),
    "x_report": N_("take an X report"),
    "manual_weight": N_("type a weight by hand"),
    "discount": N_("give this discount"),
    "points_adjust": N_("adjust loyalty points"),
    "own_card": N_("attach their own member card to a sale"),
    "admin": N_("administer users and settings"),
    "receive": N_("receive goods and return them to suppliers"),
    "stock_adjust": N_("adjust and transfer stock"),
    "count": N_("count stock"),
    "count_manage": N_("open, post and cancel stock counts"),
    "on_account": N_("sell on account"),
    "credit_limit": N_("sell past a customer's credit limit"),
    "collect": N_("take a payment on account"),
    "accounts": N_("manage customer and supplier accounts"),
    "einvoice": N_("manage e-invoices (cancel, resend, wholesale invoices, the user list)"),
}


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int
    name: str
    role: str
    permissions: frozenset[str]
    max_discount_pct: int

    def can(self, permission: str) -> bool:
        return permission in self.permissions


@dataclass(frozen=True, slots=True)
class Override:
    """A supervisor allowed one action on a cashier's screen."""

    supervisor: Actor
    reason: str


def permission_label(permission: str) -> str:
    return _(PERMISSION_LABELS.get(permission, permission))


def require(actor: Actor, permission: str, override: Override | None = None) -> Override | None:
    """Check ``permission``. Returns the override that was used (to be journalled), or None.

    Raises PermissionDenied when neither the actor nor the override's supervisor may do it.
    """
    if actor.can(permission):
        return None
    if override is not None and override.supervisor.can(permission):
        return override
    raise PermissionDenied(
        _("{name} may not {action}; a supervisor's PIN is needed").format(
            name=actor.name, action=permission_label(permission)
        ),
        permission,
        reason=_("{name} may not {action}").format(name=actor.name, action=permission_label(permission)),
    )


def require_discount(actor: Actor, percent: Decimal, override: Override | None = None) -> Override | None:
    """A discount of ``percent`` % must be within the actor's (or the supervisor's) limit."""
    if percent <= actor.max_discount_pct:
        return None
    if override is not None and percent <= override.supervisor.max_discount_pct:
        return override
    raise PermissionDenied(
        _("A {pct} discount is above {name}'s limit of {limit}; a supervisor's PIN is needed").format(
            pct=format_percent(percent), name=actor.name, limit=format_percent(actor.max_discount_pct)
        ),
        "discount",
    )
