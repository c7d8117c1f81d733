"""Hypothesis fuzzing: random POSTs to every form never give a 5xx, and a rejected POST
writes nothing.

For each form the field names are read from the page that shows it, so a new field is
fuzzed without touching this file. Each example sends some of the fields (missing ones),
some twice (duplicated), some unknown ones, with unicode, control characters, oversized
text and numbers where text is expected (wrong types).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.backup import exported_models
from tests.security.urlmap import build_world

# Security logs are meant to record rejected attempts (failed logins); sessions come and go.
NOT_DATA = {"sessions", "axes", "granskning"}

VALUES = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.text(min_size=2001, max_size=2100),
    st.integers(min_value=-(2**63), max_value=2**64).map(str),
    st.sampled_from(
        ["", " ", "0", "-1", "1e309", "NaN", "true", "null", "2023-02-30", "9" * 40, "\x00"]
    ),
)


def form_fields(html: str) -> list[str]:
    names = re.findall(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"', html)
    return sorted(set(names) - {"csrfmiddlewaretoken"})


def data_rows() -> dict[str, int]:
    return {
        m._meta.label_lower: m._base_manager.count()
        for m in exported_models()
        if m._meta.app_label not in NOT_DATA
    }


@st.composite
def post_data(draw: st.DrawFn, fields: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in fields:
        choice = draw(st.sampled_from(["value", "value", "missing", "twice"]))
        if choice == "value":
            data[name] = draw(VALUES)
        elif choice == "twice":
            data[name] = [draw(VALUES), draw(VALUES)]
    extra = draw(st.dictionaries(st.text(min_size=1, max_size=10), VALUES, max_size=2))
    return {**extra, **data}


def _fuzz(c: Client, url: str, fields: list[str]) -> None:
    @settings(
        max_examples=25,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=post_data(fields))
    def fuzz(data: dict[str, Any]) -> None:
        before = data_rows()
        r = c.post(url, data)
        assert r.status_code < 500, (url, data, r.status_code)
        if r.status_code not in (301, 302, 303):
            assert data_rows() == before, (url, data, r.status_code)

    fuzz()


def _endpoints(world: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(where the form posts, the page that shows it, logged in as staff?)."""
    a, past, u = world["aktivitet"], world["past"], world["uppfoljning"]
    return [
        ("/tyck-till/", "/tyck-till/", False),
        ("/konto/logga-in/", "/konto/logga-in/", False),
        (f"/aktiviteter/{a.pk}/anmalan/", f"/aktiviteter/{a.pk}/", False),
        (f"/anmalan/{world['anmalan'].token}/", f"/anmalan/{world['anmalan'].token}/", False),
        (f"/arbetsyta/uppfoljning/{u.pk}/", f"/arbetsyta/uppfoljning/{u.pk}/", True),
        (
            f"/arbetsyta/cell/{u.period_id}/omrade/{u.omrade_id}/",
            "/arbetsyta/",
            True,
        ),
        (
            f"/arbetsyta/inspel/{world['inspel'].pk}/",
            f"/arbetsyta/inspel/{world['inspel'].pk}/",
            True,
        ),
        (
            f"/arbetsyta/indikatorer/{world['indikator'].slug}/",
            f"/arbetsyta/indikatorer/{world['indikator'].slug}/",
            True,
        ),
        (f"/aktiviteter/{past.pk}/aterkoppling/", f"/aktiviteter/{past.pk}/aterkoppling/", True),
    ]


@pytest.mark.django_db
@override_settings(INSPEL_RATE="1000000/m", ANMALAN_RATE="1000000/m", AXES_ENABLED=False)
def test_random_posts_to_every_form_never_fail_and_rejected_ones_write_nothing(
    tyreso: None,
) -> None:
    world = build_world()
    client = Client(raise_request_exception=False)
    staff = Client(raise_request_exception=False)
    staff.force_login(world["staff"])
    seen = []
    for url, page, as_staff in _endpoints(world):
        c = staff if as_staff else client
        fields = form_fields(c.get(page).content.decode())
        # A form without fields (the cancel button) is still fuzzed with unknown fields.
        seen.extend(fields)

        _fuzz(c, url, fields)
    assert len(seen) > 20
