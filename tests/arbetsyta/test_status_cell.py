"""The `status-cell` partial of templates/uppfoljning/arbetsyta.html: one cell of the matrix.

Every state a cell can be in (with and without a follow-up or a status, editable or not per
role, saved, refused, in conflict, late, in a closed period), in both languages, rendered as
the htmx answer renders it ("uppfoljning/arbetsyta.html#status-cell").
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from tests.cast import Cast
from tests.conftest import make_period, make_publicering, make_uppfoljning
from uppfoljning import staff_views
from uppfoljning.models import STATUS_SYMBOLS, Period, Status
from uppfoljning.staff_forms import CellForm

PARTIAL = "uppfoljning/arbetsyta.html#status-cell"


def _request(user: Any) -> Any:
    request = RequestFactory().get("/arbetsyta/")
    request.user = user
    return request


def _html(cell: staff_views.Cell, request: Any) -> str:
    return render_to_string(PARTIAL, {"cell": cell, "period": cell.period}, request)


def _refused(
    request: Any, cell: staff_views.Cell, data: dict[str, str], *, error: str = ""
) -> staff_views.Cell:
    """The cell as a refused save shows it: the posted form with its errors."""
    form = CellForm({f"{cell.key}-{name}": value for name, value in data.items()}, prefix=cell.key)
    form.is_valid()
    if error:
        form.add_error(None, error)
    return staff_views._cell(request, cell.period, cell.kind, cell.subject, cell.uppf, form)


def _widgets(cell: staff_views.Cell) -> list[str]:
    """Every input of the cell's form as Django's own widgets render it."""
    form = cell.form
    assert form is not None
    radios = [str(radio.tag()) for radio in form["status"]]
    return [str(form["version"]), *radios, str(form["orsak"]), str(form["atgarder"])]


def _html_with_widgets(cell: staff_views.Cell, request: Any) -> str:
    """The cell's markup, checked to write its inputs exactly as Django's widgets do."""
    html = _html(cell, request)
    for tag in _widgets(cell):
        assert tag in html
    return html


class _Stale:
    by = ["Anna <A>", "Bo & Co"]


@pytest.fixture
def follow_ups(cast: Cast) -> None:
    """Area A: yellow, published before and now a draft again; the assignment: green, never
    published; area B: no follow-up yet."""
    published = make_uppfoljning(
        period=cast.period, omrade=cast.omrade_a, status="gul", orsak="Sent", atgarder="Plan"
    )
    make_publicering(published, publicerad_at=timezone.now() - dt.timedelta(days=1))
    published.tillstand = "utkast"
    published.save()
    make_uppfoljning(period=cast.period, uppdrag=cast.uppdrag, status="gron")


def _cells(cast: Cast, user: str) -> tuple[Any, dict[str, staff_views.Cell]]:
    request = _request(cast.users[user])
    cells = staff_views._cells(request, cast.period, staff_views._subjects(request))
    return request, {cell.key: cell for cell in cells}


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("user", ["klg", "ledartroja_a", "medarbetare"])
def test_every_cell_shows_its_subject_status_and_state(
    cast: Cast, follow_ups: None, language: str, user: str
) -> None:
    with translation.override(language):
        request, cells = _cells(cast, user)
        a, b = cells[f"omrade-{cast.omrade_a.pk}"], cells[f"omrade-{cast.omrade_b.pk}"]
        uppdrag = cells[f"uppdrag-{cast.uppdrag.pk}"]
        for cell, name in [
            (a, f"{cast.omrade_a.nummer}. {cast.omrade_a.kortnamn}"),
            (b, f"{cast.omrade_b.nummer}. {cast.omrade_b.kortnamn}"),
            (uppdrag, cast.uppdrag.namn),
        ]:
            html = _html(cell, request)
            assert html.strip().startswith(
                f'<article class="cell" id="{cell.key}" aria-labelledby="{cell.key}-rubrik">'
            )
            assert f'<h3 id="{cell.key}-rubrik">{name}</h3>' in html
            assert html.strip().endswith("</article>")
        html_a, html_b, html_uppdrag = (_html(c, request) for c in (a, b, uppdrag))
        # A status is text and symbol, never colour alone; none yet is said in words.
        yellow = (
            '<span class="status status-gul"><span class="status-symbol" aria-hidden="true">'
            f"{STATUS_SYMBOLS[Status.GUL]}</span> {Status.GUL.label}</span>"
        )
        green = (
            '<span class="status status-gron"><span class="status-symbol" aria-hidden="true">'
            f"{STATUS_SYMBOLS[Status.GRON]}</span> {Status.GRON.label}</span>"
        )
        assert yellow in html_a
        assert green in html_uppdrag
        none = f'<span class="status status-none">{gettext("No status yet")}</span>'
        assert none in html_b and none not in html_a
        # The state: the draft of a published follow-up says an earlier version is public.
        draft, earlier = gettext("Draft"), gettext("an earlier version is public")
        assert f'<span class="state">{draft} · {earlier}</span>' in html_a
        assert f'<span class="state">{draft}</span>' in html_uppdrag
        assert f'<span class="state">{gettext("Not started")}</span>' in html_b
        # Who changed it last, and when (nobody: the system made these rows).
        when = formats.date_format(timezone.localtime(a.uppf.andrad_at), "j F Y H:i")
        last = gettext("Last changed by %(who)s, %(when)s") % {"who": "–", "when": when}
        assert f'<p class="muted">{last}</p>' in html_a
        assert 'class="muted"' not in html_b
        # Nothing was saved, refused or late here.
        for html in (html_a, html_b, html_uppdrag):
            assert 'class="saved"' not in html
            assert 'class="conflict"' not in html
            assert 'class="flag-late"' not in html
            assert 'class="error-summary"' not in html
            assert "aria-invalid" not in html
        if language == "sv":
            assert "Ingen status än" in html_b and "Inte påbörjad" in html_b
            assert "Utkast · en tidigare version är publicerad" in html_a


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize(
    ("user", "editable"),
    [("klg", {"a", "b", "uppdrag"}), ("ledartroja_a", {"a"}), ("medarbetare", set())],
)
def test_a_cell_has_a_status_form_only_for_those_who_may_edit_it(
    cast: Cast, follow_ups: None, language: str, user: str, editable: set[str]
) -> None:
    keys = {
        "a": ("omrade", cast.omrade_a),
        "b": ("omrade", cast.omrade_b),
        "uppdrag": ("uppdrag", cast.uppdrag),
    }
    with translation.override(language):
        request, cells = _cells(cast, user)
        for short, (kind, subject) in keys.items():
            cell = cells[f"{kind}-{subject.pk}"]
            html = _html(cell, request)
            action = reverse("arbetsyta:cell", args=[cast.period.pk, kind, subject.pk])
            new = reverse("arbetsyta:ny", args=[cast.period.pk, kind, subject.pk])
            label = subject.namn if kind == "uppdrag" else subject.kortnamn
            hidden_name = f'<span class="visually-hidden"> – {label}</span>'
            if cell.uppf:
                link = reverse("arbetsyta:uppfoljning", args=[cell.uppf.pk])
                assert f'<a href="{link}">{gettext("Open the follow-up")}{hidden_name}</a>' in html
            else:
                assert "Open the follow-up" not in html and "Öppna uppföljningen" not in html
            if short not in editable:
                assert "<form" not in html
                assert "csrfmiddlewaretoken" not in html
                continue
            _html_with_widgets(cell, request)
            assert (
                f'<form method="post" action="{action}" hx-post="{action}" '
                f'hx-target="#{cell.key}" hx-swap="outerHTML" class="cell-form" data-status-form>'
            ) in html
            assert html.count('<input type="hidden" name="csrfmiddlewaretoken" value="') == (
                1 if cell.uppf else 2
            )
            assert f"<legend>{gettext('Status')}</legend>" in html
            for value, choice in Status.choices:
                assert f"> {choice}</label>" in html
                assert f'value="{value}"' in html
            save = gettext("Save status")
            assert f'<button type="submit" id="{cell.key}-spara">{save}</button>' in html
            assert gettext("Cause and actions taken (required for yellow and red)") in html
            hint = gettext(
                "Markdown works: **bold**, *italic*, - list, [link](https://…). "
                "An empty line starts a new paragraph."
            )
            assert f'<p class="help">{hint}</p>' in html
            if cell.uppf:
                # The saved status is chosen and the version is the one the save is based on.
                checked = re.findall(r'value="(\w+)"[^>]* checked', html)
                assert checked == [cell.uppf.status]
                assert f'name="{cell.key}-version" value="{cell.uppf.version}"' in html
                assert "link-button" not in html
            else:
                assert " checked" not in html
                assert f'name="{cell.key}-version" value="0"' in html
                assert (
                    f'<form method="post" action="{new}">' in html
                    and f"{gettext('Write the follow-up')}{hidden_name}</button>" in html
                )
            # Cause and actions are open for yellow (area A), closed otherwise.
            opened = '<details class="cause" data-cause open>' in html
            assert opened == (short == "a")


@pytest.mark.parametrize("language", ["sv", "en"])
def test_a_saved_cell_says_so(cast: Cast, follow_ups: None, language: str) -> None:
    with translation.override(language):
        request, cells = _cells(cast, "klg")
        cell = cells[f"omrade-{cast.omrade_a.pk}"]
        cell.saved = True
        html = _html(cell, request)
    saved = "Sparat" if language == "sv" else "Saved"
    assert f'<p class="saved" role="status"><span aria-hidden="true">✓</span> {saved}</p>' in html
    # Saved is said once, in that cell only.
    assert html.count('class="saved"') == 1


@pytest.mark.parametrize("language", ["sv", "en"])
def test_a_refused_cell_shows_the_errors_at_their_inputs(
    cast: Cast, follow_ups: None, language: str
) -> None:
    with translation.override(language):
        request, cells = _cells(cast, "klg")
        cell = cells[f"omrade-{cast.omrade_b.pk}"]
        key = cell.key
        # No status, a broken version: the radios are marked invalid, the fieldset says why.
        html = _html_with_widgets(_refused(request, cell, {"version": "x"}), request)
        assert f'<fieldset aria-describedby="id_{key}-status_error">' in html
        assert f'<ul class="errorlist" id="id_{key}-status_error">' in html
        assert html.count('required aria-invalid="true">') == len(Status.choices)
        assert f'name="{key}-version" value="x"' in html
        assert '<details class="cause" data-cause>' in html
        # Red without cause and actions: both textareas say so and the details are open.
        html = _html_with_widgets(
            _refused(request, cell, {"status": "rod", "version": "1"}), request
        )
        for name in ("orsak", "atgarder"):
            assert (
                f'rows="3" aria-invalid="true" aria-describedby="id_{key}-{name}_error" '
                f'id="id_{key}-{name}">'
            ) in html
            assert f'<ul class="errorlist" id="id_{key}-{name}_error">' in html
        assert '<details class="cause" data-cause open>' in html
        assert re.findall(r'value="(\w+)"[^>]* checked', html) == ["rod"]
        assert "<fieldset>" in html
        message = gettext("Describe the cause: it is required for yellow and red status.")
        assert message in html
        # What was typed comes back escaped, as typed.
        html = _html_with_widgets(
            _refused(request, cell, {"status": "gul", "version": "3", "orsak": 'a <b> & "c"'}),
            request,
        )
        assert f'id="id_{key}-orsak">\na &lt;b&gt; &amp; &quot;c&quot;</textarea>' in html
        assert "<b>" not in html
        # A refusal of the whole save (the service's) is summed up above the inputs, escaped.
        html = _html_with_widgets(
            _refused(request, cell, {"status": "gron", "version": "1"}, error="Nej <i>då</i>"),
            request,
        )
        assert '<div class="error-summary" role="alert">' in html
        assert "Nej &lt;i&gt;då&lt;/i&gt;" in html
        if language == "sv":
            assert "Beskriv orsaken – den krävs för gul och röd status." in _html(
                _refused(request, cell, {"status": "rod", "version": "1"}), request
            )


@pytest.mark.parametrize("language", ["sv", "en"])
def test_a_cell_in_conflict_says_who_changed_what_escaped(
    cast: Cast, follow_ups: None, language: str
) -> None:
    with translation.override(language):
        request, cells = _cells(cast, "klg")
        cell = cells[f"omrade-{cast.omrade_a.pk}"]
        cell = _refused(request, cell, {"status": "gul", "version": "3", "orsak": "x"})
        cell.conflict = _Stale()  # type: ignore[assignment]
        cell.changes = [
            {"label": str(staff_views.FIELD_LABELS["status"]), "before": "Grön", "after": ""},
            {"label": str(staff_views.FIELD_LABELS["orsak"]), "before": "<i>x</i>", "after": "y"},
        ]
        html = _html_with_widgets(cell, request)
        who = gettext("Changed by %(who)s.") % {"who": "Anna &lt;A&gt;, Bo &amp; Co"}
        status, cause = (str(staff_views.FIELD_LABELS[n]).capitalize() for n in ("status", "orsak"))
    assert '<div class="conflict" role="alert">' in html
    assert who in html
    assert f"<li>{status}: ”Grön” → ”–”</li>" in html
    assert f"<li>{cause}: ”&lt;i&gt;x&lt;/i&gt;” → ”y”</li>" in html
    # The choice is kept in the form, ready to be saved again.
    assert re.findall(r'value="(\w+)"[^>]* checked', html) == ["gul"]
    if language == "sv":
        assert "Inte sparat: någon annan har ändrat under tiden." in html
        assert "Ändrat av Anna &lt;A&gt;, Bo &amp; Co." in html
    else:
        assert "Not saved: somebody else changed this in the meantime." in html


@pytest.mark.parametrize("language", ["sv", "en"])
def test_a_late_cell_is_flagged_with_the_deadline(
    cast: Cast, follow_ups: None, language: str
) -> None:
    Period.objects.filter(pk=cast.period.pk).update(deadline=dt.date(2020, 1, 31))
    cast.period.refresh_from_db()
    with translation.override(language):
        request, cells = _cells(cast, "medarbetare")
        # Nothing published by the deadline: all three (area A's version came later).
        for cell in cells.values():
            assert cell.overdue
            html = _html(cell, request)
            deadline = formats.date_format(dt.date(2020, 1, 31), "j F Y")
            late = gettext("Late: not published by %(deadline)s") % {"deadline": deadline}
            assert f'<p class="flag-late"><span aria-hidden="true">⚠</span> {late}</p>' in html
    expected = "Försenad: inte publicerad senast 31 januari 2020"
    assert (expected in html) == (language == "sv")


@pytest.mark.parametrize("user", ["klg", "admin"])
def test_a_cell_of_a_closed_period_is_edited_by_administrators_only(cast: Cast, user: str) -> None:
    closed = make_period(ar=2020, tertial=3, tillstand=Period.Tillstand.STANGD)
    make_uppfoljning(period=closed, omrade=cast.omrade_a, status="rod", orsak="x", atgarder="y")
    # As the status change reads it (with its first publication, here none).
    uppf = staff_views._existing(closed, "omrade", cast.omrade_a)
    request = _request(cast.users[user])
    cells = {
        "with": staff_views._cell(request, closed, "omrade", cast.omrade_a, uppf),
        "without": staff_views._cell(request, closed, "omrade", cast.omrade_b, None),
    }
    for name, cell in cells.items():
        html = _html(cell, request)
        assert cell.can_edit == (user == "admin")
        assert ('class="cell-form"' in html) == (user == "admin"), name
        assert ("link-button" in html) == (user == "admin" and name == "without"), name
    assert "status-rod" in _html(cells["with"], request)
