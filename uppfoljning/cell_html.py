"""The markup of one cell of the workspace matrix (`templates/uppfoljning/arbetsyta.html`).

The matrix shows one cell per area and assignment, each with its status, its form and its
links: about forty template nodes a cell, and Django's template engine resolving, escaping and
rendering each of them was most of the workspace's time (the page kommunledningsgruppen has
open in its meetings). The cell is written out here instead, as the search hits and the
report's changes are; the template's `cell` partial shows it, so the matrix and the htmx
answer to a status change (`arbetsyta.html#cell`) are the same markup.
tests/arbetsyta/test_cell_html.py holds it to the template it replaced.
"""

from __future__ import annotations

import functools
import html
from typing import TYPE_CHECKING, Any

from django.template.defaultfilters import date as date_filter
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext

from portal.lib.markup import autoescape
from portal.templatetags.status import status as status_html

if TYPE_CHECKING:
    from uppfoljning.staff_views import Cell, CellInputs


@functools.lru_cache(maxsize=8)
def _words(language: str | None) -> dict[str, str]:
    """The cell's fixed texts in `language` (the cache key: gettext reads the active one),
    escaped as `{% translate %}` gives them. The sentences with a value in them are
    translated per cell, as `{% blocktranslate %}` does."""
    texts = {
        "no_status": gettext("No status yet"),
        "not_started": gettext("Not started"),
        "earlier_public": gettext("an earlier version is public"),
        "saved": gettext("Saved"),
        "not_saved": gettext("Not saved: somebody else changed this in the meantime."),
        "kept": gettext("Your choice is kept below; save again to replace their version."),
        "status": gettext("Status"),
        "cause_summary": gettext("Cause and actions taken (required for yellow and red)"),
        "markdown": gettext(
            "Markdown works: **bold**, *italic*, - list, [link](https://…). An empty line "
            "starts a new paragraph."
        ),
        "cause": gettext("Cause"),
        "actions": gettext("Actions taken"),
        "save": gettext("Save status"),
        "open": gettext("Open the follow-up"),
        "write": gettext("Write the follow-up"),
    }
    return {name: html.escape(text) for name, text in texts.items()}


def cell_html(cell: Cell, csrf_input: str) -> SafeString:
    """One cell as an <article>; `csrf_input` is the CSRF token's hidden input."""
    w = _words(get_language())
    key = autoescape(cell.key)
    subject = cell.subject
    if cell.kind == "omrade":
        name = f"{autoescape(subject.nummer)}. {autoescape(subject.kortnamn)}"
        short = autoescape(subject.kortnamn)
    else:
        name = short = autoescape(subject.namn)
    uppf = cell.uppf
    if uppf and uppf.status:
        # The same markup as `{% status %}` everywhere else (text and symbol, never colour).
        status = status_html(uppf)
    else:
        status = f'<span class="status status-none">{w["no_status"]}</span>'
    state = autoescape(cell.state_label) if uppf else w["not_started"]
    if cell.published and (uppf.tillstand if uppf else "") != "publicerad":
        state += f" · {w['earlier_public']}"
    out = [
        f'<article class="cell" id="{key}" aria-labelledby="{key}-rubrik">\n'
        f'  <h3 id="{key}-rubrik">{name}</h3>\n'
        f'  <p class="cell-status">\n    {status}\n    <span class="state">{state}</span>\n  </p>\n'
    ]
    if uppf:
        when = date_filter(template_localtime(uppf.andrad_at), "j F Y H:i")
        said = gettext("Last changed by %(who)s, %(when)s") % {
            "who": autoescape(cell.editor),
            "when": autoescape(when),
        }
        out.append(f'  <p class="muted">{said}</p>\n')
    if cell.overdue:
        late = gettext("Late: not published by %(deadline)s") % {
            "deadline": autoescape(date_filter(cell.period.deadline, "j F Y"))
        }
        out.append(f'  <p class="flag-late"><span aria-hidden="true">⚠</span> {late}</p>\n')
    if cell.saved:
        out.append(
            f'  <p class="saved" role="status"><span aria-hidden="true">✓</span> {w["saved"]}</p>\n'
        )
    if cell.conflict:
        who = gettext("Changed by %(who)s.") % {
            "who": ", ".join(autoescape(person) for person in cell.conflict.by)
        }
        changes = "".join(
            f"<li>{autoescape(capfirst(c['label']))}: ”{autoescape(c['before'] or '–')}” → "
            f"”{autoescape(c['after'] or '–')}”</li>"
            for c in cell.extra.get("changes", [])
        )
        out.append(
            '  <div class="conflict" role="alert">\n'
            f"    <p><strong>{w['not_saved']}</strong>\n    {who}\n    {w['kept']}</p>\n"
            f"    <ul>{changes}</ul>\n  </div>\n"
        )
    if cell.inputs:
        out.append(_form(cell, cell.inputs, key, csrf_input, w))
    if uppf:
        out.append(
            f'  <p><a href="{autoescape(cell.uppfoljning_url)}">{w["open"]}'
            f'<span class="visually-hidden"> – {short}</span></a></p>\n'
        )
    elif cell.can_edit:
        out.append(
            f'  <form method="post" action="{autoescape(cell.new_url)}">\n    {csrf_input}\n'
            f'    <button type="submit" class="link-button">{w["write"]}'
            f'<span class="visually-hidden"> – {short}</span></button>\n  </form>\n'
        )
    out.append("</article>\n")
    return SafeString("".join(out))


def _form(cell: Cell, f: CellInputs, key: str, csrf_input: str, w: dict[str, str]) -> str:
    """The status form, its inputs written out as Django's widgets render them (same names,
    ids, required, aria-invalid and aria-describedby; tests/arbetsyta/test_matris.py)."""
    action = autoescape(cell.action_url)
    errors = bool(f.errors)
    status_errors = f.status_errors if errors else None
    orsak_errors = f.orsak_errors if errors else None
    atgarder_errors = f.atgarder_errors if errors else None
    out = [
        f'  <form method="post" action="{action}" hx-post="{action}" hx-target="#{key}" '
        'hx-swap="outerHTML" class="cell-form" data-status-form>\n'
        f"    {csrf_input}\n"
        f'    <input type="hidden" name="{key}-version" value="{autoescape(f.version)}" '
        f'id="id_{key}-version">\n'
    ]
    if errors and f.non_field_errors:
        out.append(
            f'    <div class="error-summary" role="alert">{autoescape(f.non_field_errors)}</div>\n'
        )
    invalid = ' aria-invalid="true"' if status_errors else ""
    options = "".join(
        f'<label for="{autoescape(id_)}"><input type="radio" name="{key}-status" '
        f'value="{autoescape(value)}" id="{autoescape(id_)}" required{invalid}'
        f"{' checked' if checked else ''}> {autoescape(label)}</label>"
        for id_, value, label, checked in f.options
    )
    described = f' aria-describedby="id_{key}-status_error"' if status_errors else ""
    out.append(
        f"    <fieldset{described}>\n      <legend>{w['status']}</legend>\n"
        + (f"      {autoescape(status_errors)}\n" if status_errors else "")
        + f'      <div class="radio-row">\n        {options}\n      </div>\n    </fieldset>\n'
    )
    out.append(
        f'    <details class="cause" data-cause{" open" if f.open else ""}>\n'
        f"      <summary>{w['cause_summary']}</summary>\n"
        f'      <p class="help">{w["markdown"]}</p>\n'
        f"      {_textarea(key, 'orsak', w['cause'], f.orsak, orsak_errors)}\n"
        f"      {_textarea(key, 'atgarder', w['actions'], f.atgarder, atgarder_errors)}\n"
        "    </details>\n"
        f'    <button type="submit" id="{key}-spara">{w["save"]}</button>\n'
        "  </form>\n"
    )
    return "".join(out)


def _textarea(key: str, name: str, label: str, value: str, errors: Any) -> str:
    """A labelled textarea as Django's Textarea widget renders it (the line break after the
    opening tag is the widget's: browsers drop it)."""
    shown = autoescape(errors) if errors else ""
    invalid = f' aria-invalid="true" aria-describedby="id_{key}-{name}_error"' if errors else ""
    return (
        f'<p><label for="id_{key}-{name}">{label}</label>{shown}<textarea name="{key}-{name}" '
        f'cols="40" rows="3"{invalid} id="id_{key}-{name}">\n{autoescape(value)}</textarea></p>'
    )
