"""What the sender hands an integrator and what comes back (docs/einvoice-send.md, "Providers").

An :class:`EInvoiceProvider` is anything with ``send``, ``status``, ``cancel`` and ``lookup_user``:
the folder driver (:mod:`.folder`), the simulator (:mod:`.simulator`) or a shop's own REST client
(``driver = "package.module:factory"``). Two kinds of failure: :class:`ProviderUnavailable` (the
network, a timeout, an answer that cannot be read: the sender tries again later with the same ETTN) and
:class:`ProviderRefused` (a final "no" with GİB's or the integrator's code: the invoice is rejected).

A provider must be **idempotent by ETTN**: sending the same ``uuid`` again (after a timeout whose answer
was lost) never creates a second invoice; it answers with what it knows of the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

from pos_tui.core.kernel.errors import PosError
from pos_tui.i18n import _

# What a provider may answer about one invoice
SENT = "sent"  # it has the invoice; no final answer yet
ACCEPTED = "accepted"
REJECTED = "rejected"
CANCELLED = "cancelled"
UNKNOWN = "unknown"  # it has no invoice with that ETTN
ANSWERS = (SENT, ACCEPTED, REJECTED, CANCELLED, UNKNOWN)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One issued invoice as the sender hands it over: the XML exactly as issued and what a manifest
    or an integrator's API asks for beside it. ``issued_at`` is aware (UTC)."""

    uuid: str  # ETTN
    number: str
    profile: str  # TEMELFATURA | TICARIFATURA | EARSIVFATURA
    type: str  # SATIS | IADE | ISTISNA | TEVKIFAT
    issued_at: datetime
    customer_id: str  # VKN or TCKN
    customer_name: str
    customer_alias: str | None  # the e-Fatura mailbox (urn:mail:…); None on e-Arşiv
    payable: Decimal
    xml: bytes


@dataclass(frozen=True, slots=True)
class Receipt:
    """A provider took an invoice. ``status`` is ``sent`` (answer later), or already ``accepted`` /
    ``rejected`` when the integrator answers at once."""

    uuid: str
    reference: str | None = None  # the integrator's own id of the invoice
    status: str = SENT
    code: str | None = None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    """What a provider knows of an invoice now (``status`` one of :data:`ANSWERS`)."""

    uuid: str
    status: str
    reference: str | None = None
    code: str | None = None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class RegisteredUser:
    """One entry of GİB's registered e-Fatura user list as a provider looks it up live."""

    identifier: str  # VKN or TCKN
    alias: str  # the mailbox, urn:mail:defaultpk@firma.com.tr
    title: str
    kind: str = "PK"  # PK (posta kutusu: receives) | GB (gönderici birim: sends)
    registered_at: date | None = None


class ProviderError(PosError):
    """Something went wrong talking to the integrator."""


class ProviderUnavailable(ProviderError):
    """The integrator could not be reached or did not answer in time, or its answer could not be read:
    nothing is known, so the sender tries again later, with the same ETTN."""


class ProviderRefused(ProviderError):
    """A final refusal of the integrator or GİB (``code``, e.g. GİB's 1150 for a schematron error)."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


@runtime_checkable
class EInvoiceProvider(Protocol):
    """The integrator interface (özel entegratör). docs/einvoice-send.md, "Plugging in a REST client"."""

    name: str

    def send(self, invoice: Outgoing) -> Receipt:
        """Hand the invoice over. Sending an ETTN the provider already has creates nothing new."""
        ...

    def status(self, uuid: str) -> Answer:
        """What the provider knows of this ETTN now."""
        ...

    def cancel(self, uuid: str, reason: str) -> Answer:
        """Cancel (iptal) an e-Arşiv invoice; answers ``cancelled`` or raises :class:`ProviderRefused`."""
        ...

    def lookup_user(self, identifier: str) -> list[RegisteredUser] | None:
        """GİB's registered-user entries of a VKN/TCKN (empty: not registered); None: cannot look up."""
        ...


def check_answer(status: str, where: str) -> str:
    """``status`` if it is one a provider may give, else :class:`ProviderUnavailable` naming ``where``."""
    if status not in ANSWERS:
        raise ProviderUnavailable(
            _('{where}: "status" is {value!r}; expected one of {choices}').format(
                where=where, value=status, choices=", ".join(ANSWERS)
            )
        )
    return status


def text_or_none(data: dict[str, Any], key: str, where: str) -> str | None:
    """An optional text field of a JSON answer; anything but text or null is an unreadable answer."""
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ProviderUnavailable(
        _('{where}: "{field}" must be text, not {value!r}').format(where=where, field=key, value=value)
    )
