"""Helpers for the registered-user list tests (no tests here): valid VKNs/TCKNs and list files in the three
shapes GİB's list comes in (CSV, GİB's XML, a ZIP of it)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from stdnum.tr import tckimlik, vkn

TEST_VKN = "1234567801"  # GİB's test-environment VKN: its check digit fails


def make_vkn(n: int) -> str:
    """The ``n``-th valid VKN (nine digits of ``n`` and the check digit)."""
    body = f"{n % 10**9:09d}"
    return body + vkn.calc_check_digit(body)


def make_tckn(n: int) -> str:
    body = f"{1 + n % 8}{n % 10**8:08d}"
    return body + tckimlik.calc_check_digits(body)


@dataclass(frozen=True)
class Alias:
    identifier: str
    alias: str
    title: str = "ÖRNEK TİCARET A.Ş."
    kind: str = "PK"
    registered: str = "2016-01-04T10:12:00"
    created: str = "2016-01-04T10:12:00"
    document: str = "Invoice"
    deleted: str = ""


ENGLISH = ("Identifier", "Title", "Alias", "Type", "FirstCreationTime", "AliasCreationTime", "DocumentType")
TURKISH = ("VKN/TCKN", "Unvan", "Etiket", "Tür", "Kayıt Zamanı", "Etiket Oluşturma", "Belge Türü")


def write_csv(
    path: Path, rows: Iterable[Alias], *, header: Sequence[str] = ENGLISH, sep: str = ";", bom: bool = False
) -> Path:
    lines = [sep.join(header)]
    for r in rows:
        cells = [r.identifier, r.title, r.alias, r.kind, r.registered, r.created, r.document]
        lines.append(sep.join(f'"{c}"' if sep in c else c for c in cells[: len(header)]))
    path.write_text(("\ufeff" if bom else "") + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def gib_xml(rows: Iterable[Alias]) -> str:
    """GİB's own layout: one ``User`` per identifier, its aliases under ``Documents/Document[@type]``."""
    users: dict[str, list[Alias]] = {}
    for r in rows:
        users.setdefault(r.identifier, []).append(r)
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<UserList>"]
    for identifier, aliases in users.items():
        first = aliases[0]
        out += [
            "  <User>",
            f"    <Identifier>{identifier}</Identifier>",
            f"    <Title>{escape(first.title)}</Title>",
            "    <Type>Ozel</Type>",
            "    <AccountType>Ozel</AccountType>",
            f"    <FirstCreationTime>{first.registered}</FirstCreationTime>",
            "    <Documents>",
        ]
        for a in aliases:
            out += [
                f'      <Document type="{a.document}">',
                "        <Alias>",
                f"          <Name>{escape(a.alias)}</Name>",
                f"          <CreationTime>{a.created}</CreationTime>",
                *([f"          <DeletionTime>{a.deleted}</DeletionTime>"] if a.deleted else []),
                f"          <AliasType>{a.kind}</AliasType>",
                "        </Alias>",
                "      </Document>",
            ]
        out += ["    </Documents>", "  </User>"]
    out.append("</UserList>")
    return "\n".join(out) + "\n"


def write_xml(path: Path, rows: Iterable[Alias]) -> Path:
    path.write_text(gib_xml(rows), encoding="utf-8")
    return path


def write_zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, text in members.items():
            z.writestr(name, text)
    return path
