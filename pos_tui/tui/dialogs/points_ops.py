"""The member's points operations at the till (issue 16): transfer, donate, adjust.

Opened from the customer dialog (F2 on the sale screen, then ``customer.points``) for the member
on the sale. Three modes, one key each (``points.transfer``, ``points.donate``,
``points.adjust``); the member's available points stay on top.

- **Transfer**: the receiver's card scanned or their phone, card or member id typed (Enter finds
  them, shows their name and goes to the points), the box "the giving member consents" ticked
  with Space (from the points field too), the points, Enter. The consent is recorded as "till:
  consent box".
- **Donate**: a charity of the program picked with ↑↓, the points, Enter.
- **Adjust**: ±points and a reason, Enter (needs ``points_adjust``).

The writes run in a thread worker (:class:`~pos_tui.tui.calls.CoreCall`); a transfer above the
program's ``supervisor_above`` or an adjustment by a cashier fails with PermissionDenied, and the
app's override flow asks for a supervisor's PIN and runs it again. Every refusal lands on the
dialog's own error line; the dialog stays open after an operation (the result line says what
was done, until the mode changes or an error shows) and dismisses with True when anything was
done, so the sale screen re-reads the member.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from textual import events, on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Checkbox, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from pos_tui.core.kernel import NotFound, Override, PosError, ValidationError, format_decimal, shop_day
from pos_tui.core.loyalty import Charity, MemberInfo, members, points_ops, rules
from pos_tui.i18n import _
from pos_tui.tui.base import pos_app
from pos_tui.tui.capabilities import ScanTarget
from pos_tui.tui.dialogs.base import Dialog
from pos_tui.tui.keymap import N_, bind

Mode = Literal["transfer", "donate", "adjust"]
MODES: tuple[Mode, ...] = ("transfer", "donate", "adjust")


@dataclass
class PointsOperationDone(Message, bubble=False):
    """A points operation was written; ``result`` is its core dataclass."""

    result: Any  # points_ops.PointsTransfer | PointsDonation | PointsAdjustment


def find_receiver(text: str) -> MemberInfo:
    """The member a card, phone number or member id names (a card or phone wins over an id)."""
    found = members.find_member(text)
    if found is not None:
        return found
    if text.strip().isdigit():
        member = members.get_member(int(text.strip()))
        if not member.anonymized:
            return member
    raise NotFound(_("No member with card, phone or id {text!r}").format(text=text.strip()[:24]))


def _points(text: str, *, signed: bool = False) -> int:
    value = text.strip().replace(" ", "").replace(".", "")  # 1.500 as the shop writes it
    body = value[1:] if signed and value[:1] in "+-" else value
    if not body or not body.isdigit() or not body.isascii():
        if signed:
            raise ValidationError(_("Type the points as a whole number, such as 50 or -50"))
        raise ValidationError(_("Type the points as a whole number, such as 50"))
    return int(value)


class _PointsField(Input):
    """The points field: it leaves Space to the dialog's binding (a space in a number means
    nothing; in transfer mode Space ticks the consent box, elsewhere it is typed as before)."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character != " " and super().check_consume_key(key, character)


class PointsOpsDialog(Dialog[bool], ScanTarget):
    """Transfer, donate or adjust the points of ``member_id`` (module doc)."""

    TITLE_TEXT = N_("Points")
    DEFAULT_CSS = """
    PointsOpsDialog #ops-transfer, PointsOpsDialog #ops-donate { height: auto; }
    PointsOpsDialog #ops-charities { height: auto; max-height: 6; margin-bottom: 1; }
    PointsOpsDialog #ops-mode { text-style: bold; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        bind("points.transfer", "mode('transfer')", N_("Transfer points"), N_("Give points to another member")),
        bind("points.donate", "mode('donate')", N_("Donate"), N_("Donate points to a charity")),
        bind("points.adjust", "mode('adjust')", N_("Adjust"), N_("Correct the member's points (manager)")),
        bind("dialog.yes", "confirm", N_("Do it"), N_("Carry out the operation"), show=False),
        bind("list.up", "move(-1)", N_("Up"), N_("Previous charity"), show=False),
        bind("list.down", "move(1)", N_("Down"), N_("Next charity"), show=False),
        # Space ticks the consent box from the points field too (skipped in the fields that take a
        # space: the receiver's phone, the reason), so Enter on the receiver may go to the points.
        Binding("space", "consent", N_("Consent"), show=False, priority=True),
    ]

    def __init__(self, member_id: int, name: str, mode: Mode = "transfer") -> None:
        super().__init__(_("Points of {name}").format(name=name))
        self.member_id = member_id
        self.mode: Mode = mode
        self.receiver: MemberInfo | None = None
        self.charities: tuple[Charity, ...] = rules.active_program().charities
        self.busy = False
        self.changed = False
        self.add_class("wide")

    # -- layout ------------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        yield Label("", id="ops-balance", classes="dialog-prompt")
        yield Label("", id="ops-mode")
        with Vertical(id="ops-transfer"):
            with Horizontal(classes="form-row"):
                yield Label(_("Receiver"), classes="dialog-label")
                yield Input(id="ops-receiver", placeholder=_("Card, phone or member number"))
            yield Label("", id="ops-receiver-name")
            yield Checkbox(_("The giving member consents"), False, id="ops-consent", compact=True)
        with Vertical(id="ops-donate"):
            yield Label(_("Charity (↑↓)"), classes="dialog-label")
            charities = OptionList(*(Option(c.name, id=c.code) for c in self.charities), id="ops-charities")
            yield charities
        with Horizontal(classes="form-row"):
            yield Label(_("Points"), id="ops-points-label", classes="dialog-label")
            yield _PointsField(id="ops-points", restrict=r"[-+0-9. ]*", max_length=12)
        with Horizontal(classes="form-row", id="ops-reason-row"):
            yield Label(_("Reason"), classes="dialog-label")
            yield Input(id="ops-reason", max_length=200)
        yield Static("", id="ops-result")

    def hint(self) -> str:
        """The mode keys and, in transfer mode, how the consent box is ticked."""
        app = pos_app(self)
        if self.mode == "transfer":
            text = _(
                "{transfer} transfer · {donate} donate · {adjust} adjust · Space: consent box · Enter: do it · "
                "Esc: close"
            )
        else:
            text = _("{transfer} transfer · {donate} donate · {adjust} adjust · Enter: do it · Esc: close")
        return text.format(
            transfer=app.key_label("points.transfer"),
            donate=app.key_label("points.donate"),
            adjust=app.key_label("points.adjust"),
        )

    def show_error(self, message: str) -> None:
        """A new error replaces the last operation's result line (it no longer describes the form)."""
        self.query_one("#ops-result", Static).update("")
        super().show_error(message)

    def on_mount(self) -> None:
        self.show_balance()
        self.action_mode(self.mode)

    def show_balance(self) -> None:
        """The member's points now (one read of the ledger)."""
        session = pos_app(self).session
        tz = session.settings.shop.timezone
        try:
            b = points_ops.points_balance(self.member_id, as_of=shop_day(session.now(), tz), tz=tz)
        except PosError as exc:
            self.show_error(exc.message)
            return
        self.query_one("#ops-balance", Label).update(
            _("Available: {available} points · pending: {pending}").format(
                available=format_decimal(b.available), pending=format_decimal(b.pending)
            )
        )

    def action_mode(self, mode: str) -> None:
        if self.busy or mode not in MODES:
            return
        if mode != self.mode:  # the last result was of the other mode's form
            self.query_one("#ops-result", Static).update("")
        self.mode = mode  # type: ignore[assignment]  # one of MODES, checked above
        titles = {
            "transfer": _("Transfer to another member"),
            "donate": _("Donate to a charity"),
            "adjust": _("Adjust (manager)"),
        }
        self.query_one("#ops-mode", Label).update(titles[self.mode])
        self.query_one(".dialog-hint", Static).update(self.hint())
        self.query_one("#ops-transfer").display = self.mode == "transfer"
        self.query_one("#ops-donate").display = self.mode == "donate"
        self.query_one("#ops-reason-row").display = self.mode == "adjust"
        self.query_one("#ops-points-label", Label).update(_("Points (+/-)") if self.mode == "adjust" else _("Points"))
        self.clear_error()
        if self.mode == "transfer":
            self.query_one("#ops-receiver", Input).focus()
        elif self.mode == "donate":
            options = self.query_one("#ops-charities", OptionList)
            if not self.charities:
                self.show_error(_("The loyalty programme names no charity ([[charities]] in the rules)"))
            elif options.highlighted is None:
                options.highlighted = 0
            options.focus()
        else:
            self.query_one("#ops-points", Input).focus()
        self.call_after_refresh(self.fit_body)

    # -- entering ----------------------------------------------------------------------------------

    @on(Input.Submitted, "#ops-receiver")
    def _receiver_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.look_up_receiver()

    def look_up_receiver(self) -> bool:
        field = self.query_one("#ops-receiver", Input)
        text = field.value.strip()
        name = self.query_one("#ops-receiver-name", Label)
        self.receiver = None
        name.update("")
        if not text:
            field.focus()
            self.show_error(_("Scan the receiver's card, or type their phone number"))
            return False
        try:
            receiver = find_receiver(text)
        except PosError as exc:
            field.focus()
            self.show_error(exc.message)
            return False
        if receiver.id == self.member_id:
            field.focus()
            self.show_error(_("A member cannot transfer points to themselves"))
            return False
        self.receiver = receiver
        name.update(_("To: {name} (member #{id})").format(name=receiver.name, id=receiver.id))
        self.clear_error()
        self.query_one("#ops-points", Input).focus()
        return True

    def action_consent(self) -> None:
        """Space: tick (or untick) the consent box, in transfer mode, unless the focused field
        takes a space itself (the receiver's phone number, the reason)."""
        focused = self.app.focused
        if self.mode != "transfer" or self.busy or (isinstance(focused, Input) and focused.id != "ops-points"):
            raise SkipAction()
        consent = self.query_one("#ops-consent", Checkbox)
        consent.value = not consent.value

    @on(Checkbox.Changed, "#ops-consent")
    def _consented(self, event: Checkbox.Changed) -> None:
        if event.value:
            self.query_one("#ops-points", Input).focus()

    def on_key(self, event: events.Key) -> None:
        """Digits (and a sign) typed while the consent box has the focus go to the points field,
        not nowhere."""
        consent = self.query_one("#ops-consent", Checkbox)
        if consent.has_focus and event.character is not None and event.character in "0123456789+-.":
            event.stop()
            event.prevent_default()
            field = self.query_one("#ops-points", Input)
            field.focus()  # deferred (call_later): the key follows it, so it lands after the field's Focus
            self.app.call_later(field.post_message, events.Key(event.key, event.character))

    @on(OptionList.OptionSelected, "#ops-charities")
    def _charity_picked(self) -> None:
        self.query_one("#ops-points", Input).focus()

    def action_move(self, delta: int) -> None:
        options = self.query_one("#ops-charities", OptionList)
        if self.mode == "donate" and self.charities and not options.has_focus:
            current = options.highlighted or 0
            options.highlighted = max(0, min(len(self.charities) - 1, current + delta))

    @on(Input.Submitted, "#ops-points")
    def _points_entered(self, event: Input.Submitted) -> None:
        event.stop()
        if self.mode == "adjust" and not self.query_one("#ops-reason", Input).value.strip():
            self.query_one("#ops-reason", Input).focus()
            return
        self.action_confirm()

    @on(Input.Submitted, "#ops-reason")
    def _reason_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    # -- doing -------------------------------------------------------------------------------------

    def _typed_points(self) -> int | None:
        field = self.query_one("#ops-points", Input)
        try:
            points = _points(field.value, signed=self.mode == "adjust")
        except ValidationError as exc:
            field.focus()
            self.show_error(exc.message)
            return None
        if points == 0 or (points < 0 and self.mode != "adjust"):
            field.focus()
            self.show_error(_("Type the points as a whole number, such as 50"))
            return None
        return points

    def action_confirm(self) -> None:
        """Carry out the operation of the current mode in a worker."""
        from pos_tui.tui.calls import CoreCall

        if self.busy:
            return
        if self.mode == "transfer":
            if not self.look_up_receiver():  # again: the field may have changed since Enter
                return
            consent = self.query_one("#ops-consent", Checkbox)
            if not consent.value:
                self.query_one("#ops-points", Input).focus()
                self.show_error(_("Press Space to tick the box once the giving member has consented"))
                return
        charity: str | None = None
        if self.mode == "donate":
            options = self.query_one("#ops-charities", OptionList)
            if not self.charities or options.highlighted is None:
                self.show_error(_("Pick the charity"))
                return
            charity = self.charities[options.highlighted].code
        reason = self.query_one("#ops-reason", Input).value.strip()
        if self.mode == "adjust" and not reason:
            self.query_one("#ops-reason", Input).focus()
            self.show_error(_("A reason is needed"))
            return
        points = self._typed_points()
        if points is None:
            return
        session = pos_app(self).session
        actor = session.require_actor()
        tz = session.settings.shop.timezone
        member_id, mode = self.member_id, self.mode
        receiver_id = None if self.receiver is None else self.receiver.id
        consent_text = _("till: consent box")

        def run(override: Override | None) -> Any:
            now = session.now()
            common: dict[str, Any] = {"actor": actor, "override": override, "terminal": session.terminal, "now": now}
            if mode == "transfer":
                assert receiver_id is not None
                return points_ops.transfer_points(member_id, receiver_id, points, consent=consent_text, tz=tz, **common)
            if mode == "donate":
                assert charity is not None
                return points_ops.donate_points(member_id, points, charity, tz=tz, **common)
            return points_ops.adjust_points(member_id, points, reason, tz=tz, **common)

        self.busy = True
        self.clear_error()
        pos_app(self).call_core(
            CoreCall(
                run=run,
                reply=PointsOperationDone,
                target=self,
                description=_("Points"),
                group="points_ops",
                overridable=True,
            )
        )

    def describe(self, result: Any) -> str:
        """What the cashier reads after an operation."""
        if isinstance(result, points_ops.PointsTransfer):
            assert self.receiver is not None
            return _("Gave {points} points to {name}; {left} remain available.").format(
                points=format_decimal(result.points),
                name=self.receiver.name,
                left=format_decimal(result.giver_available),
            )
        if isinstance(result, points_ops.PointsDonation):
            return _("Donated {points} points to {charity}; {left} remain available.").format(
                points=format_decimal(result.points), charity=result.charity_name, left=format_decimal(result.available)
            )
        return _("Adjusted by {points} points; {left} available.").format(
            points=points_ops.signed_points(result.points), left=format_decimal(result.available)
        )

    @on(PointsOperationDone)
    def _done(self, event: PointsOperationDone) -> None:
        self.busy = False
        self.changed = True
        self.clear_error()
        self.query_one("#ops-result", Static).update(self.describe(event.result))
        for name in ("#ops-points", "#ops-reason", "#ops-receiver"):
            self.query_one(name, Input).value = ""
        self.query_one("#ops-consent", Checkbox).value = False
        self.query_one("#ops-receiver-name", Label).update("")
        self.receiver = None
        self.show_balance()
        self.action_mode(self.mode)

    def core_error(self, message: str) -> None:
        self.busy = False
        super().core_error(message)

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(self.changed)
