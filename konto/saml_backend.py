"""The SAML sign-in's account and roles: djangosaml2's backend, with the portal's directory rule.

The account is found by the person's stable id at the IdP (a persistent NameID, or the
attribute SAML_ATTR_SUBJECT names), never by a name the directory may reuse, through
konto.directory's `account_for_subject`; its roles come from the groups attribute through
`apply_directory_roles`, which also refuses someone the directory gives no role.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from djangosaml2.backends import Saml2Backend
from saml2.saml import NAMEID_FORMAT_TRANSIENT

from konto.directory import account_for_subject, apply_directory_roles, refusal_message

logger = logging.getLogger(__name__)
SOURCE = "saml"


def _first(ava: dict[str, list[Any]], name: str) -> str:
    values = (ava.get(name) or [""]) if name else [""]
    return str(values[0]).strip()


def subject_of(session_info: dict[str, Any]) -> str:
    """The person's stable id: SAML_ATTR_SUBJECT's value, else the NameID unless transient
    (a transient NameID changes at every sign-in), else the username attribute."""
    ava = session_info.get("ava") or {}
    names = settings.SAML_ATTRIBUTES
    if names["subject"]:
        return _first(ava, names["subject"])
    name_id = session_info.get("name_id")
    if name_id is not None and name_id.text and name_id.format != NAMEID_FORMAT_TRANSIENT:
        return name_id.text.strip()
    return _first(ava, names["username"])


class SamlBackend(Saml2Backend):
    def authenticate(
        self,
        request: HttpRequest | None,
        session_info: dict[str, Any] | None = None,
        attribute_mapping: dict[str, Any] | None = None,
        create_unknown_user: bool = True,
        assertion_info: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        if session_info is None or "ava" not in session_info:
            return None
        ava = session_info["ava"]
        names = settings.SAML_ATTRIBUTES
        # The names (not the values) the IdP sent: what to put in SAML_ATTR_* (docs/sso.md).
        logger.info("SAML sign-in with the attributes %s", ", ".join(sorted(ava)))
        subject = subject_of(session_info)
        if not subject:
            logger.error("SAML: no subject in the assertion (NameID or %s)", names["subject"])
            return None
        user = account_for_subject(
            source=SOURCE,
            subject=subject,
            email=_first(ava, names["email"]),
            username=_first(ava, names["username"]),
            first_name=_first(ava, names["first_name"]),
            last_name=_first(ava, names["last_name"]),
        )
        groups = ava.get(names["groups"], []) if names["groups"] else []
        if not apply_directory_roles(user, groups, source=SOURCE, request=request):
            if request is not None:
                # For the refusal page (konto/saml_views.py).
                request.saml_refusal = refusal_message(user)  # type: ignore[attr-defined]
            return None
        return user
