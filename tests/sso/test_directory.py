"""Roles from the directory (konto/directory.py): the rule, then the rule through a real
provider – someone removed from a group loses the role, someone left with no role is refused
and their other sessions end."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from granskning.models import Granskningslogg
from konto.directory import (
    NO_ROLE_MESSAGE,
    SWITCHED_OFF_MESSAGE,
    account_for_subject,
    apply_directory_roles,
)
from konto.models import Gruppmappning, Katalogkonto
from tests.conftest import make_person, make_user
from tests.sso.conftest import GRP_ALLA, GRP_ANNAT, GRP_KLG, Idp, sign_in

User = get_user_model()
H = Granskningslogg.Handling


def roles(user: Any) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


@pytest.fixture
def mappings(db: None) -> None:
    for grupp, roll in [
        ("g-klg", "kommunledningsgruppen"),
        ("g-klg", "medarbetare"),
        ("g-alla", "medarbetare"),
        ("g-mod", "moderator"),
    ]:
        Gruppmappning.objects.create(kalla="saml", idp_grupp=grupp, roll=roll)


# The rule ----------------------------------------------------------------------------------------


def test_it_gives_exactly_the_mapped_roles(mappings: None) -> None:
    user = make_user("anna")
    assert apply_directory_roles(user, ["g-klg", "okand"], source="saml", request=None)
    assert roles(user) == {"kommunledningsgruppen", "medarbetare"}


def test_a_role_is_lost_when_its_group_is(mappings: None) -> None:
    user = make_user("anna", groups=("kommunledningsgruppen", "medarbetare", "moderator"))
    assert apply_directory_roles(user, ["g-alla"], source="saml", request=None)
    assert roles(user) == {"medarbetare"}
    removed = Granskningslogg.objects.filter(handling=H.ROLL_ANDRAD, objekt_id=str(user.pk))
    assert {"andring": "borttagen", "grupper": ["kommunledningsgruppen", "moderator"]} in [
        e.detalj for e in removed
    ]


def test_roles_no_mapping_names_are_left_as_an_administrator_set_them(mappings: None) -> None:
    user = make_user("anna", groups=("administratör",))
    assert apply_directory_roles(user, ["g-alla"], source="saml", request=None)
    assert roles(user) == {"administratör", "medarbetare"}


def test_the_other_sources_mappings_do_not_count(mappings: None) -> None:
    user = make_user("anna", groups=("moderator",))
    # Only SAML mappings exist: for OpenID Connect no role is managed, none given.
    assert apply_directory_roles(user, ["g-klg"], source="oidc", request=None)
    assert roles(user) == {"moderator"}


def test_no_role_at_all_refuses_and_switches_the_account_off(mappings: None) -> None:
    user = make_user("anna", groups=("medarbetare",))
    assert not apply_directory_roles(user, ["g-annat"], source="saml", request=None)
    user.refresh_from_db()
    assert not user.is_active and roles(user) == set()
    assert Katalogkonto.objects.get(user=user).inaktiverad_av_katalogen
    entry = Granskningslogg.objects.get(handling=H.INLOGGNING_MISSLYCKAD)
    assert entry.anvandarnamn == "anna"
    assert entry.detalj == {"kalla": "saml", "skal": "ingen_roll", "idp_grupper": ["g-annat"]}


def test_a_later_sign_in_with_a_role_switches_it_on_again(mappings: None) -> None:
    user = make_user("anna")
    assert not apply_directory_roles(user, [], source="saml", request=None)
    assert apply_directory_roles(user, ["g-alla"], source="saml", request=None)
    user.refresh_from_db()
    assert user.is_active
    assert not Katalogkonto.objects.get(user=user).inaktiverad_av_katalogen


def test_an_account_an_administrator_switched_off_stays_off(mappings: None) -> None:
    user = make_user("anna", is_active=False)
    assert not apply_directory_roles(user, ["g-klg"], source="saml", request=None)
    user.refresh_from_db()
    assert not user.is_active and roles(user) == set()
    assert Granskningslogg.objects.get(handling=H.INLOGGNING_MISSLYCKAD).detalj["skal"] == (
        "avstangt"
    )


def test_a_new_account_is_linked_to_its_person_by_e_mail(mappings: None) -> None:
    person = make_person(namn="Anna Andersson", epost="Anna.Andersson@tyreso.se")
    user = account_for_subject(source="saml", subject="s-1", email="anna.andersson@tyreso.se")
    apply_directory_roles(user, ["g-alla"], source="saml", request=None)
    person.refresh_from_db()
    assert person.user == user


def test_a_person_with_an_account_is_not_taken_over(mappings: None) -> None:
    other = make_user("annan")
    person = make_person(epost="anna.andersson@tyreso.se", user=other)
    user = account_for_subject(source="saml", subject="s-1", email="anna.andersson@tyreso.se")
    apply_directory_roles(user, ["g-alla"], source="saml", request=None)
    person.refresh_from_db()
    assert person.user == other


def test_the_account_is_found_by_subject_not_by_e_mail(db: None) -> None:
    first = account_for_subject(source="oidc", subject="s-1", email="a@tyreso.se", username="a")
    # The directory gives the address to someone else later: a new account, not the old one.
    second = account_for_subject(source="oidc", subject="s-2", email="a@tyreso.se", username="a")
    assert first != second and second.username == "a-2"
    again = account_for_subject(source="oidc", subject="s-1", email="ny@tyreso.se")
    assert again == first and again.email == "ny@tyreso.se"


def test_a_local_account_is_taken_over_on_the_first_sign_in(db: None) -> None:
    local = make_user("anna", email="anna@tyreso.se")
    user = account_for_subject(source="oidc", subject="s-1", email="ANNA@tyreso.se")
    assert user == local


@pytest.mark.parametrize("kind", ["superuser", "break-glass"])
def test_privileged_local_accounts_are_never_taken_over(db: None, settings: Any, kind: str) -> None:
    settings.LOCAL_LOGIN_USERS = ["nod"]
    local = make_user("nod", email="it@tyreso.se", is_superuser=kind == "superuser")
    user = account_for_subject(source="oidc", subject="s-1", email="it@tyreso.se")
    assert user != local


# Through the real provider -----------------------------------------------------------------------


def test_a_group_removed_in_the_directory_takes_the_role_away(client: Client, oidc: Idp) -> None:
    sign_in(client, "anna")
    user = User.objects.get(katalogkonto__subjekt=oidc.users["anna"]["sub"])
    assert roles(user) == {"kommunledningsgruppen", "medarbetare"}
    oidc.set_groups("anna", [GRP_ALLA])
    client.post("/konto/logga-ut/")
    assert sign_in(client, "anna")["Location"] == "/arbetsyta/"
    assert roles(user) == {"medarbetare"}


def test_someone_with_no_mapped_group_is_refused(client: Client, oidc: Idp) -> None:
    r = sign_in(client, "cecilia")
    assert r["Location"] == "/konto/logga-in/"
    html = client.get("/konto/logga-in/").content.decode()
    assert str(NO_ROLE_MESSAGE).replace("'", "&#x27;") in html
    assert client.get("/arbetsyta/").status_code == 302
    assert not User.objects.get(email="cecilia.carlsson@tyreso.test").is_active


def test_losing_every_role_ends_the_other_sessions(oidc: Idp) -> None:
    at_desk, on_phone = Client(), Client()
    sign_in(at_desk, "anna")
    assert at_desk.get("/arbetsyta/").status_code == 200
    oidc.set_groups("anna", [GRP_ANNAT])
    assert sign_in(on_phone, "anna")["Location"] == "/konto/logga-in/"
    # The desk's session, opened while Anna had her roles, is over too.
    assert at_desk.get("/arbetsyta/").status_code == 302


def test_a_session_ends_when_an_administrator_switches_the_account_off(
    client: Client, oidc: Idp
) -> None:
    sign_in(client, "anna")
    User.objects.filter(email="anna.andersson@tyreso.test").update(is_active=False)
    assert client.get("/arbetsyta/").status_code == 302
    # And signing in again is refused with a message that says so.
    assert sign_in(client, "anna")["Location"] == "/konto/logga-in/"
    html = client.get("/konto/logga-in/").content.decode()
    assert str(SWITCHED_OFF_MESSAGE).replace("'", "&#x27;") in html


def test_it_keeps_the_fadder_link_by_person(client: Client, oidc: Idp) -> None:
    person = make_person(namn="Anna Andersson", epost="anna.andersson@tyreso.test")
    sign_in(client, "anna")
    person.refresh_from_db()
    assert person.user is not None and person.user.email == "anna.andersson@tyreso.test"


def test_the_account_gets_the_providers_names(client: Client, oidc: Idp) -> None:
    sign_in(client, "bertil")
    user = User.objects.get(katalogkonto__subjekt=oidc.users["bertil"]["sub"])
    assert (user.username, user.first_name, user.last_name) == (
        "bertil.berg@tyreso.test",
        "Bertil",
        "Berg",
    )
    assert roles(user) == {"medarbetare", "moderator"}
    assert not user.has_usable_password()


def test_the_groups_may_also_come_as_one_value(db: None) -> None:
    from konto.oidc import groups_from

    assert groups_from({"groups": GRP_KLG}) == [GRP_KLG]
    assert groups_from({"groups": [GRP_KLG, 7]}) == [GRP_KLG, "7"]
    assert groups_from({"_claim_names": {"groups": "src1"}}) == []
