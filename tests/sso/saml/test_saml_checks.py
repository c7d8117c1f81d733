"""manage.py check for SAML: what it cannot work without once configured."""

from __future__ import annotations

from typing import Any

from konto.saml import check_saml


def ids(settings: Any) -> list[str]:
    return [problem.id for problem in check_saml(None)]


def test_nothing_to_check_without_saml(settings: Any) -> None:
    settings.SAML_IDP_METADATA_URL = settings.SAML_IDP_METADATA_FILE = ""
    assert ids(settings) == []


def test_a_complete_configuration_passes(settings: Any, saml_idp: Any) -> None:
    settings.SAML_IDP_METADATA_URL = ""
    settings.SAML_IDP_METADATA_FILE = str(saml_idp.metadata_file)
    settings.SAML_SP_KEY_FILE = str(saml_idp.sp_key)
    settings.SAML_SP_CERT_FILE = str(saml_idp.sp_cert)
    assert ids(settings) == []


def test_it_names_what_is_missing(settings: Any, saml_idp: Any, monkeypatch: Any) -> None:
    settings.SAML_IDP_METADATA_URL = "http://idp.example/metadata"
    settings.SAML_IDP_METADATA_CERT = ""
    settings.SAML_IDP_METADATA_FILE = "/nonexistent/idp.xml"
    settings.SAML_SP_KEY_FILE = str(saml_idp.sp_key)
    settings.SAML_SP_CERT_FILE = ""
    monkeypatch.setattr("konto.saml.shutil.which", lambda name: None)
    assert ids(settings) == ["konto.E101", "konto.E102", "konto.E103", "konto.W101"]
