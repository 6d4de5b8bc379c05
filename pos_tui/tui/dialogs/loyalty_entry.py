"""Coupons and rewards at the till: the two dialogs the sale screen opens for them.

Both change the cashier's open cart through :mod:`pos_tui.core.till.carts` (saved and priced on
every change, like a scan) and stay open, so several coupons or rewards go in one visit;
Esc closes and hands the latest cart back to the sale screen.

- **Coupons** (``sale.coupon``, Ctrl+O): type or scan the code into the dialog's field (a
  scanner types into the focused field like a keyboard, so a coupon's barcode works there;
  the sale screen's scan field stays for products only, so a coupon code can never be
  mistaken for a product code or the other way round). A code no change of the cart can make
  usable — unknown, withdrawn, not yet valid, expired, used up, another member's — is refused
  with the reason and not added. A coupon whose minimum spend or product the receipt does not
  reach yet is added and listed as *not applied*, with the reason wrapped on a line of its own
  (whole at 80×24): it starts to apply when the receipt reaches it, and a later void that takes
  the receipt below it is never refused.
- **Rewards** (``sale.rewards``, Ctrl+R, shown when the sale has a member): the program's
  rewards catalog with each reward's points, whether the member can afford it now (available
  points minus what the rewards already on the receipt take, and the program's minimum
  balance) and whether its product is in the cart. A discount reward shows what one pick is
  ("100 points = 50,00 TL off") and how often it is on the receipt; Enter on it again takes
  another multiple. Enter gives the highlighted reward; Del (``loyalty.remove``) takes one
  (pick) back off. The points are redeemed when the sale posts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from pos_tui.core import till
from pos_tui.core.basket import Cart
from pos_tui.core.kernel import ZERO, PosError, format_decimal, format_money, format_percent
from pos_tui.core.loyalty import Reward
from pos_tui.i18n import _
from pos_tui.tui.base import pos_app
from pos_tui.tui.capabilities import ScanTarget
from pos_tui.tui.dialogs.base import Dialog
from pos_tui.tui.keymap import N_, bind


def _row(left: Text | str, right: Text | str) -> Table:
    grid = Table.grid(expand=True)
    grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    grid.add_column(justify="right", no_wrap=True)
    grid.add_row(left, right)
    return grid


def reward_points_on(cart: Cart) -> int:
    """Points the rewards applied on ``cart`` will redeem when it posts."""
    return sum(b.points for b in cart.benefits if b.kind == "reward")


def coupon_value(
    kind: str,
    amount: Decimal | None,
    percent: Decimal | None,
    max_discount: Decimal | None = None,
    language: str | None = None,
) -> str:
    """A coupon's value: ``50,00 TL off``, ``%10 off``, ``%20 off, at most 200,00 TL``."""
    if kind == "amount":
        return _("{amount} TL off").format(amount=format_money(amount or ZERO, language))
    value = format_percent(percent or ZERO, language)
    if max_discount is None:
        return _("{percent} off").format(percent=value)
    return _("{percent} off, at most {amount} TL").format(percent=value, amount=format_money(max_discount, language))


@dataclass(frozen=True, slots=True)
class RewardRow:
    """One reward of the catalog as the cashier sees it for this cart and member.

    ``given``: how many times it applies on the cart now; ``left``: the member's points not
    yet taken by the cart's rewards; ``affordable``: one more fits in ``left`` and the member
    has the program's minimum balance; ``in_cart``: its product is on an active line."""

    reward: Reward
    given: int
    left: int
    affordable: bool
    in_cart: bool

    @property
    def short(self) -> int:
        """Points the member lacks for one more (0 when affordable on points)."""
        return max(self.reward.points - self.left, 0)


def given_on(cart: Cart, reward: Reward) -> int:
    """How many times ``reward`` applies on ``cart``: a product reward's free units, or a
    discount reward's picks (its benefit lines carry the picks' points between them)."""
    if reward.kind == "discount":
        points = sum(b.points for b in cart.benefits if b.kind == "reward" and b.code == reward.code)
        return points // reward.points if reward.points > 0 else 0
    return sum(1 for b in cart.benefits if b.kind == "reward" and b.code == reward.code)


def reward_value(reward: Reward, language: str | None = None) -> str:
    """What one pick of a discount reward is: ``100 points = 50,00 TL off``."""
    return _("{points} points = {amount} TL off").format(
        points=format_decimal(reward.points, language=language), amount=format_money(reward.discount, language)
    )


def reward_rows(rewards: Sequence[Reward], cart: Cart, available: int, min_balance: int) -> list[RewardRow]:
    """The catalog rows for ``cart`` and a member with ``available`` points. A discount reward
    needs no product, so it is always "in the cart"; it may be given again (another multiple)."""
    left = available - reward_points_on(cart)
    codes = {ln.code for ln in cart.active_lines}
    rows = []
    for reward in rewards:
        affordable = available >= min_balance and reward.points <= left
        in_cart = reward.kind == "discount" or reward.product in codes
        rows.append(RewardRow(reward, given_on(cart, reward), left, affordable, in_cart))
    return rows


class _CartDialog(Dialog[Cart]):
    """A dialog that changes the open cart in place; Esc dismisses with the changed cart (None
    when nothing changed)."""

    def __init__(self, cart: Cart, language: str = "en") -> None:
        super().__init__()
        self.cart = cart
        self.language = language
        self.changed = False

    def change_cart(self, action: Callable[[], Cart]) -> bool:
        """Run one cart change on the UI thread (a single quick write, like a scan)."""
        try:
            self.cart = action()
        except PosError as exc:
            self.show_error(exc.message)
            return False
        self.changed = True
        self.clear_error()
        return True

    def action_cancel(self) -> None:
        self.dismiss(self.cart if self.changed else None)


class CouponDialog(_CartDialog, ScanTarget):
    """Type or scan coupon codes; the list shows the receipt's coupons, applied or why not."""

    TITLE_TEXT = N_("Coupons")
    BINDINGS: ClassVar[list[BindingType]] = [
        bind("loyalty.remove", "remove", N_("Remove"), N_("Take the highlighted coupon off"), priority=True),
        bind("list.up", "move(-1)", N_("Up"), N_("Previous coupon"), show=False),
        bind("list.down", "move(1)", N_("Down"), N_("Next coupon"), show=False),
    ]

    def __init__(self, cart: Cart, language: str = "en") -> None:
        super().__init__(cart, language)
        self.add_class("wide")  # a reason why a coupon does not apply is a sentence

    def compose_body(self) -> ComposeResult:
        yield Label(_("Type or scan the coupon code"), classes="dialog-prompt")
        yield Input(id="coupon-code", placeholder=_("Coupon code"))
        options = OptionList(id="coupons")
        options.can_focus = False
        yield options

    def hint(self) -> str:
        key = pos_app(self).key_label("loyalty.remove")
        return _("Enter: add · ↑↓ pick · {key}: remove · Esc: close").format(key=key)

    def on_mount(self) -> None:
        self.show_coupons()

    def problems(self) -> tuple[str, ...]:
        """Why coupons on the cart do not apply (the pricing's own reasons)."""
        if not self.cart.coupons:
            return ()
        from pos_tui.core.loyalty import pricing

        session = pos_app(self).session
        try:
            quote = pricing.quote(self.cart, now=session.now(), tz=session.settings.shop.timezone, strict=False)
        except PosError as exc:
            return (exc.message,)
        return quote.problems

    def value_of(self, code: str) -> str:
        """What the coupon is worth, as the cashier reads it ("%20 off, at most 200,00 TL");
        empty when it cannot be read."""
        from pos_tui.core.loyalty import coupons

        try:
            info = coupons.get_coupon(code)
        except PosError:
            return ""
        return coupon_value(info.kind, info.amount, info.percent, info.max_discount, self.language)

    def show_coupons(self) -> None:
        options = self.query_one("#coupons", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        problems = self.problems()
        for code in self.cart.coupons:
            amount = sum((b.amount for b in self.cart.benefits if b.kind == "coupon" and b.code == code), ZERO)
            reason = None
            if amount:
                right = Text(format_money(-amount, self.language), style="green")
            else:
                reason = next((p for p in problems if code in p), None)
                right = Text(_("not applied"), style="yellow")
            grid = _row(Text(code, style="bold"), right)
            if reason:  # on a row of its own, wrapped: the cashier reads it whole at 80×24
                grid.add_row(Text("  " + reason, style="yellow", no_wrap=False, overflow="fold"), "")
            value = self.value_of(code)
            if value:
                grid.add_row(Text("  " + value, style="dim"), "")
            options.add_option(Option(grid))
        if self.cart.coupons:
            options.highlighted = min(highlighted or 0, len(self.cart.coupons) - 1)

    @on(Input.Submitted, "#coupon-code")
    def _submitted(self, event: Input.Submitted) -> None:
        from pos_tui.core.kernel import shop_day
        from pos_tui.core.loyalty import coupons

        code = coupons.normalise_code(event.value)
        if not code:
            self.action_cancel()
            return
        session = pos_app(self).session
        actor = session.require_actor()
        now = session.now()
        try:
            # Refused now: what no change of the cart can fix (the minimum spend is left to pricing).
            coupons.check_coupon(code, member_id=self.cart.member_id, day=shop_day(now, session.settings.shop.timezone))
        except PosError as exc:
            self.show_error(exc.message)
            event.input.value = ""
            return
        if self.change_cart(lambda: till.add_coupon(session.terminal, actor, code, now=now, tz=session.tz)):
            event.input.value = ""
            self.show_coupons()

    def action_move(self, delta: int) -> None:
        options = self.query_one("#coupons", OptionList)
        if self.cart.coupons:
            options.highlighted = max(0, min(len(self.cart.coupons) - 1, (options.highlighted or 0) + delta))

    def action_remove(self) -> None:

        index = self.query_one("#coupons", OptionList).highlighted
        if index is None or not self.cart.coupons:
            self.show_error(_("There is no coupon on this receipt"))
            return
        code = self.cart.coupons[index]
        session = pos_app(self).session
        actor = session.require_actor()
        if self.change_cart(
            lambda: till.remove_coupon(session.terminal, actor, code, now=session.now(), tz=session.tz)
        ):
            self.show_coupons()


class RewardsDialog(_CartDialog):
    """The member's rewards catalog: Enter gives the highlighted reward, Del takes one back."""

    TITLE_TEXT = N_("Rewards")
    BINDINGS: ClassVar[list[BindingType]] = [
        bind("loyalty.remove", "remove", N_("Remove"), N_("Take the highlighted reward off"), priority=True),
    ]

    def __init__(self, cart: Cart, language: str = "en") -> None:
        super().__init__(cart, language)
        self.rows: list[RewardRow] = []
        self.available = 0
        self.pending = 0
        self.min_balance = 0
        self.rewards: tuple[Reward, ...] = ()

    def compose_body(self) -> ComposeResult:
        yield Label("", id="rewards-points", classes="dialog-prompt")
        yield OptionList(id="rewards")

    def hint(self) -> str:
        key = pos_app(self).key_label("loyalty.remove")
        return _("↑↓ pick · Enter: give · {key}: remove · Esc: close").format(key=key)

    def on_mount(self) -> None:
        from pos_tui.core.kernel import shop_day
        from pos_tui.core.loyalty import ledger, rules

        session = pos_app(self).session
        program = rules.active_program()
        self.rewards = program.rewards
        self.min_balance = program.points.min_balance
        if self.cart.member_id is not None:
            tz = session.settings.shop.timezone
            try:
                bal = ledger.balance(self.cart.member_id, as_of=shop_day(session.now(), tz), tz=tz)
            except PosError as exc:
                self.show_error(exc.message)
            else:
                self.available, self.pending = bal.available, bal.pending
        self.show_rewards()
        options = self.query_one("#rewards", OptionList)
        if self.rows:
            options.highlighted = 0
        options.focus()
        if not self.rewards:
            self.show_error(_("The loyalty program has no rewards catalog"))

    def show_rewards(self) -> None:
        self.rows = reward_rows(self.rewards, self.cart, self.available, self.min_balance)
        taken = reward_points_on(self.cart)
        self.query_one("#rewards-points", Label).update(
            _("{available} points available ({pending} pending); the rewards on this receipt take {taken}").format(
                available=self.available, pending=self.pending, taken=taken
            )
        )
        options = self.query_one("#rewards", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        for row in self.rows:
            discount = row.reward.kind == "discount"
            left = Text.assemble(
                (row.reward.name, "bold"), "  ", (_("{n} points").format(n=format_decimal(row.reward.points)), "dim")
            )
            if discount:
                left = Text(row.reward.name, style="bold")
            entered = self.cart.rewards.count(row.reward.code)
            if discount and 0 < row.given < entered:  # a pick no longer fits (a void, the cap)
                status = Text(_("{n} of {entered} picks apply").format(n=row.given, entered=entered), style="yellow")
            elif row.given and discount:
                off = sum(
                    (b.amount for b in self.cart.benefits if b.kind == "reward" and b.code == row.reward.code), ZERO
                )
                status = Text(
                    _("on the receipt ×{n} ({amount})").format(n=row.given, amount=format_money(-off, self.language)),
                    style="green",
                )
            elif row.given:
                status = Text(_("on the receipt ×{n}").format(n=row.given), style="green")
            elif row.reward.code in self.cart.rewards:
                status = Text(_("entered, not applied"), style="yellow")
            elif not row.in_cart:
                status = Text(_("put product {code} in the cart").format(code=row.reward.product), style="yellow")
            elif row.affordable:
                status = Text(_("affordable"), style="green")
            elif self.available < self.min_balance:
                status = Text(_("needs a balance of {n}").format(n=self.min_balance), style="red")
            else:
                status = Text(_("{n} points short").format(n=format_decimal(row.short)), style="red")
            grid = _row(left, status)
            if discount:  # a second line: what one pick is (Enter again takes another)
                grid.add_row(Text("  " + reward_value(row.reward, self.language), style="dim"), "")
            options.add_option(Option(grid))
        if self.rows:
            options.highlighted = min(highlighted or 0, len(self.rows) - 1)

    def _highlighted(self) -> RewardRow | None:
        index = self.query_one("#rewards", OptionList).highlighted
        return None if index is None or index >= len(self.rows) else self.rows[index]

    @on(OptionList.OptionSelected, "#rewards")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.give(self.rows[event.option_index])

    def refusal(self, row: RewardRow) -> str:
        """Why ``row``'s reward cannot be taken (one more pick), said as a refusal: the member's
        balance is under the program's minimum, or the points left are fewer than it needs."""
        lang = self.language
        if self.available < self.min_balance:
            return _(
                "Reward {name} cannot be taken: the member needs a balance of at least {min} points for rewards "
                "and has {available}"
            ).format(
                name=row.reward.name,
                min=format_decimal(self.min_balance, language=lang),
                available=format_decimal(self.available, language=lang),
            )
        return _(
            "Reward {name} cannot be taken: not enough points, it needs {points} and {left} are left "
            "({available} available, {taken} taken by the rewards on this receipt)"
        ).format(
            name=row.reward.name,
            points=format_decimal(row.reward.points, language=lang),
            left=format_decimal(max(row.left, 0), language=lang),
            available=format_decimal(self.available, language=lang),
            taken=format_decimal(reward_points_on(self.cart), language=lang),
        )

    def give(self, row: RewardRow) -> None:
        """Put ``row``'s reward on the receipt, or say why it cannot go on."""
        from pos_tui.core.loyalty import pricing

        reward = row.reward
        if not row.in_cart:
            self.show_error(
                _("Reward {name}: put product {product} in the cart first").format(
                    name=reward.name, product=reward.product
                )
            )
            return
        if not row.affordable:
            self.show_error(self.refusal(row))
            return
        session = pos_app(self).session
        actor = session.require_actor()
        now = session.now()
        tz = session.settings.shop.timezone
        try:
            # Read only: would the reward apply? (its product may be taken by another free-item benefit)
            quote = pricing.quote(self.cart.with_rewards((*self.cart.rewards, reward.code)), now=now, tz=tz)
        except PosError as exc:
            self.show_error(exc.message)
            return
        applied = given_on(quote.cart, reward)
        if applied <= row.given:
            self.show_error("\n".join(quote.problems) or _("Reward {name} does not apply").format(name=reward.name))
            return
        if self.change_cart(lambda: till.add_reward(session.terminal, actor, reward.code, now=now, tz=session.tz)):
            self.show_rewards()

    def action_remove(self) -> None:

        row = self._highlighted()
        if row is None or row.reward.code not in self.cart.rewards:
            self.show_error(_("Highlight a reward that is on the receipt"))
            return
        session = pos_app(self).session
        actor = session.require_actor()
        code = row.reward.code
        if self.change_cart(
            lambda: till.remove_reward(session.terminal, actor, code, now=session.now(), tz=session.tz)
        ):
            self.show_rewards()
