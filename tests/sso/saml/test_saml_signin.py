"""SAML 2.0 sign-in through the real test IdP (tests/sso/saml_idp), over plain HTTP: accounts,
roles from the directory's groups, the audit log, metadata and logout."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from django.contrib.auth import get_user_model
from django.test import Client

from granskning.models import Granskningslogg
from konto import saml, saml_views
from konto.directory import NO_ROLE_MESSAGE, SWITCHED_OFF_MESSAGE
from konto.models import Katalogkonto
from tests.sso.saml.conftest import login_page_message, sign_in_at_idp, start_sign_in

User = get_user_model()


def roles(user: Any) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_it_signs_in_through_the_idp_and_lands_in_the_workspace(
    client: Client, saml_sp: Any
) -> None:
    response = sign_in_at_idp(client).post(client, follow=True)
    assert response.redirect_chain == [("/arbetsyta/", 302)]
    assert response.status_code == 200
    eva = User.objects.get(katalogkonto__kalla="saml", katalogkonto__subjekt="pid-eva")
    assert int(client.session["_auth_user_id"]) == eva.pk
    assert (eva.username, eva.email, eva.first_name) == (
        "eva@tyreso.test",
        "eva@tyreso.test",
        "Eva",
    )
    assert roles(eva) == {"medarbetare"}
    assert Granskningslogg.objects.filter(
        handling=Granskningslogg.Handling.INLOGGNING, objekt_id=str(eva.pk)
    ).exists()


def test_the_idp_posts_its_answer_without_a_csrf_token(saml_sp: Any) -> None:
    # As a browser does: the IdP's form comes from its own site.
    browser = Client(enforce_csrf_checks=True)
    response = sign_in_at_idp(browser).post(browser)
    assert response.status_code == 302 and response["Location"] == "/arbetsyta/"


def test_it_follows_the_directory_groups_at_every_sign_in(client: Client, saml_sp: Any) -> None:
    saml_sp.set_user("eva", groups=["kg-medarbetare", "kg-administratorer"])
    sign_in_at_idp(client).post(client)
    eva = User.objects.get(katalogkonto__subjekt="pid-eva")
    assert roles(eva) == {"medarbetare", "administratör"}

    # Taken out of the administrators' group in the directory: gone at the next sign-in.
    saml_sp.set_user("eva", groups=["kg-medarbetare"])
    other_browser = Client()
    response = sign_in_at_idp(other_browser).post(other_browser)
    assert response["Location"] == "/arbetsyta/"
    assert roles(eva) == {"medarbetare"}


def test_it_refuses_someone_whose_groups_give_no_role(client: Client, saml_sp: Any) -> None:
    saml_sp.set_user("olle", groups=["kg-bibliotek"])
    response = sign_in_at_idp(client, username="olle").post(client, follow=True)
    assert login_page_message(response) == str(NO_ROLE_MESSAGE)
    assert "_auth_user_id" not in client.session
    olle = User.objects.get(katalogkonto__subjekt="pid-olle")
    assert not olle.is_active and roles(olle) == set()
    refusal = Granskningslogg.objects.get(
        handling=Granskningslogg.Handling.INLOGGNING_MISSLYCKAD, objekt_id=str(olle.pk)
    )
    assert refusal.detalj["kalla"] == "saml"


def test_it_ends_the_sessions_of_someone_removed_from_every_group(
    client: Client, saml_sp: Any
) -> None:
    sign_in_at_idp(client).post(client)
    assert client.get("/arbetsyta/").status_code == 200
    saml_sp.set_user("eva", groups=[])
    other_browser = Client()
    sign_in_at_idp(other_browser).post(other_browser)
    # Her first browser's session ends too: the account is switched off.
    response = client.get("/arbetsyta/")
    assert response.status_code == 302 and response["Location"].startswith("/konto/logga-in/")


def test_it_sends_the_person_to_the_page_they_asked_for(client: Client, saml_sp: Any) -> None:
    response = sign_in_at_idp(client, next_url="/arbetsyta/moderering/").post(client)
    assert response["Location"] == "/arbetsyta/moderering/"


def test_it_never_sends_the_person_to_another_site(client: Client, saml_sp: Any) -> None:
    response = sign_in_at_idp(client, next_url="https://evil.example/").post(client)
    assert response["Location"] == "/arbetsyta/"


def test_it_signs_its_requests_to_the_idp(client: Client, saml_sp: Any) -> None:
    query = parse_qs(urlsplit(start_sign_in(client)).query)
    assert query["SigAlg"] == ["http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"]
    assert query["Signature"][0]


def test_it_publishes_its_metadata(client: Client, saml_sp: Any) -> None:
    response = client.get("/konto/saml/metadata/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    xml = response.content.decode()
    assert 'entityID="http://testserver/konto/saml/metadata/"' in xml
    assert 'WantAssertionsSigned="true"' in xml and 'AuthnRequestsSigned="true"' in xml
    assert 'Location="http://testserver/konto/saml/acs/"' in xml
    assert 'Location="http://testserver/konto/saml/sls/"' in xml
    certificate = "".join(saml_sp.sp_cert.read_text().splitlines()[1:-1])
    assert certificate in re.sub(r"\s", "", xml)


def test_the_login_page_offers_the_saml_provider(client: Client, saml_sp: Any) -> None:
    html = client.get("/konto/logga-in/?next=/arbetsyta/").content.decode()
    assert 'id="logga-in-saml" href="/konto/saml/logga-in/?next=%2Farbetsyta%2F"' in html


def test_without_configuration_there_is_no_saml(client: Client, settings: Any, db: None) -> None:
    settings.SAML_IDP_METADATA_FILE = settings.SAML_IDP_METADATA_URL = ""
    assert client.get("/konto/saml/logga-in/").status_code == 404
    assert client.get("/konto/saml/metadata/").status_code == 404
    assert client.post("/konto/saml/acs/", {"SAMLResponse": "x"}).status_code == 404
    assert 'id="logga-in-saml"' not in client.get("/konto/logga-in/").content.decode()


def test_logout_ends_the_session_here_and_at_the_idp(client: Client, saml_sp: Any) -> None:
    answer = sign_in_at_idp(client)
    answer.post(client)
    page = client.post("/konto/logga-ut/")
    # Logged out here at once; the page moves on to the IdP's logout by itself.
    assert page.status_code == 200
    assert "_auth_user_id" not in client.session
    logout_url = re.search(r'href="([^"]+)" id="saml-utloggning"', page.content.decode())
    assert logout_url
    url = logout_url.group(1).replace("&amp;", "&")
    assert f'content="0;url={logout_url.group(1)}"' in page.content.decode()
    back = answer.idp.get(url, allow_redirects=False, timeout=10)
    assert back.status_code == 303
    done = client.get(
        urlsplit(back.headers["Location"]).path + "?" + urlsplit(back.headers["Location"]).query
    )
    assert done.status_code == 302 and done["Location"] == "/"
    # The IdP's own session ended too: the next sign-in asks for the password again.
    again = answer.idp.get(start_sign_in(client), timeout=10)
    assert 'name="password"' in again.text


def test_logout_without_a_saml_session_is_local(client: Client, saml_sp: Any) -> None:
    user = User.objects.create_user("lokal", password="x" * 20)
    client.force_login(user)
    response = client.post("/konto/logga-ut/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert "_auth_user_id" not in client.session


def test_logout_needs_a_post(client: Client, saml_sp: Any) -> None:
    sign_in_at_idp(client).post(client)
    assert client.get("/konto/logga-ut/").status_code == 405
    assert "_auth_user_id" in client.session


def test_the_account_is_found_by_its_subject_not_its_name(client: Client, saml_sp: Any) -> None:
    sign_in_at_idp(client).post(client)
    eva = User.objects.get(katalogkonto__subjekt="pid-eva")
    saml_sp.set_user("eva", groups=["kg-medarbetare"], mail="eva.ny@tyreso.test")
    other = Client()
    sign_in_at_idp(other).post(other)
    eva.refresh_from_db()
    assert eva.email == "eva.ny@tyreso.test"
    assert Katalogkonto.objects.filter(kalla="saml").count() == 1


def test_the_idp_is_real(saml_sp: Any) -> None:
    # A process of its own, answering over HTTP with its signed metadata.
    metadata = requests.get(saml_sp.entity_id, timeout=5).text
    assert "IDPSSODescriptor" in metadata and "X509Certificate" in metadata


def test_it_reads_the_idp_metadata_from_its_url(
    client: Client, saml_sp: Any, settings: Any
) -> None:
    settings.SAML_IDP_METADATA_FILE = ""
    settings.SAML_IDP_METADATA_URL = saml_sp.entity_id
    response = sign_in_at_idp(client).post(client)
    assert response["Location"] == "/arbetsyta/"


def test_it_reads_no_metadata_the_federation_did_not_sign(
    client: Client, saml_sp: Any, settings: Any
) -> None:
    settings.SAML_IDP_METADATA_FILE = ""
    settings.SAML_IDP_METADATA_URL = saml_sp.entity_id
    # The test IdP's metadata is unsigned: with a federation certificate it is not trusted.
    settings.SAML_IDP_METADATA_CERT = str(saml_sp.sp_cert)
    response = client.get("/konto/saml/logga-in/", follow=True)
    assert login_page_message(response) == str(saml_views.UNAVAILABLE)


def test_it_reads_metadata_signed_by_the_federation(
    client: Client, saml_sp: Any, settings: Any
) -> None:
    settings.SAML_IDP_METADATA_FILE = ""
    settings.SAML_IDP_METADATA_URL = saml_sp.entity_id + "-signed"
    settings.SAML_IDP_METADATA_CERT = str(saml_sp.folder / "idp.crt")
    response = sign_in_at_idp(client).post(client)
    assert response["Location"] == "/arbetsyta/"


def test_it_reads_no_metadata_signed_by_another_key(
    client: Client, saml_sp: Any, settings: Any
) -> None:
    settings.SAML_IDP_METADATA_FILE = ""
    settings.SAML_IDP_METADATA_URL = saml_sp.entity_id + "-signed"
    settings.SAML_IDP_METADATA_CERT = str(saml_sp.sp_cert)
    response = client.get("/konto/saml/logga-in/", follow=True)
    assert login_page_message(response) == str(saml_views.UNAVAILABLE)


def test_it_keeps_the_last_metadata_when_its_host_is_down(
    client: Client, saml_sp: Any, settings: Any, monkeypatch: Any
) -> None:
    settings.SAML_IDP_METADATA_FILE = ""
    settings.SAML_IDP_METADATA_URL = saml_sp.entity_id
    answer = sign_in_at_idp(client)

    def unreachable(self: Any, config: Any) -> None:
        raise OSError("the metadata's host does not answer")

    # The hour is up and the metadata must be fetched again, but its host is down.
    monkeypatch.setattr(saml, "METADATA_MAX_AGE", 0)
    monkeypatch.setattr(saml.SPConfig, "load", unreachable)
    assert answer.post(client)["Location"] == "/arbetsyta/"


def test_in_a_federation_it_takes_answers_only_from_its_own_idp(
    client: Client, saml_sp: Any, settings: Any, tmp_path: Path
) -> None:
    # A federation's metadata: the test IdP and another municipality's.
    ours = saml_sp.metadata_file.read_text()
    theirs = ours.replace(saml_sp.base_url, "https://idp.annan-kommun.example")
    federation = tmp_path / "federation.xml"
    federation.write_text(
        '<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">'
        f"{ours}{theirs}</md:EntitiesDescriptor>"
    )
    settings.SAML_IDP_METADATA_FILE = str(federation)
    response = client.get("/konto/saml/logga-in/", follow=True)
    assert login_page_message(response) == str(saml_views.NOT_SET_UP)

    settings.SAML_IDP_ENTITY_ID = saml_sp.entity_id
    answer = sign_in_at_idp(client)
    # Signed by an IdP of the federation, but not the one the portal names.
    settings.SAML_IDP_ENTITY_ID = "https://idp.annan-kommun.example/idp/metadata"
    assert login_page_message(answer.post(client, follow=True)) == str(saml_views.FROM_ANOTHER_IDP)

    settings.SAML_IDP_ENTITY_ID = saml_sp.entity_id
    assert sign_in_at_idp(client).post(client)["Location"] == "/arbetsyta/"


def test_a_logout_started_at_the_idp_ends_the_session_here(client: Client, saml_sp: Any) -> None:
    answer = sign_in_at_idp(client)
    answer.post(client)
    sp = "http://testserver/konto/saml/metadata/"
    request = answer.idp.get(
        f"{saml_sp.base_url}/slo/initiate",
        params={"sp": sp, "username": "eva"},
        allow_redirects=False,
        timeout=10,
    )
    location = urlsplit(request.headers["Location"])
    assert location.path == "/konto/saml/sls/" and "Signature=" in location.query
    back = client.get(f"{location.path}?{location.query}")
    assert "_auth_user_id" not in client.session
    # The portal answers the IdP with a LogoutResponse.
    assert back.status_code == 302 and back["Location"].startswith(f"{saml_sp.base_url}/slo/")
    assert "SAMLResponse=" in back["Location"]
    assert 'id="utloggad"' in answer.idp.get(back["Location"], timeout=10).text


def test_an_unsigned_logout_request_logs_nobody_out(client: Client, saml_sp: Any) -> None:
    answer = sign_in_at_idp(client)
    answer.post(client)
    forged = answer.idp.get(
        f"{saml_sp.base_url}/slo/initiate",
        params={"sp": "http://testserver/konto/saml/metadata/", "username": "eva", "unsigned": 1},
        allow_redirects=False,
        timeout=10,
    )
    location = urlsplit(forged.headers["Location"])
    assert "Signature=" not in location.query
    assert client.get(f"{location.path}?{location.query}").status_code == 400
    assert "_auth_user_id" in client.session


def test_the_metadata_page_reads_nothing_from_the_database(
    client: Client, saml_sp: Any, django_assert_num_queries: Any
) -> None:
    client.get("/konto/saml/metadata/")  # the configuration loaded once per process
    with django_assert_num_queries(0):
        assert client.get("/konto/saml/metadata/").status_code == 200


def test_starting_a_sign_in_costs_the_saml_session_only(
    client: Client, saml_sp: Any, django_assert_num_queries: Any
) -> None:
    start_sign_in(client)
    # The SAML session read (1) and saved with the new outstanding request id (savepoint,
    # update, release: 3); no user is looked up, nobody is logged in yet.
    with django_assert_num_queries(4):
        start_sign_in(client)


def test_an_account_switched_off_in_the_admin_stays_off(client: Client, saml_sp: Any) -> None:
    sign_in_at_idp(client).post(client)
    eva = User.objects.get(katalogkonto__subjekt="pid-eva")
    eva.is_active = False  # an administrator's decision, not the directory's
    eva.save()
    other = Client()
    response = sign_in_at_idp(other).post(other, follow=True)
    assert login_page_message(response) == str(SWITCHED_OFF_MESSAGE)
    assert "_auth_user_id" not in other.session
