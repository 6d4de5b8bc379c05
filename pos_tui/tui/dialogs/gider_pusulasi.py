"""The consumer on a gider pusulası (the receipt list's return-document key, docs/einvoice-till.md): the
name and TCKN, filled from the sale's invoice, and an optional address for the printed form. The dialog
only checks what was typed; the core records the document (:func:`pos_tui.tui.invoicing.record_gider_pusulasi`).
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.widgets import Input, Label, Static

from pos_tui.i18n import _
from pos_tui.tui.dialogs.base import Dialog
from pos_tui.tui.invoicing import GiderPusulasiRequest
from pos_tui.tui.keymap import N_, bind

FIELDS = ("name", "tckn", "address")


class GiderPusulasiDialog(Dialog[GiderPusulasiRequest]):
    """Name, TCKN and address of the consumer who brought goods of an invoiced sale back."""

    TITLE_TEXT = N_("Gider pusulası")
    BINDINGS: ClassVar[list[BindingType]] = [
        bind("dialog.ok", "ok", N_("Record"), N_("Record the gider pusulası"), show=False, priority=True),
    ]

    def __init__(self, *, receipt: str, invoice: str, name: str = "", tckn: str = "") -> None:
        super().__init__()
        self.add_class("wide")
        self.receipt, self.invoice = receipt, invoice
        self.initial = {"name": name, "tckn": tckn}

    def compose_body(self) -> ComposeResult:
        yield Static(
            _("Return {receipt} of invoice {invoice}: the customer signs the printed form").format(
                receipt=self.receipt, invoice=self.invoice
            )
        )
        labels = {"name": _("Name"), "tckn": _("TCKN"), "address": _("Address (optional)")}
        for field in FIELDS:
            with Horizontal(classes="form-row"):
                yield Label(labels[field], classes="dialog-label")
                yield Input(self.initial.get(field, ""), id=f"gp-{field}", max_length=255 if field != "tckn" else 11)

    def on_mount(self) -> None:
        first_empty = next((f for f in FIELDS if not self.initial.get(f)), "name")
        self.query_one(f"#gp-{first_empty}", Input).focus()

    def hint(self) -> str:
        return _("Tab: next field · Enter: record and save the form · Esc: cancel")

    def _value(self, field: str) -> str:
        return " ".join(self.query_one(f"#gp-{field}", Input).value.split())

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_ok()

    def action_ok(self) -> None:
        name, tckn = self._value("name"), self._value("tckn")
        if not name:
            self.query_one("#gp-name", Input).focus()
            self.show_error(_("Type the customer's name: the gider pusulası names who brought the goods back"))
            return
        if tckn and (len(tckn) != 11 or not tckn.isdigit()):
            self.query_one("#gp-tckn", Input).focus()
            self.show_error(_("A TCKN has 11 digits; leave it empty if the customer gives none"))
            return
        self.dismiss(GiderPusulasiRequest(name=name, tckn=tckn, address=self._value("address")))
