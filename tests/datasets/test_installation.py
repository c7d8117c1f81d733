"""An empty portal (`make run DATASET=`): the front page and /installation/ guide the set-up."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kommun.models import Kommun
from omraden.models import Omrade, Person
from tests.conftest import make_user
from uppfoljning.models import Period

DONE = '<strong><span aria-hidden="true">✓</span>'
NOT_DONE = '<strong><span aria-hidden="true">○</span>'


@pytest.fixture
def admin(db: None) -> Client:
    client = Client()
    client.force_login(make_user("forsta", groups=("administratör",), email="a@example.se"))
    return client


@pytest.mark.django_db
def test_the_empty_front_page_says_how_to_create_the_first_administrator(client: Client) -> None:
    r = client.get("/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "manage.py createsuperuser" in html
    assert f'href="{reverse("installation")}"' in html
    assert "area-list" not in html and "<table" not in html


@pytest.mark.django_db
def test_the_notice_stops_naming_createsuperuser_once_a_login_exists(client: Client) -> None:
    assert "createsuperuser" in client.get("/").content.decode()
    assert "createsuperuser" in client.get("/").content.decode()  # not kept by the page cache
    make_user("forsta")
    html = client.get("/").content.decode()
    assert "createsuperuser" not in html
    assert f'href="{reverse("installation")}"' in html


@pytest.mark.django_db
def test_the_english_front_page_has_the_notice_too(client: Client) -> None:
    html = client.get("/en/").content.decode()
    assert '<html lang="en">' in html
    assert "manage.py createsuperuser" in html
    assert 'href="/en/installation/"' in html


@pytest.mark.django_db
def test_the_front_page_shows_the_overview_once_the_municipality_exists(client: Client) -> None:
    make_user("forsta")
    assert "/installation/" in client.get("/").content.decode()
    Kommun.objects.create(namn="Exempelkommun", kortnamn="Exempelkommun")
    html = client.get("/").content.decode()
    assert "/installation/" not in html
    assert "area-list" in html


@pytest.mark.django_db
def test_the_set_up_page_is_for_administrators_only(client: Client) -> None:
    r = client.get("/installation/")
    assert r.status_code == 302 and r["Location"].startswith("/konto/logga-in/")
    client.force_login(make_user("medarbetare", groups=("medarbetare",)))
    assert client.get("/installation/").status_code == 403
    assert client.post("/installation/").status_code == 405


@pytest.mark.django_db
def test_the_set_up_page_of_an_empty_portal_has_four_steps_to_do(admin: Client) -> None:
    r = admin.get("/installation/")
    assert r.status_code == 200
    html = r.content.decode()
    # The administrator's own login is in a role group, but there are no people yet.
    assert html.count(NOT_DONE) == 4 and DONE not in html
    for name in (
        "admin:kommun_kommun_changelist",
        "admin:omraden_omrade_add",
        "admin:omraden_person_changelist",
        "admin:auth_user_changelist",
        "admin:uppfoljning_period_skapa_ar",
    ):
        assert f'href="{reverse(name)}"' in html


@pytest.mark.django_db
def test_each_step_is_done_when_the_database_has_it(admin: Client) -> None:
    Kommun.objects.create(namn="Exempelkommun", kortnamn="Exempelkommun")
    assert admin.get("/installation/").content.decode().count(DONE) == 1
    # An area without a fadder does not count; with one it does (and the fadder is a person).
    Omrade.objects.create(nummer=1, slug="a", kortnamn="A", fraga="Hur?")
    assert admin.get("/installation/").content.decode().count(DONE) == 1
    Omrade.objects.filter(nummer=1).update(fadder=Person.objects.create(namn="Alva Exempel"))
    assert admin.get("/installation/").content.decode().count(DONE) == 3
    # Two periods of a year are not a year.
    Period.objects.create(ar=2027, tertial=1)
    Period.objects.create(ar=2027, tertial=2)
    assert admin.get("/installation/").content.decode().count(DONE) == 3
    Period.objects.create_year(2027)
    html = admin.get("/installation/").content.decode()
    assert html.count(DONE) == 4 and NOT_DONE not in html
    assert 'role="status"' in html


@pytest.mark.django_db
def test_people_need_a_staff_account_in_a_role(client: Client) -> None:
    Person.objects.create(namn="Alva Exempel")
    superuser = make_user("root", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    # A superuser outside every role group: people exist, but no staff account has a role.
    assert client.get("/installation/").content.decode().count(DONE) == 0
    make_user("bo", groups=("medarbetare",))
    assert client.get("/installation/").content.decode().count(DONE) == 1
    assert Kommun.objects.count() == 0
