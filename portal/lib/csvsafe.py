"""CSV that a spreadsheet opens as data: no cell runs as a formula.

Excel, LibreOffice and Google Sheets read a cell that begins with "=", "+", "-" or "@" as a
formula, so a resident's `=HYPERLINK(...)` would run when a clerk opens an export; a
leading tab or carriage return hides such a start. OWASP's rule (CSV Injection) is to put a
single quote before such a cell: the spreadsheet reads the quote as "this is text" and does
not show it; a program reading the file sees it and can drop it. Every CSV file the portal
writes goes through `DictWriter` below (docs/security.md).

Numbers the portal writes as numbers (int, float, Decimal) stay as they are: nobody typed
them, and "-1.5" is a value, not a formula.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """The value as a spreadsheet should see it: text that would start a formula quoted."""
    if value is None or isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class DictWriter(csv.DictWriter):
    """`csv.DictWriter` whose every cell goes through `cell()`."""

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({k: cell(v) for k, v in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        for row in rowdicts:
            self.writerow(row)
