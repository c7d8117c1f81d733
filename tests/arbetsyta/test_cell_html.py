"""uppfoljning/cell_html.py writes out a workspace cell exactly as its template did.

tests/arbetsyta/cell_reference.html is the cell partial as the template had it. Every state a
cell can be in (with and without a follow-up, editable or not, saved, refused, in conflict,
late, in both languages) must give the same markup from both, whitespace aside.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.template import engines
from django.test import RequestFactory
from django.utils import timezone, translation

from portal.lib.choices import labels
from tests.cast import Cast
from tests.conftest import make_publicering, make_uppfoljning
from uppfoljning import staff_views
from uppfoljning.models import STATUS_SYMBOLS, Status
from uppfoljning.staff_forms import CellForm

REFERENCE = (Path(__file__).parent / "cell_reference.html").read_text()


def _normalised(html: str) -> str:
    html = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]*"', r'\1…"', html)
    html = re.sub(r">\s+", ">", html)
    html = re.sub(r"\s+<", "<", html)
    # Indentation inside a paragraph is layout too (the inputs' own markup, textareas'
    # line breaks included, is pinned by tests/arbetsyta/test_matris.py).
    return re.sub(r"\s+", " ", html).strip()


def _request(user: Any) -> Any:
    request = RequestFactory().get("/arbetsyta/")
    request.user = user
    return request


class _Stale:
    by = ["Anna <A>", "Bo & Co"]


def _states(cells: list[staff_views.Cell]) -> list[staff_views.Cell]:
    """Each cell as shown, and the first one in every state a save can leave it in."""
    first = cells[0]
    key = first.key
    out = list(cells)
    saved = copy.copy(first)
    saved.saved = True
    out.append(saved)
    for data in (
        {f"{key}-version": "x"},  # no status, a broken version
        {f"{key}-status": "rod", f"{key}-version": "1"},  # red without cause and actions
        {f"{key}-status": "gul", f"{key}-version": "3", f"{key}-orsak": 'a <b> & "c"'},
    ):
        refused = copy.copy(first)
        form = CellForm(data, prefix=key)
        form.is_valid()
        refused.show_form(form)
        out.append(refused)
    conflict = copy.copy(out[-1])
    conflict.conflict = _Stale()  # type: ignore[assignment]
    conflict.extra = {
        "changes": [
            {"label": staff_views.FIELD_LABELS["status"], "before": "Grön", "after": ""},
            {"label": staff_views.FIELD_LABELS["orsak"], "before": "<i>x</i>", "after": "y & z"},
        ]
    }
    out.append(conflict)
    late = copy.copy(first)
    late.overdue = True
    out.append(late)
    return out


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("user", ["klg", "ledartroja_a", "medarbetare"])
def test_every_state_of_a_cell_is_the_markup_of_the_template(
    cast: Cast, language: str, user: str
) -> None:
    # A published follow-up with a newer draft, and one never published; the rest have none.
    published = make_uppfoljning(
        period=cast.period, omrade=cast.omrade_a, status="gul", orsak="Sent", atgarder="Plan"
    )
    make_publicering(published, publicerad_at=timezone.now() - dt.timedelta(days=1))
    published.tillstand = "utkast"
    published.save()
    make_uppfoljning(period=cast.period, uppdrag=cast.uppdrag, status="gron")
    request = _request(cast.users[user])
    reference = engines["django"].from_string(REFERENCE)
    with translation.override(language):
        cells = _states(staff_views._cells(request, staff_views._open_period()))
        assert {cell.uppf is None for cell in cells} == {True, False}
        for cell in cells:
            status = cell.uppf.status if cell.uppf else ""
            context = {
                "cell": cell,
                "period": cell.period,
                "status_symbol": STATUS_SYMBOLS[Status(status)] if status else "",
                "status_label": labels(Status).get(status, status),
            }
            expected = reference.render(context, request)
            assert _normalised(str(cell.html)) == _normalised(expected), cell.key
