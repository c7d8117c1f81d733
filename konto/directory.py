"""Roles from the directory: what every identity provider calls after a successful sign-in.

The rule, in one place:

- A role is *managed by the directory* for a source (``oidc`` or ``saml``) when at least one
  `Gruppmappning` of that source names it. At each sign-in the user gets exactly the managed
  roles their IdP groups map to: someone removed from a group loses the role at this sign-in.
- Roles that no mapping of the source names are left as an administrator set them in the admin
  (so a role can be given by hand while the directory has no group for it).
- A user left with no portal role at all is refused: the account is switched off
  (``is_active=False``), which also ends every session it already has, and marked as switched
  off by the directory, so that a later sign-in that maps to a role switches it on again. An
  account an administrator switched off stays off whatever the directory says.
- Fadder and ledartröja are not roles from the directory: they follow the person
  (`omraden.Person.user`). A new SSO account is linked to the one `Person` with the same
  e-mail address that has no account yet.

Sign-ins are logged by Django's login signal, role changes by the group signal
(granskning/signals.py), refusals here; all in the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from granskning import audit
from granskning.models import Granskningslogg
from konto.models import Gruppmappning, Katalogkonto
from portal.roles import GROUPS

# Shown on the login page when a sign-in is refused (msgids in English, Swedish in the catalogue).
NO_ROLE_MESSAGE = _(
    "You signed in with the municipality's account, but it gives no role in this portal, so "
    "you were not logged in. Ask your manager or the portal's administrator to add you to "
    "the right group in the directory."
)
SWITCHED_OFF_MESSAGE = _(
    "Your account in this portal has been switched off by an administrator, so you were not "
    "logged in. Contact the portal's administrator."
)


def apply_directory_roles(
    user: Any, groups: Iterable[str], *, source: str, request: HttpRequest | None
) -> bool:
    """Give `user` the roles its IdP `groups` map to; False if it may not sign in.

    On False the caller refuses the sign-in and shows `refusal_message(user)`.
    """
    idp_groups = {str(g) for g in groups}
    with transaction.atomic():
        konto, _created = Katalogkonto.objects.get_or_create(user=user, defaults={"kalla": source})
        if not user.is_active and not konto.inaktiverad_av_katalogen:
            _audit_refusal(user, request, source=source, reason="avstangt", groups=idp_groups)
            return False

        mappings = list(Gruppmappning.objects.filter(kalla=source).values_list("idp_grupp", "roll"))
        managed = {roll for _grupp, roll in mappings}
        wanted = {roll for grupp, roll in mappings if grupp in idp_groups}
        current = set(user.groups.filter(name__in=GROUPS).values_list("name", flat=True))
        add = wanted - current
        remove = (current & managed) - wanted
        # Through the group relation, so that granskning/signals.py logs each change.
        if remove:
            user.groups.remove(*Group.objects.filter(name__in=remove))
        if add:
            user.groups.add(*Group.objects.filter(name__in=add))
        roles_after = (current - remove) | add

        if not roles_after:
            user.is_active = False
            user.save(update_fields=["is_active"])
            konto.inaktiverad_av_katalogen = True
            konto.save(update_fields=["inaktiverad_av_katalogen"])
            _audit_refusal(user, request, source=source, reason="ingen_roll", groups=idp_groups)
            return False

        if not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
        konto.inaktiverad_av_katalogen = False
        konto.senaste_inloggning = timezone.now()
        konto.save(update_fields=["inaktiverad_av_katalogen", "senaste_inloggning"])
        link_person(user)
    return True


def refusal_message(user: Any) -> str:
    """Why `apply_directory_roles` refused `user`, for the login page."""
    konto = Katalogkonto.objects.filter(user=user).first()
    if konto is not None and not user.is_active and not konto.inaktiverad_av_katalogen:
        return str(SWITCHED_OFF_MESSAGE)
    return str(NO_ROLE_MESSAGE)


def _audit_refusal(
    user: Any, request: HttpRequest | None, *, source: str, reason: str, groups: set[str]
) -> None:
    audit(
        action=Granskningslogg.Handling.INLOGGNING_MISSLYCKAD,
        obj=user,
        request=request,
        username=user.get_username(),
        kalla=source,
        skal=reason,
        idp_grupper=sorted(groups)[:50],
    )


def link_person(user: Any) -> None:
    """Link `user` to the one Person with its e-mail address that has no account yet."""
    from omraden.models import Person

    if not user.email or Person.objects.filter(user=user).exists():
        return
    matches = list(Person.objects.filter(epost__iexact=user.email, user__isnull=True)[:2])
    if len(matches) == 1:
        matches[0].user = user
        matches[0].save(update_fields=["user"])


def account_for_subject(
    *,
    source: str,
    subject: str,
    email: str = "",
    username: str = "",
    first_name: str = "",
    last_name: str = "",
) -> Any:
    """The account of the person `subject` at `source`, created or linked on first sign-in.

    Found by the provider's stable subject id. On the first sign-in an existing account with
    the same e-mail address is taken over (staff who had a local password keep their history),
    unless it is a superuser, a break-glass account or already linked to another identity;
    otherwise a new account is made. Name and e-mail follow the provider at every sign-in.
    """
    User = get_user_model()
    with transaction.atomic():
        konto = (
            Katalogkonto.objects.select_related("user")
            .filter(kalla=source, subjekt=subject)
            .first()
        )
        if konto is not None:
            user = konto.user
        else:
            user = _existing_by_email(email) or User.objects.create_user(
                _free_username(username or email or f"{source}-{subject}"), email=email
            )
            Katalogkonto.objects.update_or_create(
                user=user, defaults={"kalla": source, "subjekt": subject}
            )
        wanted = {"email": email, "first_name": first_name[:150], "last_name": last_name[:150]}
        changed = [f for f, v in wanted.items() if v and getattr(user, f) != v]
        for field in changed:
            setattr(user, field, wanted[field])
        if changed:
            user.save(update_fields=changed)
    return user


def _existing_by_email(email: str) -> Any:
    """The one account with `email` that a first SSO sign-in may take over, or None."""
    if not email:
        return None
    User = get_user_model()
    candidates = list(
        User.objects.filter(email__iexact=email, is_superuser=False)
        .exclude(username__in=settings.LOCAL_LOGIN_USERS)
        .exclude(katalogkonto__subjekt__gt="")[:2]
    )
    return candidates[0] if len(candidates) == 1 else None


def _free_username(wanted: str) -> str:
    """`wanted`, or `wanted-2`, `wanted-3` … if taken (user names are unique)."""
    User = get_user_model()
    base = wanted[:140]
    name, n = base, 1
    while User.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name
