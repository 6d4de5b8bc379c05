"""The translation catalogs are complete, consistent with the source, and what the app loads.

Every ``_()``, ``N_()`` and ``ngettext()`` message in ``pos_tui`` must be translated in both
catalogs (Turkish, the default, and English), keep its ``{placeholders}``, and be compiled:
a developer who adds a string and forgets the catalogs fails here with the list of strings and
the commands that fix it (see docs/translations.md).
"""

from __future__ import annotations

import ast
import string
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

import pos_tui
from pos_tui.core.kernel import Actor, PermissionDenied, format_percent, require
from pos_tui.i18n import DOMAIN, LANGUAGES, LOCALE_DIR, _, current_language, ngettext, set_language

PACKAGE = Path(pos_tui.__file__).resolve().parent
# The keywords of ``pybabel extract`` in docs/translations.md; keep the two in step.
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
FIX = (
    "Update the catalogs (docs/translations.md):\n"
    "  pybabel extract --no-default-keywords -k _ -k N_ -k ngettext:1,2 --add-comments=Translators: "
    "--project=pos_tui --copyright-holder='pos_tui developers' -o pos_tui/locale/pos_tui.pot pos_tui\n"
    "  pybabel update -i pos_tui/locale/pos_tui.pot -d pos_tui/locale -D pos_tui --ignore-obsolete\n"
    "  (translate every empty or fuzzy entry in pos_tui/locale/{tr,en}/LC_MESSAGES/pos_tui.po)\n"
    "  pybabel compile -d pos_tui/locale -D pos_tui --statistics"
)

MsgId = str | tuple[str, str]


def _po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def _read_catalog(language: str) -> Catalog:
    with _po_path(language).open("rb") as f:
        return read_po(f, locale=language, domain=DOMAIN)


def _source_messages() -> dict[MsgId, list[str]]:
    """Every message id the source marks for translation, with where it is used."""
    found: dict[MsgId, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        PACKAGE, method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        key: MsgId = message if isinstance(message, str) else (message[0], message[1])
        if key and key[0]:
            found.setdefault(key, []).append(f"pos_tui/{filename}:{lineno}")
    return found


def _catalog_key(message: Message) -> MsgId:
    return message.id if isinstance(message.id, str) else (message.id[0], message.id[1])


def _translation(message: Message) -> str | tuple[str, ...]:
    """The msgstr as a str, or a tuple of plural forms (read_mo gives lists, read_po tuples)."""
    return message.string if isinstance(message.string, str) else tuple(message.string)


def _entries(catalog: Catalog) -> Iterator[Message]:
    return (m for m in catalog if m.id)


def _fields(text: str) -> set[str]:
    """The ``str.format`` replacement fields of ``text``, conversion and spec included."""
    fields = set()
    for _literal, name, spec, conversion in string.Formatter().parse(text):
        if name is not None:
            suffix = (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            fields.add("{" + name + suffix + "}")
    return fields


@pytest.fixture(scope="module")
def source() -> dict[MsgId, list[str]]:
    messages = _source_messages()
    assert len(messages) > 100, "the extractor found almost no messages; is pos_tui importable from here?"
    return messages


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_source_message_is_translated(language: str, source: dict[MsgId, list[str]]) -> None:
    catalog = _read_catalog(language)
    by_key = {_catalog_key(m): m for m in _entries(catalog)}
    problems = []
    for key, where in sorted(source.items(), key=lambda kv: kv[1][0]):
        message = by_key.get(key)
        if message is None:
            problems.append(f"  missing   {key!r}  ({where[0]})")
        elif "fuzzy" in message.flags:
            problems.append(f"  fuzzy     {key!r}  ({where[0]})")
        elif not all(message.string) if isinstance(message.string, tuple) else not message.string:
            problems.append(f"  empty     {key!r}  ({where[0]})")
    assert not problems, f"{_po_path(language)} is not complete:\n" + "\n".join(problems) + "\n" + FIX


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_holds_no_stale_messages(language: str, source: dict[MsgId, list[str]]) -> None:
    """Strings the code no longer uses would mislead translators and hide renamed ones."""
    keys = {_catalog_key(m) for m in _entries(_read_catalog(language))}
    stale = sorted(str(key) for key in keys - set(source))
    assert not stale, (
        f"{_po_path(language)} has messages the source no longer uses:\n  " + "\n  ".join(stale) + "\n" + FIX
    )


def test_template_matches_the_source(source: dict[MsgId, list[str]]) -> None:
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("rb") as f:
        template = {_catalog_key(m) for m in _entries(read_po(f))}
    missing = sorted(map(str, set(source) - template))
    stale = sorted(map(str, template - set(source)))
    assert not missing and not stale, f"pos_tui.pot is out of date; missing {missing}, stale {stale}\n{FIX}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language: str) -> None:
    problems = []
    for message in _entries(_read_catalog(language)):
        try:
            if isinstance(message.id, str):
                expected, got = _fields(message.id), _fields(message.string)
                if expected != got:
                    problems.append(f"  {message.id!r}: expects {sorted(expected)}, has {sorted(got)}")
                continue
            singular, plural = _fields(message.id[0]), _fields(message.id[1])
            forms = message.string
            for form in forms:
                if not _fields(form) <= singular | plural:
                    problems.append(f"  {message.id[1]!r}: form {form!r} has fields the msgid does not")
            if _fields(forms[-1]) != plural:
                problems.append(f"  {message.id[1]!r}: the last form must use {sorted(plural)}")
        except ValueError as exc:  # unbalanced braces in either text
            problems.append(f"  {message.id!r}: {exc}")
    assert not problems, f"{_po_path(language)}: placeholders differ from the msgids:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_passes_babels_checks_and_plural_rule(language: str) -> None:
    """``pybabel compile`` runs the same checks and fails on any of them."""
    catalog = _read_catalog(language)
    errors = [f"  {m.id!r}: {'; '.join(map(str, errs))}" for m, errs in catalog.check()]
    assert not errors, f"{_po_path(language)} fails Babel's checks:\n" + "\n".join(errors)
    assert catalog.num_plurals == get_plural(language).num_plurals


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalog_matches_the_po(language: str) -> None:
    """The committed .mo is what the app reads; it must hold exactly the .po's translations."""
    catalog = _read_catalog(language)
    po = {_catalog_key(m): _translation(m) for m in _entries(catalog) if "fuzzy" not in m.flags}
    mo_path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    with mo_path.open("rb") as f:
        compiled = read_mo(f)
    mo = {_catalog_key(m): _translation(m) for m in _entries(compiled)}
    changed = sorted(str(k) for k in set(po) | set(mo) if po.get(k) != mo.get(k))
    assert not changed, (
        f"{mo_path} is not compiled from the current .po ({len(changed)} differ):\n  "
        + "\n  ".join(changed[:20])
        + "\n  run: pybabel compile -d pos_tui/locale -D pos_tui"
    )
    assert compiled.plural_forms == catalog.plural_forms


def _calls(tree: ast.AST) -> Iterator[ast.Call]:
    return (
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in KEYWORDS
    )


def test_message_ids_are_plain_literals() -> None:
    """An f-string or a concatenation inside ``_()`` is never found in the catalog, so it is never
    translated; pass values through ``.format()`` placeholders instead."""
    bad = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for call in _calls(ast.parse(path.read_text(encoding="utf-8"))):
            for arg in call.args[:2] if call.func.id == "ngettext" else call.args[:1]:  # type: ignore[attr-defined]
                if isinstance(arg, ast.JoinedStr | ast.BinOp):
                    bad.append(f"  {path.relative_to(PACKAGE.parent)}:{call.lineno}")
    assert not bad, "message ids built at run time cannot be translated:\n" + "\n".join(bad)


def test_turkish_is_the_active_language_after_set_language() -> None:
    set_language("tr")
    assert current_language() == "tr"
    assert _("Cash") == "Nakit"
    assert _("Receipt") == "Fiş"
    assert _("Change") == "Para üstü"
    assert _("Z report") == "Z raporu"
    assert _("Supervisor approval") == "Yönetici onayı"
    assert _("RETURN") == "İADE"
    assert _("Receipt {no} · total {total}").format(no=12, total="45,00") == "Fiş 12 · toplam 45,00"
    assert format_percent(Decimal(10)) == "%10"
    tries = ngettext(
        "Wrong PIN; {n} try left before this terminal locks",
        "Wrong PIN; {n} tries left before this terminal locks",
        1,
    )
    assert tries.format(n=1) == "Hatalı PIN; kasa kilitlenmeden önce 1 deneme hakkı kaldı"
    # Turkish has two plural forms for Babel/CLDR; a noun after a number stays singular in both.
    assert ngettext("{n} line", "{n} lines", 1).format(n=1) == "1 satır"
    assert ngettext("{n} line", "{n} lines", 3).format(n=3) == "3 satır"


def test_core_messages_follow_the_shop_language() -> None:
    """A message built deep in the core (deferred labels included) comes out in Turkish."""
    cashier = Actor(1, "ayse", "cashier", permissions=frozenset({"sell"}), max_discount_pct=10)
    set_language("tr")
    with pytest.raises(PermissionDenied) as denied:
        require(cashier, "void")
    assert str(denied.value) == "ayse için yetki yok: satır iptali; yönetici PIN'i gerekli"


def test_english_reads_the_message_ids() -> None:
    set_language("tr")
    set_language("en")
    assert current_language() == "en"
    assert _("Cash") == "Cash"
    assert _("Receipt {no} · total {total}") == "Receipt {no} · total {total}"
    assert format_percent(10) == "10%"
    assert ngettext("{n} line", "{n} lines", 1) == "{n} line"
    assert ngettext("{n} line", "{n} lines", 3) == "{n} lines"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_load_from_the_compiled_catalog(language: str) -> None:
    """``set_language`` falls back silently when a .mo is missing; prove the real file is read."""
    import gettext

    translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language])
    assert translation.info()["language"] == language
    expected = _read_catalog(language).get("Cash")
    assert expected is not None and translation.gettext("Cash") == expected.string
    set_language(language)
    assert _("Cash") == expected.string
