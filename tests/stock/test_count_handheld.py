"""The handheld file parser: separators, headers, decimal comma or dot, a barcode alone is one;
and a Hypothesis round trip over any lines a handheld could write."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from pos_tui.core.stock.counting import parse_handheld


def _parsed(text: str) -> list[tuple[int, str, int]]:
    lines, errors = parse_handheld(text)
    assert errors == []
    return [(ln.line, ln.code, ln.qty) for ln in lines]


def test_separators_header_and_decimals() -> None:
    text = "Barkod;Miktar\n111;2\n222,1,5\n333\t0.250\n\n444\n555;\n"
    assert _parsed(text) == [
        (2, "111", 2_000),
        (3, "222", 1_500),
        (4, "333", 250),
        (6, "444", 1_000),
        (7, "555", 1_000),
    ]
    assert _parsed("\ufeff111;3\r\n222;4\r\n") == [(1, "111", 3_000), (2, "222", 4_000)]  # BOM, CRLF, no header


def test_every_bad_line_is_named() -> None:
    lines, errors = parse_handheld("111;1\n;5\n222;-1\n333;x\n444;1,2345\n555;2\n")
    assert [ln.line for ln in lines] == [1, 6]
    assert [(e.line, e.field) for e in errors] == [(2, "barcode"), (3, "qty"), (4, "qty"), (5, "qty")]


codes = st.text(alphabet="0123456789", min_size=1, max_size=14)
quantities = st.integers(min_value=0, max_value=10**9)


@given(
    st.lists(st.tuples(codes, st.none() | quantities, st.sampled_from([";", ",", "\t"]), st.booleans()), max_size=30),
    st.booleans(),
    st.sampled_from(["\n", "\r\n"]),
)
def test_round_trip(rows: list[tuple[str, int | None, str, bool]], header: bool, newline: str) -> None:
    """Whatever a handheld writes (any separator, comma or dot, a barcode alone) reads back as written."""
    out = ["barcode;qty"] if header else []
    for code, qty, sep, comma in rows:
        if qty is None:
            out.append(code)
            continue
        text = str(Decimal(qty) / 1000)
        if "E" in text:
            text = f"{Decimal(qty) / 1000:f}"
        out.append(f"{code}{sep}{text.replace('.', ',') if comma else text}")
    got = _parsed(newline.join(out))
    expected = [
        (i + 1 + header, code, 1_000 if qty is None else qty) for i, (code, qty, _sep, _comma) in enumerate(rows)
    ]
    assert got == expected


def test_a_count_sheet_row_is_in_the_shops_words() -> None:
    """A paper sheet is read by people: ``adet``/``kg`` and ``1,5`` in Turkish, not ``piece`` and ``1.5``."""
    from pos_tui.core.stock.counting import SheetRow, sheet_cells
    from pos_tui.i18n import set_language

    set_language("tr")
    try:
        assert sheet_cells(SheetRow("1", "", "Domates", "kg", "Sebze", "MAGAZA", 1500)) == [
            "1", "", "Domates", "kg", "MAGAZA", "1,5", ""
        ]  # fmt: skip
        assert sheet_cells(SheetRow("2", "869", "Kola", "piece", "", "MAGAZA", None))[3] == "adet"
    finally:
        set_language("en")
