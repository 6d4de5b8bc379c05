"""The summary of a rejected import counts bad rows, not problems; an empty file is said to
be empty, not counted as a bad row."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from catalog_support import WriteFile
from typer.testing import CliRunner

from pos_tui.core import interchange
from pos_tui.core.kernel import ImportRejected, RowError
from pos_tui.i18n import set_language
from pos_tui.settings import Settings
from pos_tui.store import models as m

# Row 2 has two problems (price and unit), rows 3 and 4 one each: three bad rows, four problems.
THREE_BAD_ROWS = "code,name,price,unit\nA1,Elma,x,zz\nA2,,3,kg\nA3,Armut,y,kg\nA4,Ayva,4,kg\n"


def test_the_summary_counts_rows_not_problems(
    db: object, settings: Settings, now: datetime, write_file: WriteFile
) -> None:
    path = write_file("p.csv", THREE_BAD_ROWS)
    with pytest.raises(ImportRejected) as rejected:
        interchange.import_products(path, now=now, settings=settings)
    assert len(rejected.value.errors) == 4
    head, *details = rejected.value.message.splitlines()
    assert head == "p.csv: 3 bad row(s), nothing imported"
    assert len(details) == 4 and details[0].startswith("p.csv: line 2, ")
    assert m.Product.select().count() == 0


def test_the_summary_in_turkish(db: object, settings: Settings, now: datetime, write_file: WriteFile) -> None:
    set_language("tr")
    path = write_file("p.csv", THREE_BAD_ROWS)
    with pytest.raises(ImportRejected) as rejected:
        interchange.import_products(path, now=now, settings=settings)
    assert rejected.value.message.splitlines()[0] == "p.csv: 3 hatalı satır, hiçbir şey içe aktarılmadı"


def test_one_row_with_many_problems_is_one_bad_row() -> None:
    errors = [RowError(7, "price", "bad"), RowError(7, "unit", "bad"), RowError(7, "name", "bad")]
    assert str(ImportRejected("f.csv", errors)).splitlines()[0] == "f.csv: 1 bad row(s), nothing imported"


@pytest.mark.parametrize(("name", "text"), [("e.csv", ""), ("e.jsonl", ""), ("e.json", "\n  \n"), ("b.csv", "\ufeff")])
def test_an_empty_file_is_said_to_be_empty(
    db: object, settings: Settings, now: datetime, write_file: WriteFile, name: str, text: str
) -> None:
    path = write_file(name, text)
    with pytest.raises(ImportRejected) as rejected:
        interchange.import_products(path, now=now, settings=settings)
    assert rejected.value.message == f"{name}: the file is empty, there are no rows to import"
    assert "bad row" not in rejected.value.message
    set_language("tr")
    with pytest.raises(ImportRejected) as turkish:
        interchange.import_customers(path, now=now, settings=settings)
    assert turkish.value.message == f"{name}: dosya boş, içe aktarılacak satır yok"


def test_cli_import_of_an_empty_file(cli: CliRunner, write_file: WriteFile) -> None:
    path = write_file("empty.csv", "")
    result = cli("import", "products", str(path))
    assert result.exit_code == 1
    assert "empty.csv: the file is empty, there are no rows to import" in result.stderr
    assert "bad row" not in result.stderr
    as_json = cli("import", "products", str(path), "--json")
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout)["errors"] == [{"line": 1, "field": "-", "reason": "the file is empty"}]


def test_cli_import_counts_bad_rows(cli: CliRunner, write_file: WriteFile) -> None:
    result = cli("import", "products", str(write_file("p.csv", THREE_BAD_ROWS)))
    assert result.exit_code == 1
    assert "p.csv: 3 bad row(s), nothing imported" in result.stderr
    assert result.stderr.count("p.csv: line ") == 4


def test_a_file_bad_on_every_line_lists_the_first_thousand_problems() -> None:
    """A wrong file (a bad row on every line) printed 100,001 problems as one message: a minute
    of the terminal's time and 380 MB. The message lists the first thousand; ``errors`` keeps all."""
    set_language("tr")
    try:
        errors = [RowError(line, "price", "bozuk") for line in range(2, 1502)]
        exc = ImportRejected("x.csv", errors)
        lines = exc.message.splitlines()
        assert lines[0] == "x.csv: 1.500 hatalı satır, hiçbir şey içe aktarılmadı"
        assert len(lines) == 1 + 1000 + 1 and lines[-1] == "x.csv: gösterilmeyen 500 sorun daha var"
        assert len(exc.errors) == 1500
    finally:
        set_language("en")
