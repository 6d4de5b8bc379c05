"""Loyalty: members' points ledger (hold, expiry, redemption, clawback). See docs/loyalty.md."""

from pos_tui.core.loyalty.ledger import (
    Balance,
    Consumption,
    ExpiryPolicy,
    Lot,
    adjust,
    balance,
    clawback,
    donate,
    earn,
    expire_due,
    points_for,
    redeem,
    restore,
    transfer,
)

__all__ = [
    "Balance",
    "Consumption",
    "ExpiryPolicy",
    "Lot",
    "adjust",
    "balance",
    "clawback",
    "donate",
    "earn",
    "expire_due",
    "points_for",
    "redeem",
    "restore",
    "transfer",
]

# Members (docs/members.md)
from pos_tui.core.loyalty.members import (
    ConsentState,
    EarnedBadge,
    MemberInfo,
    anonymize_member,
    check_attach,
    consent_document,
    consents,
    enroll,
    export_member,
    find_member,
    get_member,
    has_consent,
    member_document,
    member_profile,
    normalize_mobile,
    search_members,
    set_consent,
    update_member,
)

__all__ += [
    "ConsentState",
    "EarnedBadge",
    "MemberInfo",
    "anonymize_member",
    "check_attach",
    "consent_document",
    "consents",
    "enroll",
    "export_member",
    "find_member",
    "get_member",
    "has_consent",
    "member_document",
    "member_profile",
    "normalize_mobile",
    "search_members",
    "set_consent",
    "update_member",
]

# Tiers (docs/loyalty-reports.md); the job, messages, NPS and reports are imported from their
# modules (jobs, messages, nps, reports), which keeps smtplib out of the till's start-up.
from pos_tui.core.loyalty.tiers import (  # noqa: E402
    TierChangeInfo,
    TierProgress,
    evaluate_all,
    evaluate_member,
    qualifying_spend,
    set_member_tier,
)

__all__ += [
    "TierChangeInfo",
    "TierProgress",
    "evaluate_all",
    "evaluate_member",
    "qualifying_spend",
    "set_member_tier",
]
