"""The personal links in subscription e-mails: signed, so they need no login and no lookup table.

A link names the subscription and its `nonce`; the signature (SECRET_KEY, a salt per kind of
link) makes it unguessable. The confirmation link also carries its time and stops working
after PRENUMERATION_BEKRAFTA_DAGAR; the links to change or cancel work as long as the
subscription exists with the same nonce.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.urls import reverse

from prenumeration.models import Prenumeration

# "." is outside the signature's base64 alphabet and the nonce's, so it splits cleanly.
_SEP = "."
_LINK = signing.Signer(salt="prenumeration.lank", sep=_SEP)
_CONFIRM = signing.TimestampSigner(salt="prenumeration.bekrafta", sep=_SEP)


def token(p: Prenumeration) -> str:
    """The token of the links to change and to cancel."""
    return _LINK.sign(f"{p.pk}-{p.nonce}")


def token_of(pk: int, nonce: str) -> str:
    return _LINK.sign(f"{pk}-{nonce}")


def confirm_token(p: Prenumeration) -> str:
    return _CONFIRM.sign(f"{p.pk}-{p.nonce}")


def _parse(value: str) -> tuple[int, str] | None:
    pk, _dash, nonce = value.partition("-")
    return (int(pk), nonce) if pk.isdigit() and nonce else None


def _lookup(value: str | None) -> Prenumeration | None:
    parsed = _parse(value) if value else None
    if parsed is None:
        return None
    return Prenumeration.objects.filter(pk=parsed[0], nonce=parsed[1]).first()


def from_token(value: str) -> Prenumeration | None:
    """The subscription a change/cancel link names, or None (forged, or no longer there)."""
    try:
        return _lookup(_LINK.unsign(value))
    except signing.BadSignature:
        return None


def from_confirm_token(value: str) -> Prenumeration | None:
    """The subscription a confirmation link names, or None (forged, expired or removed)."""
    try:
        unsigned = _CONFIRM.unsign(
            value, max_age=dt.timedelta(days=settings.PRENUMERATION_BEKRAFTA_DAGAR)
        )
    except signing.BadSignature:  # SignatureExpired is one
        return None
    return _lookup(unsigned)


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def andra_url(tok: str) -> str:
    return absolute(reverse("prenumeration:andra", args=[tok]))


def avsluta_url(tok: str) -> str:
    return absolute(reverse("prenumeration:avsluta", args=[tok]))


def bekrafta_url(p: Prenumeration) -> str:
    return absolute(reverse("prenumeration:bekrafta", args=[confirm_token(p)]))


def unsubscribe_headers(tok: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058: the mail client's own "unsubscribe" button, in one click.

    The https link takes a POST without login or CSRF token (prenumeration.views.avsluta); the
    mailto: is the fallback RFC 2369 names, read by the municipality's staff.
    """
    mailto = f"mailto:{settings.PRENUMERATION_AVREGISTRERA_EPOST}?subject=avsluta%20{tok}"
    return {
        "List-Unsubscribe": f"<{avsluta_url(tok)}>, <{mailto}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
