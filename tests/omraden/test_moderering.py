from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from omraden.models import Initiativ, Inspel
from omraden.services import besked_send_due, waiting_count_for
from tests.cast import Cast
from tests.conftest import make_fas, make_inspel, make_uppfoljning

LIST = "/arbetsyta/inspel/"


def _client(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _after_the_window(capture: Any) -> None:
    """What `manage.py skicka_besked` does once the decision round's window has passed.

    Its commit sends the queued e-mail (the outbox's immediate backend in tests).
    """
    later = timezone.now() + dt.timedelta(seconds=settings.INSPEL_MEDDELANDE_FONSTER)
    with capture(execute=True):
        besked_send_due(now=later)


def _new(**kwargs: Any) -> Inspel:
    kwargs.setdefault("status", Inspel.Status.NY)
    return make_inspel(**kwargs)


def test_residents_are_sent_to_the_login(cast: Cast) -> None:
    r = _client(None).get(LIST)
    assert r.status_code == 302 and "/konto/logga-in/" in r["Location"]


def test_staff_who_moderate_nothing_are_refused(cast: Cast) -> None:
    assert _client(cast.users["medarbetare"]).get(LIST).status_code == 403
    assert _client(cast.users["klg"]).get(LIST).status_code == 403


def test_moderators_see_all_new_input_oldest_first(cast: Cast) -> None:
    now = timezone.now()
    newer = _new(omrade=cast.omrade_a, text="Nyare inspel")
    older = _new(omrade=cast.omrade_b, text="Äldre inspel")
    arealess = _new(text="Inspel utan område")
    Inspel.objects.filter(pk=newer.pk).update(skapad=now - dt.timedelta(hours=1))
    Inspel.objects.filter(pk=older.pk).update(skapad=now - dt.timedelta(hours=3))
    Inspel.objects.filter(pk=arealess.pk).update(skapad=now - dt.timedelta(hours=2))
    html = _client(cast.users["moderator"]).get(LIST).content.decode()
    assert html.index("Äldre inspel") < html.index("Inspel utan område") < html.index("Nyare")


def test_ledartrojor_and_fadder_see_only_their_areas_input(cast: Cast) -> None:
    _new(omrade=cast.omrade_a, text="Om område A")
    _new(omrade=cast.omrade_b, text="Om område B")
    _new(text="Inspel utan område")
    for role in ("ledartroja_a", "fadder_a"):
        html = _client(cast.users[role]).get(LIST).content.decode()
        assert "Om område A" in html
        assert "Om område B" not in html and "Inspel utan område" not in html


def test_a_ledartroja_cannot_open_another_areas_input(cast: Cast) -> None:
    other = _new(omrade=cast.omrade_b)
    arealess = _new()
    client = _client(cast.users["ledartroja_a"])
    assert client.get(f"{LIST}{other.pk}/").status_code == 403
    assert (
        client.post(
            f"{LIST}{arealess.pk}/", {"action": "reject", "avvisningsorsak": "x"}
        ).status_code
        == 403
    )
    assert Inspel.objects.get(pk=arealess.pk).status == Inspel.Status.NY


def test_it_approves_with_an_edited_text_and_keeps_the_received_text(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    inspel = _new(
        omrade=cast.omrade_a, text="Jag heter Eva Ek och bor på Vägen 3.", epost="eva@example.se"
    )
    client = _client(cast.users["ledartroja_a"])
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            f"{LIST}{inspel.pk}/", {"action": "approve", "publicerad_text": "En invånare skriver."}
        )
    _after_the_window(django_capture_on_commit_callbacks)
    assert r.status_code == 302
    inspel.refresh_from_db()
    assert inspel.status == Inspel.Status.GODKAND
    assert inspel.text == "Jag heter Eva Ek och bor på Vägen 3."
    assert inspel.publicerad_text == "En invånare skriver."
    assert inspel.modererad_av == cast.users["ledartroja_a"]
    assert [m.to for m in mail.outbox] == [["eva@example.se"]]
    assert "publicerat" in mail.outbox[0].body and "En invånare skriver." in mail.outbox[0].body


def test_the_approve_form_defaults_to_the_received_text(cast: Cast) -> None:
    inspel = _new(omrade=cast.omrade_a, text="Originaltext från invånaren")
    html = _client(cast.users["moderator"]).get(f"{LIST}{inspel.pk}/").content.decode()
    assert html.count("Originaltext från invånaren") == 2  # as received, and in the form


def test_rejecting_needs_a_reason(cast: Cast) -> None:
    inspel = _new(omrade=cast.omrade_a)
    client = _client(cast.users["moderator"])
    r = client.post(f"{LIST}{inspel.pk}/", {"action": "reject", "avvisningsorsak": " "})
    assert r.status_code == 200
    assert "Skriv varför inspelet avvisas." in r.content.decode()
    assert Inspel.objects.get(pk=inspel.pk).status == Inspel.Status.NY


def test_it_rejects_with_a_reason_and_tells_the_resident(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    inspel = _new(omrade=cast.omrade_a, epost="eva@example.se")
    with django_capture_on_commit_callbacks(execute=True):
        _client(cast.users["moderator"]).post(
            f"{LIST}{inspel.pk}/", {"action": "reject", "avvisningsorsak": "Gäller inte kommunen."}
        )
    _after_the_window(django_capture_on_commit_callbacks)
    inspel.refresh_from_db()
    assert inspel.status == Inspel.Status.AVVISAD and inspel.stangd_at is not None
    assert Inspel.objects.filter(pk=inspel.pk).exists()  # hidden, not removed
    assert "Gäller inte kommunen." in mail.outbox[0].body


def test_it_answers_and_the_answer_is_published_with_the_input(
    cast: Cast, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    inspel = make_inspel(
        omrade=cast.omrade_a, epost="eva@example.se", publicerad_text="Fler bänkar"
    )
    with django_capture_on_commit_callbacks(execute=True):
        _client(cast.users["fadder_a"]).post(
            f"{LIST}{inspel.pk}/", {"action": "answer", "svar": "Vi ställer ut tre bänkar i vår."}
        )
    _after_the_window(django_capture_on_commit_callbacks)
    inspel.refresh_from_db()
    assert inspel.besvarad_av == cast.users["fadder_a"] and inspel.stangd_at is not None
    assert "Vi ställer ut tre bänkar i vår." in mail.outbox[0].body
    html = client.get(cast.omrade_a.get_absolute_url()).content.decode()
    assert "Fler bänkar" in html and "Vi ställer ut tre bänkar i vår." in html


def test_it_links_you_said_we_did_and_tells_the_resident(
    cast: Cast, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    inspel = make_inspel(omrade=cast.omrade_a, epost="eva@example.se", svar="Bra idé.")
    initiativ = Initiativ.objects.create(
        omrade=cast.omrade_a, titel="Bänkprojektet", fas=make_fas()
    )
    uppf = make_uppfoljning(omrade=cast.omrade_a, period=cast.period)
    with django_capture_on_commit_callbacks(execute=True):
        r = _client(cast.users["ledartroja_a"]).post(
            f"{LIST}{inspel.pk}/",
            {"action": "link", "initiativ": initiativ.pk, "uppfoljning": uppf.pk},
        )
    _after_the_window(django_capture_on_commit_callbacks)
    assert r.status_code == 302
    inspel.refresh_from_db()
    assert (inspel.initiativ, inspel.uppfoljning) == (initiativ, uppf)
    assert inspel.kopplad_at is not None
    assert mail.outbox[0].subject == "Ni sa – vi gjorde"
    assert "Bänkprojektet" in mail.outbox[0].body
    html = client.get(cast.omrade_a.get_absolute_url()).content.decode()
    # The chain: input → answer → what was done.
    assert html.index(inspel.publicerad_text) < html.index("Bra idé.") < html.index("Bänkprojektet")


def test_the_link_offers_only_the_inputs_area(cast: Cast) -> None:
    inspel = _new(omrade=cast.omrade_a)
    Initiativ.objects.create(omrade=cast.omrade_b, titel="Annat områdes initiativ", fas=make_fas())
    r = _client(cast.users["moderator"]).post(
        f"{LIST}{inspel.pk}/",
        {"action": "link", "initiativ": Initiativ.objects.get().pk},
    )
    assert r.status_code == 200
    assert Inspel.objects.get(pk=inspel.pk).initiativ is None


def test_no_mail_when_the_resident_left_no_address(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    inspel = _new(omrade=cast.omrade_a)
    with django_capture_on_commit_callbacks(execute=True):
        _client(cast.users["moderator"]).post(
            f"{LIST}{inspel.pk}/", {"action": "approve", "publicerad_text": "Text"}
        )
    _after_the_window(django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_the_export_needs_a_login(cast: Cast) -> None:
    _new(epost="eva@example.se")
    for fmt in ("csv", "json"):
        r = _client(None).get(f"/arbetsyta/inspel/export.{fmt}")
        assert r.status_code == 302 and b"eva@example.se" not in r.content
        assert (
            _client(cast.users["medarbetare"]).get(f"/arbetsyta/inspel/export.{fmt}").status_code
            == 403
        )


def test_the_export_has_the_received_and_the_published_text(cast: Cast) -> None:
    make_inspel(
        omrade=cast.omrade_a,
        text="Mottaget, Eva Ek",
        publicerad_text="Publicerat",
        epost="eva@example.se",
    )
    _new(omrade=cast.omrade_b, text="Område B")
    client = _client(cast.users["moderator"])
    data = json.loads(client.get("/arbetsyta/inspel/export.json").content)["inspel"]
    assert [(d["text"], d["publicerad_text"], d["epost"]) for d in data] == [
        ("Mottaget, Eva Ek", "Publicerat", "eva@example.se"),
        ("Område B", "", ""),
    ]
    r = client.get("/arbetsyta/inspel/export.csv")
    assert r["Content-Type"].startswith("text/csv") and "attachment" in r["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0]["text"] == "Mottaget, Eva Ek" and rows[0]["publicerad_text"] == "Publicerat"
    # A ledartröja exports only the input they moderate.
    mine = json.loads(
        _client(cast.users["ledartroja_b"]).get("/arbetsyta/inspel/export.json").content
    )["inspel"]
    assert [d["text"] for d in mine] == ["Område B"]


def test_waiting_count_follows_what_the_user_moderates(cast: Cast) -> None:
    _new(omrade=cast.omrade_a)
    _new(omrade=cast.omrade_a)
    _new(omrade=cast.omrade_b)
    _new()
    make_inspel(omrade=cast.omrade_a)  # approved: not waiting
    assert waiting_count_for(cast.users["moderator"]) == 4
    assert waiting_count_for(cast.users["ledartroja_a"]) == 2
    assert waiting_count_for(cast.users["ledartroja_b"]) == 1
    assert waiting_count_for(cast.users["medarbetare"]) == 0
    assert waiting_count_for(None) == 0


@pytest.mark.parametrize("size", [1, 30])
def test_the_number_of_queries_does_not_grow_with_the_queue(
    cast: Cast, django_assert_num_queries: DjangoAssertNumQueries, size: int
) -> None:
    for _ in range(size):
        _new(omrade=cast.omrade_a)
        make_inspel(omrade=cast.omrade_b)
    client = _client(cast.users["moderator"])
    client.get(LIST)  # warm the session
    # 1: the session, 2: the user, 3: the user's roles (groups, ledartröja and fadder areas)
    # 4: the number of waiting input, 5: one page of it with areas
    # 6: the latest handled input with areas
    with django_assert_num_queries(6):
        assert client.get(LIST).status_code == 200


def test_the_workspace_shows_the_waiting_count_with_a_link(cast: Cast) -> None:
    _new(omrade=cast.omrade_a)
    _new(omrade=cast.omrade_b)
    html = _client(cast.users["ledartroja_a"]).get("/arbetsyta/").content.decode()
    assert "1 inspel från invånare väntar på moderering" in html
    assert 'href="/arbetsyta/inspel/"' in html
    html = _client(cast.users["moderator"]).get("/arbetsyta/").content.decode()
    assert "2 inspel från invånare väntar på moderering" in html
    assert (
        "väntar på moderering" not in _client(cast.users["klg"]).get("/arbetsyta/").content.decode()
    )


# Personal data is masked before publishing

PNR_TEXT = (
    "Mitt personnummer är 19800101-1234.\nRing 070-123 45 67 eller skriv till eva@example.se."
)


def test_the_text_to_publish_starts_with_personal_data_masked(cast: Cast) -> None:
    inspel = _new(omrade=cast.omrade_a, text=PNR_TEXT)
    r = _client(cast.users["moderator"]).get(f"{LIST}{inspel.pk}/")
    form = r.context["forms"]["approve"]
    assert form.initial["publicerad_text"] == (
        "Mitt personnummer är [personnummer borttaget].\n"
        "Ring [telefonnummer borttaget] eller skriv till [e-postadress borttagen]."
    )
    html = r.content.decode()
    # The moderator sees what was masked, and where: marked in the text as received, listed.
    assert "<mark>19800101-1234</mark>" in html and "<mark>eva@example.se</mark>" in html
    assert "Personnummer på rad 1: 19800101-1234" in html
    assert "Telefonnummer på rad 2: 070-123 45 67" in html
    assert "E-postadress på rad 2: eva@example.se" in html
    # The checkbox appears only once a text is refused.
    assert "inte_personuppgifter" not in html


def test_the_page_lists_nothing_when_nothing_was_masked(cast: Cast) -> None:
    inspel = _new(omrade=cast.omrade_a, text="Mötet 2024-01-15 kl. 08-10 kostade 12 500 kr.")
    html = _client(cast.users["moderator"]).get(f"{LIST}{inspel.pk}/").content.decode()
    assert "<mark>" not in html and "maskerats" not in html


def test_approving_a_text_with_personal_data_is_refused_until_confirmed(cast: Cast) -> None:
    inspel = _new(omrade=cast.omrade_a, text=PNR_TEXT)
    client = _client(cast.users["moderator"])
    data = {"action": "approve", "publicerad_text": "Ring 070-123 45 67."}
    r = client.post(f"{LIST}{inspel.pk}/", data)
    assert r.status_code == 200
    html = r.content.decode()
    assert "Texten verkar innehålla personuppgifter: telefonnummer 070-123 45 67." in html
    assert "Jag har kontrollerat: detta är inte personuppgifter" in html
    assert Inspel.objects.get(pk=inspel.pk).status == Inspel.Status.NY
    r = client.post(f"{LIST}{inspel.pk}/", {**data, "inte_personuppgifter": "on"})
    assert r.status_code == 302
    inspel.refresh_from_db()
    assert inspel.status == Inspel.Status.GODKAND
    assert inspel.publicerad_text == "Ring 070-123 45 67."
    assert inspel.text == PNR_TEXT  # the input as received, unchanged


def test_answering_with_personal_data_is_refused_until_confirmed(cast: Cast) -> None:
    inspel = make_inspel(omrade=cast.omrade_a)
    client = _client(cast.users["moderator"])
    data = {"action": "answer", "svar": "Skriv till handlaggare.eva@tyreso.se."}
    r = client.post(f"{LIST}{inspel.pk}/", data)
    assert r.status_code == 200
    assert "e-postadress handlaggare.eva@tyreso.se" in r.content.decode()
    assert Inspel.objects.get(pk=inspel.pk).svar == ""
    assert (
        client.post(f"{LIST}{inspel.pk}/", {**data, "inte_personuppgifter": "on"}).status_code
        == 302
    )
    assert Inspel.objects.get(pk=inspel.pk).svar == "Skriv till handlaggare.eva@tyreso.se."


def test_the_masked_text_is_accepted_as_it_is(cast: Cast) -> None:
    inspel = _new(omrade=cast.omrade_a, text=PNR_TEXT)
    client = _client(cast.users["moderator"])
    proposed = client.get(f"{LIST}{inspel.pk}/").context["forms"]["approve"].initial
    r = client.post(f"{LIST}{inspel.pk}/", {"action": "approve", **proposed})
    assert r.status_code == 302
    html = Client().get(cast.omrade_a.get_absolute_url()).content.decode()
    assert "[personnummer borttaget]" in html and "19800101" not in html
