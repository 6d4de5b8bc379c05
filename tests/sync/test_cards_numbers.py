"""Member card numbers of joined terminals (no centre needed): ``26`` ``9`` + the terminal's card
block + its counter + an EAN-13 check digit, never one a shop on its own prints, and a joined
terminal without a block refuses to make one up."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import ean
from sync_support import set_identity

from pos_tui.core.kernel import ValidationError
from pos_tui.core.loyalty import generated_card, members, terminal_card
from pos_tui.core.sync import cards, identity


@given(st.integers(1, 999), st.integers(1, 10**6 - 1))
def test_terminal_cards_carry_the_block_and_the_counter(block: int, sequence: int) -> None:
    card = terminal_card(block, sequence)
    assert len(card) == 13 and card.startswith("269") and ean.is_valid(card)
    assert (int(card[3:6]), int(card[6:12])) == (block, sequence)


@given(st.integers(1, 999), st.integers(1, 10**6 - 1), st.integers(1, 9 * 10**9 - 1))
def test_a_terminal_card_is_never_a_shops_own_card(block: int, sequence: int, own: int) -> None:
    assert terminal_card(block, sequence) != generated_card(own)
    assert generated_card(own) < "269"


@pytest.mark.parametrize(("block", "sequence"), [(0, 1), (1000, 1), (1, 0), (1, 10**6)])
def test_out_of_range(block: int, sequence: int) -> None:
    with pytest.raises(ValidationError):
        terminal_card(block, sequence)


def _enrol(name: str, now: datetime) -> str:
    return members.enroll(name=name, source="cli", actor=None, now=now).card


def test_a_shop_on_its_own_keeps_its_numbers(db: object, now: datetime) -> None:
    assert cards.card_block() is None
    assert _enrol("Ali Veli", now) == "2600000000017"


def test_a_joined_terminal_numbers_in_its_block(db: object, now: datetime) -> None:
    assert _enrol("Önceki Üye", now) == "2600000000017"  # before it joined: the shop's own counter
    set_identity("T2", "S1", "postgresql://centre/shop")
    identity.put({cards.LOCAL_KEY: None})  # joined before the centre gave out card blocks
    with pytest.raises(ValidationError, match="card block"):
        _enrol("Ali Veli", now)
    identity.put({cards.LOCAL_KEY: "7"})
    assert cards.card_block() == 7
    assert [_enrol(name, now) for name in ("Ali Veli", "Ayşe Kaya")] == [terminal_card(7, 1), terminal_card(7, 2)]
    # a typed card that took the next number is stepped over
    members.enroll(name="Elle Yazılan", card=terminal_card(7, 3), source="cli", actor=None, now=now)
    assert _enrol("Can Demir", now) == terminal_card(7, 4)
