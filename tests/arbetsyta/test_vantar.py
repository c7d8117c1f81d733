"""/arbetsyta/: "Waiting for you" – what each staff member has to write, approve, publish or
moderate, with deadlines, overdue first, in a constant number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from omraden.models import Inspel
from tests.cast import Cast
from tests.conftest import make_inspel, make_omrade, make_period, make_uppfoljning, sign_off
from uppfoljning import services, staff_views
from uppfoljning.models import Period, Uppfoljning

URL = "/arbetsyta/"


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _waiting(cast: Cast, role: str) -> list[tuple[str, str, str]]:
    """(kind, subject, period) of each item for `role`, in the order shown."""
    from django.test import RequestFactory

    request = RequestFactory().get(URL)
    request.user = cast.users[role]
    periods = staff_views._open_periods()
    found = staff_views.waiting_for(
        request.user, periods, staff_views._subjects(request), timezone.now()
    )
    return [(i.kind, str(i.subject), str(i.period)) for i in found.items]


def _section(html: str) -> str:
    return html.split('id="vantar"')[1].split("</section>")[0]


def _write(cast: Cast, omrade: Any, by: str = "ledartroja_a") -> Uppfoljning:
    uppf, _ = services.uppfoljning_get_or_create(
        period=cast.period, omrade=omrade, by=cast.users[by]
    )
    return services.uppfoljning_save(
        uppfoljning=uppf, version=uppf.version, changes={"status": "gron"}, by=cast.users[by]
    )


def test_each_role_sees_what_waits_for_it_through_the_cycle(cast: Cast) -> None:
    a, b, period = str(cast.omrade_a), str(cast.omrade_b), str(cast.period)
    assignment = str(cast.uppdrag)
    # Nothing started: the writers of each area, and KLG for the overarching assignment.
    assert _waiting(cast, "ledartroja_a") == [("skriva", a, period)]
    assert _waiting(cast, "fadder_a") == [("skriva", a, period)]
    assert _waiting(cast, "ledartroja_b") == [("skriva", b, period)]
    assert _waiting(cast, "klg") == [("skriva", assignment, period)]
    assert _waiting(cast, "medarbetare") == []
    # Area A ready: the fadder approves (they have a login), not KLG; area B ready: KLG
    # approves (its fadder has no login).
    uppf_a = _write(cast, cast.omrade_a)
    assert _waiting(cast, "ledartroja_a") == [("skriva", a, period)]
    uppf_a = services.uppfoljning_mark_ready(
        uppfoljning=uppf_a, version=uppf_a.version, by=cast.users["ledartroja_a"]
    )
    uppf_b = _write(cast, cast.omrade_b, by="ledartroja_b")
    services.uppfoljning_mark_ready(
        uppfoljning=uppf_b, version=uppf_b.version, by=cast.users["ledartroja_b"]
    )
    assert _waiting(cast, "ledartroja_a") == []
    assert _waiting(cast, "fadder_a") == [("godkanna", a, period)]
    assert ("godkanna", b, period) in _waiting(cast, "klg")
    assert ("godkanna", a, period) not in _waiting(cast, "klg")
    # Approved: KLG publishes.
    services.uppfoljning_approve(
        uppfoljning=uppf_a, version=uppf_a.version, by=cast.users["fadder_a"]
    )
    assert _waiting(cast, "fadder_a") == []
    assert _waiting(cast, "klg")[0] == ("publicera", a, period)


def test_overdue_comes_first_with_its_deadline(cast: Cast) -> None:
    today = timezone.localdate()
    late = make_period(
        ar=today.year - 1,
        tertial=3,
        tillstand=Period.Tillstand.OPPEN,
        deadline=today - dt.timedelta(days=3),
    )
    items = _waiting(cast, "ledartroja_a")
    assert items == [
        ("skriva", str(cast.omrade_a), str(late)),
        ("skriva", str(cast.omrade_a), str(cast.period)),
    ]
    html = _section(_client(cast.users["ledartroja_a"]).get(URL).content.decode())
    first, second = html.split("<li")[1:3]
    assert 'class="flag-late"' in first and "⚠" in first and str(late) in first
    assert 'class="flag-late"' not in second and cast.period.deadline.strftime("%Y") in second


def test_a_published_follow_up_waits_for_nobody(cast: Cast) -> None:
    uppf = sign_off(
        _write(cast, cast.omrade_a), by=cast.users["ledartroja_a"], approver=cast.users["klg"]
    )
    services.uppfoljning_publish(uppfoljning=uppf, version=uppf.version, by=cast.users["klg"])
    assert _waiting(cast, "ledartroja_a") == []
    assert all(subject != str(cast.omrade_a) for _k, subject, _p in _waiting(cast, "klg"))


def test_the_page_links_each_item_and_offers_to_start_the_unstarted(cast: Cast) -> None:
    uppf = _write(cast, cast.omrade_a, by="klg")
    html = _section(_client(cast.users["klg"]).get(URL).content.decode())
    # The overarching assignment is not started: a form to start it (no JavaScript needed).
    assert f'action="/arbetsyta/ny/{cast.period.pk}/uppdrag/{cast.uppdrag.pk}/"' in html
    assert "csrfmiddlewaretoken" in html
    html = _section(_client(cast.users["ledartroja_a"]).get(URL).content.decode())
    assert f'href="/arbetsyta/uppfoljning/{uppf.pk}/"' in html


def test_input_to_moderate_is_on_the_list(cast: Cast) -> None:
    make_inspel(omrade=cast.omrade_a, status=Inspel.Status.NY)
    html = _section(_client(cast.users["moderator"]).get(URL).content.decode())
    assert 'href="/arbetsyta/inspel/"' in html
    assert "1 inspel från invånare väntar på moderering" in html


def test_nothing_waiting_says_so(cast: Cast) -> None:
    html = _section(_client(cast.users["medarbetare"]).get("/en/arbetsyta/").content.decode())
    assert "Nothing waits for you right now" in html
    assert "<li" not in html


@pytest.mark.parametrize("extra", [0, 15])
def test_the_list_takes_a_constant_number_of_queries(
    cast: Cast, extra: int, django_assert_num_queries: Any
) -> None:
    # KLG with many areas to approve (no fadder login) in two open periods.
    other = make_period(ar=cast.period.ar + 1, tertial=1, tillstand=Period.Tillstand.OPPEN)
    for _ in range(extra):
        area = make_omrade()
        for period in (cast.period, other):
            make_uppfoljning(period=period, omrade=area, status="gron", tillstand="klar")
    c = _client(cast.users["klg"])
    c.get(URL)
    # 1 session, 2 user, 3 roles_for, 4 the open periods, 5 areas, 6 overarching assignments,
    # 7 the matrix's follow-ups of the newest open period, 8 "Waiting for you": the follow-ups
    # of every open period that wait for this user (KLG moderates nothing: no count).
    with django_assert_num_queries(8):
        html = c.get(URL).content.decode()
    assert _section(html).count("<li") == 2 * extra + 2  # and the assignment, in both periods
