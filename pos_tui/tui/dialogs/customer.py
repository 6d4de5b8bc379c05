"""Finding, enrolling and detaching the sale's loyalty member (F2 on the sale screen).

One field takes whatever the customer offers: a card scan (barcode, magnetic-stripe track
data, RFID id), a phone number in any spelling, a referral code or part of a name. Enter
attaches an exact card/phone match at once; otherwise the Turkish-aware name matches are
listed to pick with ↑↓ and Enter. F2 opens the one-step enrolment form, pre-filled with what
was typed; F4 takes the member off the sale; F5 (``customer.points``) opens the points operations
of the member on the sale (transfer, donate, adjust: :mod:`pos_tui.tui.dialogs.points_ops`).

The dialog only chooses: it dismisses with a :class:`CustomerChoice` and the sale screen
attaches through :func:`pos_tui.core.till.carts.set_member` with the app's override flow, so a
cashier's own card asks for a supervisor's PIN like every other guarded cart change.
Lookups are single indexed queries and enrolment one short transaction, so they run on the
UI thread and their errors land on the dialog's own error line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.widgets import Checkbox, Input, Label, OptionList
from textual.widgets.option_list import Option

from pos_tui.core.kernel import PosError, ValidationError
from pos_tui.core.loyalty import MemberFieldError, MemberInfo, members
from pos_tui.i18n import _
from pos_tui.tui.base import pos_app
from pos_tui.tui.capabilities import ScanTarget
from pos_tui.tui.dialogs.base import Dialog
from pos_tui.tui.keymap import N_, bind

SEARCH_LIMIT = 20


@dataclass(frozen=True, slots=True)
class CustomerChoice:
    """What the cashier chose: ``member_id`` to attach, or None to take the member off."""

    member_id: int | None


def _looks_like_phone(text: str) -> bool:
    try:
        members.normalize_mobile(text)
    except ValidationError:
        return False
    return True


def _row(member: MemberInfo) -> Table:
    grid = Table.grid(expand=True)
    grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    grid.add_column(justify="right", no_wrap=True)
    grid.add_row(Text(member.name, style="bold"), Text(member.phone or member.card, style="dim"))
    return grid


class CustomerDialog(Dialog[CustomerChoice], ScanTarget):
    """Scan a card, type a phone or a name; Enter attaches, F2 enrols, F4 detaches."""

    TITLE_TEXT = N_("Customer")
    BINDINGS: ClassVar[list[BindingType]] = [
        bind("customer.enroll", "enroll", N_("Enrol"), N_("Enrol a new member and attach them")),
        bind("customer.detach", "detach", N_("Detach"), N_("Take the member off this sale")),
        bind("customer.points", "points", N_("Points"), N_("Transfer, donate or adjust the member's points")),
        bind("list.up", "move(-1)", N_("Up"), N_("Previous result"), show=False),
        bind("list.down", "move(1)", N_("Down"), N_("Next result"), show=False),
    ]

    def __init__(self, current: str | None = None, member_id: int | None = None) -> None:
        """``current`` names the member already on the sale (shown, and what F4 takes off);
        ``member_id`` is that member (whose points F5 works on)."""
        super().__init__()
        self.current = current
        self.member_id = member_id
        self.points_changed = False  # a points operation was done: the sale screen re-reads the member
        self.found: list[MemberInfo] = []
        self.listed_for: str | None = None  # the text the list shows matches for

    def compose_body(self) -> ComposeResult:
        if self.current:
            yield Label(_("On this sale: {name}").format(name=self.current), classes="dialog-prompt")
        yield Input(id="member-query", placeholder=_("Card, phone or name"))
        results = OptionList(id="member-results")
        results.can_focus = False
        yield results

    def hint(self) -> str:
        app = pos_app(self)
        if self.member_id is not None:
            return _("Enter: find · {enroll}: new member · {detach}: detach · {points}: points · Esc: close").format(
                enroll=app.key_label("customer.enroll"),
                detach=app.key_label("customer.detach"),
                points=app.key_label("customer.points"),
            )
        return _("Enter: find · ↑↓ pick · {enroll}: new member · {detach}: detach · Esc: close").format(
            enroll=app.key_label("customer.enroll"), detach=app.key_label("customer.detach")
        )

    @on(Input.Submitted, "#member-query")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        options = self.query_one("#member-results", OptionList)
        if self.found and options.highlighted is not None and text == self.listed_for:
            self.dismiss(CustomerChoice(self.found[options.highlighted].id))
            return
        if not text:
            self.show_error(_("Scan the card, or type a phone number or a name"))
            return
        try:
            member = members.find_member(text)
            found = [] if member is not None else members.search_members(text, SEARCH_LIMIT)
        except PosError as exc:
            self.show_error(exc.message)
            return
        if member is not None:
            self.dismiss(CustomerChoice(member.id))
            return
        self._show(text, found)

    def _show(self, text: str, found: list[MemberInfo]) -> None:
        self.found = found
        self.listed_for = text
        options = self.query_one("#member-results", OptionList)
        options.clear_options()
        for member in found:
            options.add_option(Option(_row(member)))
        if found:
            options.highlighted = 0
            self.clear_error()
        else:
            key = pos_app(self).key_label("customer.enroll")
            self.show_error(_("No member found for {text}; {key} enrols a new one").format(text=text, key=key))

    def action_move(self, delta: int) -> None:
        options = self.query_one("#member-results", OptionList)
        if self.found:
            current = options.highlighted or 0
            options.highlighted = max(0, min(len(self.found) - 1, current + delta))

    @on(OptionList.OptionSelected, "#member-results")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(CustomerChoice(self.found[event.option_index].id))

    def action_detach(self) -> None:
        if not self.current:
            self.show_error(_("No member is on this sale"))
            return
        self.dismiss(CustomerChoice(None))

    def action_points(self) -> None:
        """Transfer, donate or adjust the points of the member on the sale."""
        from pos_tui.tui.dialogs.points_ops import PointsOpsDialog

        if self.member_id is None:
            self.show_error(_("No member is on this sale"))
            return

        def closed(changed: bool | None) -> None:
            if changed:
                self.points_changed = True

        self.app.push_screen(PointsOpsDialog(self.member_id, self.current or f"#{self.member_id}"), closed)

    def action_enroll(self) -> None:
        text = self.query_one("#member-query", Input).value.strip()
        phone = text if _looks_like_phone(text) else ""
        name = "" if phone or any(ch.isdigit() for ch in text) else text

        def enrolled(member: MemberInfo | None) -> None:
            if member is not None:
                self.dismiss(CustomerChoice(member.id))

        self.app.push_screen(EnrollDialog(name=name, phone=phone), enrolled)


class EnrollDialog(Dialog[MemberInfo]):
    """Name, phone, e-mail, birth date and the two marketing consents (off unless the
    customer asks); Enter in any field enrols. Membership consent is what enrolling is, so it
    is stated, not asked; marketing consent is never a condition of membership (KVKK)."""

    TITLE_TEXT = N_("New member")
    BINDINGS: ClassVar[list[BindingType]] = [
        # Enter enrols from anywhere in the form, a consent box too (Space ticks it), as the hint says.
        bind("dialog.ok", "enroll", N_("Enrol"), N_("Enrol a new member and attach them"), show=False, priority=True),
    ]

    FIELDS = ("name", "phone", "email", "birth_date")

    def __init__(self, *, name: str = "", phone: str = "") -> None:
        super().__init__()
        self.initial = {"name": name, "phone": phone}
        self.add_class("wide")  # labels beside the fields: the whole form fits 80×24 without scrolling

    def compose_body(self) -> ComposeResult:
        labels = {
            "name": _("Name"),
            "phone": _("Mobile phone (optional)"),
            "email": _("E-mail (optional)"),
            "birth_date": _("Birth date (optional, DD.MM.YYYY)"),
        }
        for field in self.FIELDS:
            with Horizontal(classes="form-row"):
                yield Label(labels[field], classes="dialog-label")
                yield Input(self.initial.get(field, ""), id=f"enroll-{field}")
        yield Checkbox(_("SMS messages about offers"), False, id="enroll-consent-sms", compact=True)
        yield Checkbox(_("E-mail messages about offers"), False, id="enroll-consent-email", compact=True)
        yield Label(
            _("Enrolling records the customer's consent to membership; offers by SMS or e-mail only if ticked."),
            classes="dialog-presets",
        )

    def on_mount(self) -> None:
        first_empty = next((f for f in self.FIELDS if not self.initial.get(f)), "name")
        self.query_one(f"#enroll-{first_empty}", Input).focus()

    def hint(self) -> str:
        return _("Tab: next field · Space: tick · Enter: enrol · Esc: cancel")

    def _value(self, field: str) -> str:
        return self.query_one(f"#enroll-{field}", Input).value.strip()

    def _fail(self, message: str, field: str | None) -> None:
        if field in self.FIELDS:
            self.query_one(f"#enroll-{field}", Input).focus()
        self.show_error(message)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.enroll()

    def action_enroll(self) -> None:
        self.enroll()

    def enroll(self) -> None:
        session = pos_app(self).session
        if not self._value("name"):
            self._fail(_("Type the customer's name"), "name")
            return
        try:
            birth = members.parse_birth_date(self._value("birth_date")) if self._value("birth_date") else None
            member = members.enroll(
                name=self._value("name"),
                phone=self._value("phone"),
                email=self._value("email") or None,
                birth_date=birth,
                consent_sms=self.query_one("#enroll-consent-sms", Checkbox).value,
                consent_email=self.query_one("#enroll-consent-email", Checkbox).value,
                source="till",
                actor=session.require_actor(),
                now=session.now(),
                tz=session.settings.shop.timezone,
                terminal=session.terminal,
            )
        except MemberFieldError as exc:
            self._fail(exc.message, exc.field)
            return
        except ValidationError as exc:
            text = exc.message.lower()
            self._fail(exc.message, "phone" if "phone" in text else None)
            return
        except PosError as exc:
            self._fail(exc.message, None)
            return
        self.dismiss(member)
