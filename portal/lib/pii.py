"""Personal data in a resident's free text: find it, and mask it before it is published.

Residents write their personal identity number, phone number or e-mail address into input
meant for publication. Moderation starts from the text with each of these replaced by a
visible placeholder (`mask`), and refuses to publish a text in which `find` still sees one
unless the moderator confirms it (omraden/forms.py, docs/moderation.md).

The rules err on the side of masking, and leave dates, years, sums, postal codes and times:
- A personal identity number is a date (ÅÅMMDD or ÅÅÅÅMMDD, the day plus 60 for a
  coordination number) followed by four digits, with "-", "+", a space or nothing between.
  The check digit is not required: a mistyped number is still someone's number (the issue's
  own example, 19800101-1234, fails the check). "2024-01-15" lacks the four digits.
- A phone number starts with 0 or +46/0046 and has 8 to 10 digits counted from the 0, in
  groups split by spaces or dashes. Sums ("12 500 kr"), years, postal codes ("135 40") and
  times ("kl. 08-10") are too short or do not start with 0; a time range without separators
  ("0800-1700") is left too.
- An e-mail address is text@domain.tld, also written with "(at)" or "[at]".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Kind(models.TextChoices):
    PERSONNUMMER = "personnummer", gettext_lazy("personal identity number")
    TELEFON = "telefon", gettext_lazy("phone number")
    EPOST = "epost", gettext_lazy("e-mail address")


def placeholder(kind: Kind) -> str:
    """The visible text that takes the place of masked data, in the active language."""
    if kind == Kind.PERSONNUMMER:
        return _("[personal identity number removed]")
    if kind == Kind.TELEFON:
        return _("[phone number removed]")
    return _("[e-mail address removed]")


@dataclass(frozen=True)
class Finding:
    kind: Kind
    start: int
    end: int
    value: str
    line: int


_SPACE = r"[ \t\u00a0]"
# Between digit groups of a phone number: a space, or a dash with optional spaces around it.
_SEP = rf"(?:{_SPACE}?[-–]{_SPACE}?|{_SPACE})"

_PERSONNUMMER = re.compile(
    r"(?<![\w+])(?P<century>18|19|20)?(?P<yy>\d\d)(?P<mm>\d\d)(?P<dd>\d\d)"
    rf"(?P<sep>[-+]|{_SPACE})?(?P<last>\d{{4}})(?!\d)"
)
_PHONE = re.compile(
    r"(?<![\w+/–-])"
    rf"(?:(?:\+|00)46{_SEP}?(?:\(0\){_SPACE}?)?|0)[1-9](?:{_SEP}?\d){{6,8}}(?!\d)"
)
_EPOST = re.compile(
    r"(?<![\w.+-])[\w.+-]+"
    rf"(?:@|{_SPACE}?[(\[]at[)\]]{_SPACE}?)"
    r"[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])",
    re.IGNORECASE,
)


# A time range written without separators ("0800-1700"): never a Swedish phone number, whose
# subscriber part after a four-digit area code has five digits or more.
_TIME_RANGE = re.compile(rf"[01]\d[0-5]\d{_SPACE}?[-–]{_SPACE}?[0-2]\d[0-5]\d")


def _is_date(match: re.Match[str]) -> bool:
    month, day = int(match["mm"]), int(match["dd"])
    if day > 60:  # A coordination number (samordningsnummer): the day plus 60.
        day -= 60
    if match["century"]:
        years = [int(match["century"] + match["yy"])]
    else:
        years = [1900 + int(match["yy"]), 2000 + int(match["yy"])]
    for year in years:
        try:
            dt.date(year, month, day)
        except ValueError:
            continue
        return True
    return False


def _candidates(text: str) -> list[tuple[int, int, int, Kind]]:
    """(rank, start, end, kind) for every match; where matches overlap, the lower rank wins."""
    found = [(0, m.start(), m.end(), Kind.EPOST) for m in _EPOST.finditer(text)]
    for m in _PERSONNUMMER.finditer(text):
        if not _is_date(m):
            continue
        # Ten digits in a row starting with 0 (0701234567) read as a phone number first; a
        # dash, a plus or the century makes it a personal identity number.
        certain = bool(m["century"]) or m["sep"] in ("-", "+")
        found.append((1 if certain else 3, m.start(), m.end(), Kind.PERSONNUMMER))
    for m in _PHONE.finditer(text):
        if not _TIME_RANGE.fullmatch(m[0]):
            found.append((2, m.start(), m.end(), Kind.TELEFON))
    return found


def find(text: str) -> list[Finding]:
    """The personal data in `text`, in the order it appears."""
    chosen: list[tuple[int, int, Kind]] = []
    for _rank, start, end, kind in sorted(_candidates(text)):
        if all(end <= s or start >= e for s, e, _k in chosen):
            chosen.append((start, end, kind))
    return [
        Finding(kind, start, end, text[start:end], text.count("\n", 0, start) + 1)
        for start, end, kind in sorted(chosen)
    ]


def mask(text: str) -> tuple[str, list[Finding]]:
    """`text` with each finding replaced by its placeholder, and the findings.

    The placeholders are in the portal's language (LANGUAGE_CODE), the language residents
    read the published text in, whatever language the moderator uses.
    """
    findings = find(text)
    parts = []
    position = 0
    with translation.override(settings.LANGUAGE_CODE):
        for f in findings:
            parts.append(text[position : f.start])
            parts.append(placeholder(f.kind))
            position = f.end
    parts.append(text[position:])
    return "".join(parts), findings


def segments(text: str, findings: list[Finding]) -> list[tuple[str, Finding | None]]:
    """`text` cut into pieces, each with the finding it is (or None): for highlighting."""
    pieces: list[tuple[str, Finding | None]] = []
    position = 0
    for f in findings:
        if f.start > position:
            pieces.append((text[position : f.start], None))
        pieces.append((f.value, f))
        position = f.end
    if position < len(text):
        pieces.append((text[position:], None))
    return pieces
