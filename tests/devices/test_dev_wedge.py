"""Keyboard-wedge scans: BurstDetector (scan vs typing, any chunking, nothing lost) and the Turkish-Q keymap."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pos_tui.devices.wedge import (
    CODE_CHARACTERS,
    HOLD,
    PASS,
    TURKISH_Q_TO_US,
    US_TO_TURKISH_Q,
    BurstDetector,
    Decision,
    normalize_code,
    type_on_turkish_q,
)

BURST = 0.050


def run(detector: BurstDetector, keys: list[tuple[str, float]], end: float | None = None) -> list[Decision]:
    decisions = [detector.feed(key, at) for key, at in keys]
    if end is not None:
        decisions.append(detector.expire(end))
    return decisions


def typed(decisions: list[Decision], keys: list[tuple[str, float]]) -> list[str]:
    """What reached the focused widget: passthrough keys where they came, released keys in order."""
    out: list[str] = []
    for (key, _at), decision in zip(keys, decisions, strict=False):
        out += decision.release
        if decision.passthrough:
            out.append(key)
    for decision in decisions[len(keys) :]:
        out += decision.release
    return out


def scans(decisions: list[Decision]) -> list[str]:
    return [d.scan for d in decisions if d.scan is not None]


def keys_at(text: str, start: float, gap: float) -> list[tuple[str, float]]:
    return [(ch, start + i * gap) for i, ch in enumerate(text)]


def test_a_fast_burst_ending_in_enter_is_a_scan() -> None:
    keys = [*keys_at("8690000000011", 0.0, 0.004), ("enter", 0.056)]
    decisions = run(BurstDetector(), keys)
    assert decisions[:-1] == [HOLD] * 13
    assert decisions[-1] == Decision(scan="8690000000011", terminator="enter")


def test_tab_ends_a_scan_too_and_terminators_are_configurable() -> None:
    keys = [*keys_at("ABC-123", 0.0, 0.001), ("tab", 0.01)]
    assert scans(run(BurstDetector(), keys)) == ["ABC-123"]
    assert scans(run(BurstDetector(terminators=["enter"]), keys)) == []


def test_typing_is_released_in_order_with_at_most_the_burst_delay() -> None:
    detector = BurstDetector()
    assert detector.feed("1", 0.0) == HOLD
    assert detector.pending and detector.deadline == pytest.approx(BURST + 0.001)
    assert detector.expire(0.03) == HOLD  # a timer firing early changes nothing
    assert detector.expire(0.052) == Decision(release=("1",))
    assert not detector.pending and detector.deadline is None
    # the next key comes late: what was held goes out first, the new key is held in turn
    assert detector.feed("2", 0.2) == HOLD
    assert detector.feed("3", 0.4) == Decision(release=("2",))
    assert detector.feed("enter", 0.6) == Decision(release=("3", "enter"))
    assert detector.feed("enter", 0.7) == PASS


def test_a_short_fast_burst_is_typing_and_navigation_keys_pass() -> None:
    detector = BurstDetector(min_length=4)
    keys = [*keys_at("12", 0.0, 0.005), ("enter", 0.01)]
    assert run(detector, keys)[-1] == Decision(release=("1", "2", "enter"))
    assert detector.feed("f2", 1.0) == PASS
    assert detector.feed("a", 2.0) == HOLD
    assert detector.feed("backspace", 2.01) == Decision(release=("a", "backspace"))


def test_a_scan_while_a_dialog_has_focus_never_reaches_the_dialog() -> None:
    # the cashier typed "5" into a quantity dialog, then scanned: the dialog gets "5", the sale gets the code
    keys = [("5", 0.0), *keys_at("4006381333931", 1.0, 0.003), ("enter", 1.05)]
    decisions = run(BurstDetector(), keys)
    assert typed(decisions, keys) == ["5"]
    assert scans(decisions) == ["4006381333931"]


def test_a_held_down_key_is_released_once_it_is_too_long_for_a_code() -> None:
    detector = BurstDetector(max_length=10)
    decisions = run(detector, keys_at("a" * 11, 0.0, 0.03))
    assert decisions[-1] == Decision(release=("a",) * 11) and not detector.pending


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        BurstDetector(burst_ms=0)
    with pytest.raises(ValueError):
        BurstDetector(terminators=["space"])


# --- properties --------------------------------------------------------------------------------------------

printable = st.characters(min_codepoint=0x20, max_codepoint=0x17F, blacklist_categories=("Cc", "Cs"))
any_key = st.one_of(printable, st.sampled_from(["enter", "tab", "backspace", "f2", "up", "ctrl+c", "escape"]))
code = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=4, max_size=30)


@given(st.lists(st.tuples(any_key, st.floats(min_value=0, max_value=0.2)), max_size=60), st.data())
def test_nothing_is_lost_duplicated_or_reordered(steps: list[tuple[str, float]], data: st.DataObject) -> None:
    detector = BurstDetector(burst_ms=50, min_length=3)
    now, keys = 0.0, []
    for key, gap in steps:
        now += gap
        keys.append((key, now))
    decisions = [detector.feed(key, at) for key, at in keys]
    decisions.append(detector.expire(now + 1))
    assert not detector.pending
    out: list[str] = []
    for (key, _at), decision in zip(keys, decisions, strict=False):
        assert not (decision.passthrough and (decision.release or decision.scan is not None))
        out += decision.release
        if decision.passthrough:
            out.append(key)
        if decision.scan is not None:
            out += [*decision.scan, decision.terminator or "?"]
    out += decisions[-1].release
    assert out == [key for key, _at in keys]


@given(st.lists(any_key, max_size=40), st.lists(st.floats(min_value=0.0501, max_value=2), min_size=40, max_size=40))
def test_typing_slower_than_the_threshold_is_never_a_scan(keys: list[str], gaps: list[float]) -> None:
    detector, now, decisions = BurstDetector(burst_ms=50, min_length=1), 0.0, []
    for key, gap in zip(keys, gaps, strict=False):
        now += gap
        decisions.append(detector.feed(key, now))
    decisions.append(detector.expire(now + 1))
    assert scans(decisions) == []


@settings(max_examples=300)
@given(
    before=st.text(alphabet="0123456789abcçğıöşü ", max_size=6),
    scanned=code,
    gaps=st.lists(st.sampled_from([0.0, 0.0, 0.001, 0.01, 0.049, 0.05]), min_size=31, max_size=31),
    timer_fraction=st.lists(st.floats(min_value=0, max_value=0.99), min_size=31, max_size=31),
    terminator=st.sampled_from(["enter", "tab"]),
)
def test_a_scan_is_recognised_whatever_the_chunking_and_timers(
    before: str, scanned: str, gaps: list[float], timer_fraction: list[float], terminator: str
) -> None:
    """Keys of one scan may arrive together (gap 0, one terminal read) or spread up to burst_ms apart; a timer
    firing between them (before the deadline) must not break the scan. Typing before it goes to the widget."""
    detector = BurstDetector(burst_ms=50, min_length=4)
    decisions: list[Decision] = []
    now = 0.0
    for ch in before:  # a person typing, slowly
        now += 0.3
        decisions.append(detector.feed(ch, now))
    now += 0.3
    for i, ch in enumerate([*scanned, terminator]):
        if i:
            gap = gaps[i % len(gaps)]
            decisions.append(detector.expire(now + gap * timer_fraction[i % len(timer_fraction)]))
            now += gap
        decisions.append(detector.feed(ch, now))
    assert scans(decisions) == [scanned]
    released = [k for d in decisions for k in d.release]
    assert released == list(before)
    assert not detector.pending


# --- Turkish-Q ---------------------------------------------------------------------------------------------


def test_the_table_is_the_turkish_q_layout() -> None:
    assert type_on_turkish_q("i") == "ı" and type_on_turkish_q("I") == "I"
    assert type_on_turkish_q(";:'\"") == "şŞiİ"
    assert type_on_turkish_q("[]{}\\|") == "ğüĞÜ,;"
    assert type_on_turkish_q(",.<>/?") == "öçÖÇ.:"
    assert type_on_turkish_q("`~-_=+") == '"é*?-_'
    assert type_on_turkish_q("@#$^&*()") == "'^+&/()="
    assert len(US_TO_TURKISH_Q) == 94 and len(TURKISH_Q_TO_US) == 94


XKB_TR = Path("/usr/share/X11/xkb/symbols/tr")
XKB_US = Path("/usr/share/X11/xkb/symbols/us")


@pytest.mark.skipif(not (XKB_TR.is_file() and XKB_US.is_file()), reason="xkb symbols are not installed")
def test_the_table_matches_the_xkb_layouts_key_by_key() -> None:
    """An independent check: read xkb's us and tr (Turkish Q) symbol files and compare every printable key."""
    names = {"idotless": "ı", "Iabovedot": "İ", "gbreve": "ğ", "Gbreve": "Ğ", "udiaeresis": "ü",
             "Udiaeresis": "Ü", "scedilla": "ş", "Scedilla": "Ş", "odiaeresis": "ö", "Odiaeresis": "Ö",
             "ccedilla": "ç", "Ccedilla": "Ç", "eacute": "é"}  # fmt: skip
    keysyms = {"grave": "`", "asciitilde": "~", "exclam": "!", "at": "@", "numbersign": "#", "dollar": "$",
               "percent": "%", "asciicircum": "^", "ampersand": "&", "asterisk": "*", "parenleft": "(",
               "parenright": ")", "minus": "-", "underscore": "_", "equal": "=", "plus": "+",
               "bracketleft": "[", "braceleft": "{", "bracketright": "]", "braceright": "}",
               "backslash": "\\", "bar": "|", "semicolon": ";", "colon": ":", "apostrophe": "'",
               "quotedbl": '"', "comma": ",", "less": "<", "period": ".", "greater": ">", "slash": "/",
               "question": "?", **names}  # fmt: skip

    def layout(path: Path) -> dict[str, tuple[str, str]]:
        text = path.read_text()
        basic = text[text.index('xkb_symbols "basic"') :]
        basic = basic[: basic.index("\n};")]
        keys = {}
        for name, syms in re.findall(r'key <(\w+)>\s*\{\s*(?:type\[\w+\]\s*=\s*"\w+",)?\s*\[\s*([^\]]+)\]', basic):
            parts = [p.strip() for p in syms.split(",")]
            keys[name] = tuple(keysyms.get(p, p) for p in parts[:2])
        return keys

    us, tr = layout(XKB_US), layout(XKB_TR)
    checked = 0
    for key, (plain, shifted) in us.items():
        for us_char, index in ((plain, 0), (shifted, 1)):
            if len(us_char) != 1 or not us_char.isascii():
                continue
            if key in tr:  # keys the tr file does not list are inherited from "latin" and type themselves
                assert US_TO_TURKISH_Q[us_char] == tr[key][index], (key, us_char)
                checked += 1
            elif us_char.isalnum():
                assert US_TO_TURKISH_Q[us_char] == us_char
    assert checked >= 40


@pytest.mark.parametrize(
    ("typed_text", "expected"),
    [
        ("ABCıç5*1", "ABCi.5-1"),  # ı → i, ç → ., * → -
        ("ıtem42", "item42"),
        ("8690000000011", "8690000000011"),  # digits are the same on both layouts
        ("AB.12", "AB.12"),  # already a code: kept (the keymap may be US after all)
        ("  PLU-7 ", "PLU-7"),
        ("ş6012345678-2512:", "ş6012345678-2512:"),  # card data is not a code: untouched
        ("süt ürünü", "süt ürünü"),  # free text: untouched
    ],
)
def test_normalize_code_undoes_the_keymap_only_for_codes(typed_text: str, expected: str) -> None:
    assert normalize_code(typed_text, turkish_q=True) == expected


def test_normalize_code_is_off_unless_configured() -> None:
    assert normalize_code(" ABCıç5 ", turkish_q=False) == "ABCıç5"


code_text = st.text(alphabet=sorted(CODE_CHARACTERS - {"."}), min_size=1, max_size=30)


@given(code_text)
def test_a_code_typed_on_turkish_q_comes_back(original: str) -> None:
    assert normalize_code(type_on_turkish_q(original), turkish_q=True) == original


@given(st.text(max_size=40), st.booleans())
def test_normalize_code_never_crashes_and_is_idempotent(text: str, turkish_q: bool) -> None:
    once = normalize_code(text, turkish_q)
    assert normalize_code(once, turkish_q) == once
