from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from omraden.models import Initiativ, Inspel
from portal.roles import MODERATOR
from tests.conftest import make_fas, make_inspel, make_ledartroja, make_omrade, make_user

URL = "/tyck-till/"


def _post(client: Client, headers: dict[str, str] | None = None, **data: Any) -> Any:
    # Upper-case keywords are request META (REMOTE_ADDR, HTTP_X_FORWARDED_FOR), not form data.
    meta = {key: data.pop(key) for key in list(data) if key.isupper()}
    data.setdefault("typ", "ide")
    data.setdefault("text", "Fler bänkar vid Alby sjö, tack!")
    return client.post(URL, data, headers=headers, **meta)


@pytest.mark.django_db
def test_it_shows_the_form_with_the_gdpr_art_13_notice(client: Client, kommun: object) -> None:
    html = client.get(URL).content.decode()
    assert '<form method="post" action="/tyck-till/"' in html
    for required in [
        "Tyresö kommun (kommunstyrelsen)",  # controller and contact
        "dataskyddsombud@tyreso.se",  # data protection officer
        "Ändamål",  # purpose
        "artikel 6.1 e",  # legal basis: public interest
        "Mottagare",  # recipients
        "12 månader",  # retention, from settings.GALLRING
        "rätt att",  # rights
        "Integritetsskyddsmyndigheten (IMY)",  # complaint
        "allmän handling",
    ]:
        assert required in html, required


@pytest.mark.django_db
def test_it_saves_the_input_exactly_as_received_and_redirects_to_thanks(client: Client) -> None:
    omrade = make_omrade()
    text = 'Rad ett\r\nRad två med <b>fetstil</b> & citat "här"'
    r = _post(
        client, typ="antikrangel", omrade=omrade.pk, text=text, namn="Eva", epost="eva@example.se"
    )
    assert r.status_code == 302 and r["Location"] == "/tyck-till/tack/"
    inspel = Inspel.objects.get()
    # Only the line endings are normalised (the browser's CRLF); everything else as received.
    assert inspel.text == 'Rad ett\nRad två med <b>fetstil</b> & citat "här"'
    assert (inspel.typ, inspel.omrade, inspel.namn, inspel.epost) == (
        "antikrangel",
        omrade,
        "Eva",
        "eva@example.se",
    )
    assert inspel.status == Inspel.Status.NY and inspel.visa_namn is False
    thanks = client.get("/tyck-till/tack/").content.decode()
    assert "Tack – ditt inspel har kommit in" in thanks


@pytest.mark.django_db
def test_anonymous_input_without_area_is_allowed(client: Client) -> None:
    assert _post(client).status_code == 302
    inspel = Inspel.objects.get()
    assert inspel.omrade is None and inspel.namn == "" and inspel.epost == ""


@pytest.mark.django_db
def test_it_notifies_the_ledartrojor_and_the_moderators_after_commit(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    omrade = make_omrade()
    make_ledartroja(omrade, make_user("lisa"))
    make_ledartroja(make_omrade(), make_user("otto"))  # another area's ledartröja
    make_user("mona", groups=(MODERATOR,))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert _post(client, omrade=omrade.pk).status_code == 302
    # Nothing is sent while the resident's request runs: only after the commit.
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["lisa@tyreso.se", "mona@tyreso.se"]
    assert "/arbetsyta/inspel/" in mail.outbox[0].body


@pytest.mark.django_db
def test_input_without_area_notifies_only_the_moderators(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    make_ledartroja(make_omrade(), make_user("lisa"))
    make_user("mona", groups=(MODERATOR,))
    with django_capture_on_commit_callbacks(execute=True):
        _post(client)
    assert [m.to for m in mail.outbox] == [["mona@tyreso.se"]]


@pytest.mark.django_db
def test_htmx_gets_the_confirmation_swapped_in(client: Client) -> None:
    r = _post(client, headers={"HX-Request": "true"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "<html" not in html
    assert 'id="inspel-formular"' in html
    assert "Tack – ditt inspel har kommit in" in html
    assert Inspel.objects.count() == 1


@pytest.mark.django_db
def test_an_empty_text_is_refused_with_what_to_do_and_status_200(client: Client) -> None:
    r = _post(client, text="   ", namn="Eva")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Skriv ditt inspel i textfältet." in html
    assert 'aria-invalid="true"' in html and 'id="id_text_error"' in html
    assert 'value="Eva"' in html
    assert not Inspel.objects.exists()


@pytest.mark.django_db
def test_each_error_is_tied_to_its_field_for_screen_readers(client: Client) -> None:
    html = _post(client, typ="", text="", epost="x").content.decode()
    assert '<fieldset aria-describedby="id_typ_error">' in html
    assert '<ul class="errorlist" id="id_typ_error">' in html
    assert (
        'required aria-invalid="true" aria-describedby="id_text_helptext id_text_error" '
        'id="id_text">'
    ) in html
    assert '<div class="helptext" id="id_text_helptext">Högst 2 000 tecken.</div>' in html
    assert 'aria-invalid="true" aria-describedby="id_epost_helptext id_epost_error"' in html
    # A field without an error is not marked invalid.
    namn = '<input type="text" name="namn" autocomplete="name" maxlength="200" id="id_namn">'
    assert namn in html


@pytest.mark.django_db
def test_an_over_long_text_is_refused_and_kept(client: Client) -> None:
    text = "å" * 2001
    r = _post(client, text=text)
    assert r.status_code == 200
    html = r.content.decode()
    assert "Korta din text till högst 2000 tecken (den har nu 2001)." in html
    assert text in html  # the resident's text is not lost
    assert not Inspel.objects.exists()


@pytest.mark.django_db
def test_crlf_line_breaks_count_as_one_character(client: Client) -> None:
    text = ("x" * 99 + "\r\n") * 20  # 2,000 characters in the textarea, 2,020 bytes sent
    assert _post(client, text=text).status_code == 302
    assert len(Inspel.objects.get().text) == 2000 - 1  # stripped trailing newline


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("epost", "inte-en-adress", "Skriv en e-postadress som namn@example.se"),
        ("typ", "spam", "Välj vilken sorts inspel det är"),
        ("omrade", "999", "Välj ett av områdena i listan"),
        ("text", "hej\x00då", "Ta bort de osynliga styrtecknen"),
        ("namn", "N" * 201, "Korta ditt namn till högst 200 tecken."),
    ],
)
def test_malformed_input_is_refused_with_a_clear_message(
    client: Client, field: str, value: str, message: str
) -> None:
    r = _post(client, **{field: value, "text": "Min idé" if field != "text" else value})
    assert r.status_code == 200
    html = r.content.decode()
    assert message in html
    if field != "text":
        assert "Min idé" in html
    assert not Inspel.objects.exists()


@pytest.mark.django_db
def test_markup_is_stored_as_text_and_always_escaped(client: Client) -> None:
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    make_inspel(text=payload)
    r = _post(client, text=payload)
    assert r.status_code == 302
    assert Inspel.objects.filter(text=payload).count() == 2
    html = client.get(URL).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


@pytest.mark.django_db
def test_a_filled_honeypot_creates_no_row_but_looks_like_success(client: Client) -> None:
    r = _post(client, webbplats="http://spam.example")
    assert r.status_code == 302
    assert not Inspel.objects.exists()


@pytest.mark.django_db
def test_the_honeypot_is_hidden_from_people(client: Client) -> None:
    html = client.get(URL).content.decode()
    assert '<div class="hp" aria-hidden="true"><label for="id_webbplats">Lämna fältet tomt' in html
    assert 'name="webbplats"' in html and 'tabindex="-1"' in html


@pytest.mark.django_db
def test_csrf_is_required(client: Client) -> None:
    strict = Client(enforce_csrf_checks=True)
    r = strict.post(URL, {"typ": "ide", "text": "Hej"})
    assert r.status_code == 403
    assert not Inspel.objects.exists()


@pytest.mark.django_db
def test_the_sixth_submission_in_ten_minutes_gets_a_swedish_429_that_keeps_the_text(
    client: Client,
) -> None:
    for i in range(5):
        assert _post(client, text=f"Inspel {i}").status_code == 302
    r = _post(client, text="Mitt sjätte inspel som inte får försvinna")
    assert r.status_code == 429
    html = r.content.decode()
    assert '<html lang="sv">' in html
    assert "För många inskick från din uppkoppling" in html
    assert "Mitt sjätte inspel som inte får försvinna" in html
    assert Inspel.objects.count() == 5


@pytest.mark.django_db
def test_the_rate_limit_is_per_client_address(client: Client) -> None:
    for i in range(5):
        _post(client, text=f"Inspel {i}", REMOTE_ADDR="10.0.0.1")
    assert _post(client, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert _post(client, REMOTE_ADDR="10.0.0.2").status_code == 302


@pytest.mark.django_db
def test_blocked_attempts_create_no_rows_even_when_valid(client: Client, settings: Any) -> None:
    settings.INSPEL_RATE = "1/10m"
    assert _post(client).status_code == 302
    assert _post(client, headers={"HX-Request": "true"}).status_code == 429
    assert _post(client, webbplats="spam").status_code == 429
    assert Inspel.objects.count() == 1


@pytest.mark.django_db
def test_x_forwarded_for_is_ignored_unless_configured(client: Client, settings: Any) -> None:
    settings.INSPEL_RATE = "1/10m"
    assert _post(client, HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 302
    # A client cannot escape the limit by inventing a new forwarded address...
    assert _post(client, HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 429
    # ...but behind one trusted proxy, the proxy's last entry is the client.
    settings.TRUSTED_PROXY_COUNT = 1
    assert _post(client, HTTP_X_FORWARDED_FOR="9.9.9.9, 3.3.3.3").status_code == 302
    assert _post(client, HTTP_X_FORWARDED_FOR="8.8.8.8, 3.3.3.3").status_code == 429


@pytest.mark.django_db
def test_the_area_can_be_preselected(client: Client) -> None:
    omrade = make_omrade(slug="unga")
    html = client.get(URL + "?omrade=unga").content.decode()
    assert f'<option value="{omrade.pk}" selected>' in html


@pytest.mark.django_db
def test_public_input_is_approved_only_newest_first_with_answer_and_chosen_name(
    client: Client,
) -> None:
    now = timezone.now()
    old = make_inspel(publicerad_text="Gammalt inspel", namn="Synlig Person", visa_namn=True)
    new = make_inspel(publicerad_text="Nytt inspel", namn="Dold Person", svar="Vi ordnar det.")
    Inspel.objects.filter(pk=old.pk).update(skapad=now - dt.timedelta(days=2))
    Inspel.objects.filter(pk=new.pk).update(skapad=now - dt.timedelta(days=1))
    make_inspel(status=Inspel.Status.NY, text="Ej modererat")
    make_inspel(status=Inspel.Status.AVVISAD, text="Avvisat")
    make_inspel(text="Mottagen text", publicerad_text="Modererad text")
    html = client.get(URL).content.decode()
    assert html.index("Modererad text") < html.index("Nytt inspel") < html.index("Gammalt inspel")
    assert "Vi ordnar det." in html
    assert "Synlig Person" in html and "Dold Person" not in html
    assert "Ej modererat" not in html and "Avvisat" not in html and "Mottagen text" not in html


@pytest.mark.django_db
def test_the_public_list_shows_you_said_we_did(client: Client) -> None:
    omrade = make_omrade()
    initiativ = Initiativ.objects.create(omrade=omrade, titel="Fler bänkar", fas=make_fas())
    make_inspel(omrade=omrade, initiativ=initiativ, svar="Bra idé!")
    html = client.get(omrade.get_absolute_url()).content.decode()
    assert "Bra idé!" in html
    assert "Ni sa – vi gjorde:" in html and "Fler bänkar" in html


@pytest.mark.django_db
def test_the_public_list_is_paginated(client: Client) -> None:
    for i in range(12):
        make_inspel(publicerad_text=f"Inspel nummer {i:02d}")
    first = client.get(URL).content.decode()
    second = client.get(URL + "?sida=2").content.decode()
    assert "Inspel nummer 11" in first and "Inspel nummer 01" not in first
    assert "Inspel nummer 01" in second and "Inspel nummer 11" not in second
    assert "Sida 1 av 2" in first


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 30])
def test_the_number_of_queries_does_not_grow_with_the_input(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries, size: int, kommun: object
) -> None:
    # The municipality (header, footer) is read from the warm shared cache: no query.
    omrade = make_omrade()
    initiativ = Initiativ.objects.create(omrade=omrade, titel="Bänkar", fas=make_fas())
    for i in range(size):
        make_inspel(omrade=omrade, initiativ=initiativ, svar=f"Svar {i}")
    # 1: the public areas for the form's list
    # 2: the number of approved input
    # 3: one page of it, with area, initiative and follow-up period
    with django_assert_num_queries(3):
        assert client.get(URL).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 30])
def test_the_area_page_lists_its_input_in_a_constant_number_of_queries(
    client: Client, size: int
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    omrade = make_omrade()
    initiativ = Initiativ.objects.create(omrade=omrade, titel="Bänkar", fas=make_fas())
    for i in range(size):
        make_inspel(omrade=omrade, initiativ=initiativ, publicerad_text=f"Områdesinspel {i}")
    with CaptureQueriesContext(connection) as queries:
        html = client.get(omrade.get_absolute_url()).content.decode()
    inspel_queries = [q["sql"] for q in queries if "omraden_inspel" in q["sql"]]
    # 1: the number of the area's approved input, 2: one page of it (with its relations).
    assert len(inspel_queries) == 2
    assert f"Områdesinspel {size - 1}" in html
