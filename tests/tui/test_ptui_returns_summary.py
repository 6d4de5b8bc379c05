"""The returns screen's summary names a refund method inside a sentence in lower case:
"50,00 puan olarak iade edilecek", not "50,00 Puan olarak …"."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pos_tui.i18n import set_language
from pos_tui.tui.screens.returns import mid_sentence, refund_parts


@pytest.fixture
def turkish() -> Iterator[None]:
    set_language("tr")
    yield
    set_language("en")


def test_a_method_mid_sentence_is_lower_case_in_turkish(turkish: None) -> None:
    assert refund_parts([("points", "50.00")], None, "tr") == "50,00 puan olarak iade edilecek"
    posted = refund_parts([("points", "50.00")], None, "tr", posted=True)
    assert "puan" in posted and "Puan" not in posted
    assert mid_sentence("İADE Işık", "tr") == "iade ışık"


def test_and_in_english() -> None:
    assert refund_parts([("points", "50.00")], None, "en") == "50.00 back as points"
