"""Who may do what: the one place that answers it.

Views, templates and htmx endpoints ask this module; none of them re-implement a rule.
Roles are Django groups (created by portal/migrations/0001_roles.py) plus who a person is:
fadder or ledartröja of an area, through `Person.user`.

| role                  | may |
|-----------------------|-----|
| anonymous resident    | read public pages, open data, feeds; send input |
| medarbetare (a login) | read everything, including drafts and internal notes |
| ledartröja of area X  | edit X's draft follow-up, mark it ready for sign-off; X's initiatives, |
|                       | activities; answer X's input |
| fadder of X           | all of the above for X; approve X's follow-ups or send them back |
| kommunledningsgruppen | edit every follow-up; approve (assignments, areas whose fadder has no |
|                       | login: only KLG) or send back; publish approved ones; withdraw a |
|                       | scheduled publication; enter indicator values |
| moderator             | approve, reject and answer resident input |
| administratör         | Django admin: people, roles, periods; every step in closed periods |

The sign-off of a follow-up (the states are uppfoljning's, the order services.py's):
utkast → klar för beslut (whoever may edit) → godkänd av fadder (the area's fadder or KLG)
→ publicerad now or from a date (KLG). Whoever may approve sends a ready or approved one back
to utkast; whoever may publish also withdraws a scheduled publication. In a closed period
only administrators take any step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import Q, QuerySet

    from omraden.models import Omrade
    from uppfoljning.models import Uppfoljning

MEDARBETARE = "medarbetare"
KOMMUNLEDNINGSGRUPPEN = "kommunledningsgruppen"
MODERATOR = "moderator"
ADMINISTRATOR = "administratör"
GROUPS = [MEDARBETARE, KOMMUNLEDNINGSGRUPPEN, MODERATOR, ADMINISTRATOR]


@dataclass(frozen=True)
class Roles:
    """Everything about one user that permission checks need, read in one query."""

    authenticated: bool = False
    groups: frozenset[str] = field(default_factory=frozenset)
    superuser: bool = False
    ledartroja_for: frozenset[int] = field(default_factory=frozenset)
    fadder_for: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_staff_member(self) -> bool:
        return self.authenticated

    @property
    def is_klg(self) -> bool:
        return KOMMUNLEDNINGSGRUPPEN in self.groups

    @property
    def is_moderator(self) -> bool:
        return MODERATOR in self.groups

    @property
    def is_admin(self) -> bool:
        return self.superuser or ADMINISTRATOR in self.groups


ANONYMOUS = Roles()


def _role_facts(user: Any) -> QuerySet[Any]:
    """(kind, value) rows of the user's groups, active leader slots and sponsorships.

    One round trip for all three (UNION ALL): every logged-in page asks, so three separate
    queries were a noticeable share of each staff request.
    """
    from django.contrib.auth.models import Group
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast

    from omraden.models import Ledartroja, Omrade

    def facts(qs: Any, kind: str, value: Any) -> Any:
        return qs.order_by().values_list(Value(kind, output_field=CharField()), value)

    return facts(Group.objects.filter(user=user), "grupp", "name").union(
        facts(
            Ledartroja.objects.filter(person__user=user, aktiv=True),
            "ledartroja",
            Cast("omrade_id", CharField()),
        ),
        facts(Omrade.objects.filter(fadder__user=user), "fadder", Cast("pk", CharField())),
        all=True,
    )


def roles_for(user: Any) -> Roles:
    """The user's roles, computed once per user object (so once per request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_portal_roles", None)
    if cached is not None:
        return cached
    found: dict[str, set[str]] = {"grupp": set(), "ledartroja": set(), "fadder": set()}
    for kind, value in _role_facts(user):
        found[kind].add(value)
    roles = Roles(
        authenticated=True,
        groups=frozenset(found["grupp"]),
        superuser=user.is_superuser,
        ledartroja_for=frozenset(int(pk) for pk in found["ledartroja"]),
        fadder_for=frozenset(int(pk) for pk in found["fadder"]),
    )
    user._portal_roles = roles
    return roles


# Reading


def can_view_staff_pages(user: Any) -> bool:
    # Any active login is staff: answered without the role queries, so public pages that
    # only need this (to show non-public rows) cost logged-in users nothing extra.
    return user is not None and user.is_authenticated and user.is_active


# Follow-ups


def _omrade_id(uppf: Uppfoljning) -> int | None:
    return uppf.omrade_id


def can_edit_uppfoljning(user: Any, uppf: Uppfoljning) -> bool:
    """Ledartröja or fadder of the area, or KLG; assignments are KLG's. Closed periods: admins."""
    r = roles_for(user)
    if uppf.period.is_closed:
        return r.is_admin
    if r.is_klg or r.is_admin:
        return True
    area = _omrade_id(uppf)
    return area is not None and (area in r.ledartroja_for or area in r.fadder_for)


def can_mark_ready(user: Any, uppf: Uppfoljning) -> bool:
    """Whoever may edit a draft may say it is ready for sign-off (usually a ledartröja)."""
    return can_edit_uppfoljning(user, uppf)


def can_approve_uppfoljning(user: Any, uppf: Uppfoljning) -> bool:
    """The area's fadder or kommunledningsgruppen approve (assignments: KLG); closed: admins."""
    r = roles_for(user)
    if uppf.period.is_closed:
        return r.is_admin
    if r.is_klg:
        return True
    area = _omrade_id(uppf)
    return area is not None and area in r.fadder_for


def can_publish_uppfoljning(user: Any, uppf: Uppfoljning) -> bool:
    """Kommunledningsgruppen publishes (an approved follow-up); closed periods: admins."""
    r = roles_for(user)
    if uppf.period.is_closed:
        return r.is_admin
    return r.is_klg


def can_send_back_uppfoljning(user: Any, uppf: Uppfoljning) -> bool:
    """Whoever may approve or publish may send a follow-up back to the writers."""
    return can_approve_uppfoljning(user, uppf) or can_publish_uppfoljning(user, uppf)


def can_withdraw_publication(user: Any, uppf: Uppfoljning) -> bool:
    """A scheduled publication is withdrawn by those who may publish."""
    return can_publish_uppfoljning(user, uppf)


def approval_falls_to_klg(prefix: str = "") -> Q:
    """Follow-ups whose approval is kommunledningsgruppen's, not a fadder's: assignments and
    areas without a fadder who can log in. As a condition, for lists and for e-mail."""
    from django.db.models import Q

    return (
        Q(**{f"{prefix}omrade__isnull": True})
        | Q(**{f"{prefix}omrade__fadder__isnull": True})
        | Q(**{f"{prefix}omrade__fadder__user__isnull": True})
        | Q(**{f"{prefix}omrade__fadder__user__is_active": False})
    )


def klg_members() -> QuerySet[Any]:
    """The active users of kommunledningsgruppen (with their person, for the address)."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=KOMMUNLEDNINGSGRUPPEN)
        .select_related("person")
        .order_by("pk")
        .distinct()
    )


def edit_closed_reason(user: Any, uppf: Uppfoljning) -> str:
    """Why a staff member may not edit this follow-up, in words for the page ('' if they may)."""
    from django.utils.translation import gettext as _

    if can_edit_uppfoljning(user, uppf):
        return ""
    if uppf.period.is_closed:
        return _("The period is closed: its follow-ups can only be changed by an administrator.")
    if uppf.omrade_id is None:
        return _("Only kommunledningsgruppen sets the status of a political assignment.")
    return _("Only the area's ledartröjor and fadder, and kommunledningsgruppen, edit it.")


def can_administer(user: Any) -> bool:
    """Django admin: people, roles, periods."""
    return roles_for(user).is_admin


# Areas and resident input


def can_edit_omrade(user: Any, omrade: Omrade) -> bool:
    """Initiatives, activities and the influence statement of an area."""
    r = roles_for(user)
    return r.is_klg or r.is_admin or omrade.pk in r.ledartroja_for or omrade.pk in r.fadder_for


def can_moderate(user: Any, omrade: Omrade | None) -> bool:
    """Moderators moderate all input; the area's ledartröjor and fadder moderate theirs."""
    r = roles_for(user)
    if r.is_moderator or r.is_admin:
        return True
    return omrade is not None and (omrade.pk in r.ledartroja_for or omrade.pk in r.fadder_for)


def moderated_area_ids(user: Any) -> frozenset[int] | None:
    """The areas whose input the user moderates; None means all input, area-less included.

    Moderators (and administrators) see every input. Ledartröjor and faddrar see their own
    areas' input only: input sent without an area is the moderators' to route.
    """
    r = roles_for(user)
    if r.is_moderator or r.is_admin:
        return None
    return r.ledartroja_for | r.fadder_for


def can_use_moderation(user: Any) -> bool:
    """The moderation queue is for anyone who moderates at least one area's input."""
    area_ids = moderated_area_ids(user)
    return roles_for(user).authenticated and (area_ids is None or bool(area_ids))


def can_edit_aktivitet(user: Any, omrade_ids: set[int] | frozenset[int]) -> bool:
    """Minutes, participants and feedback of an activity: may edit one of its areas."""
    r = roles_for(user)
    if r.is_klg or r.is_admin:
        return True
    return bool(set(omrade_ids) & (r.ledartroja_for | r.fadder_for))


# Indicators


def can_enter_indicator_values(user: Any) -> bool:
    """Manual indicator values (those without a Kolada source): KLG and administrators."""
    r = roles_for(user)
    return r.is_klg or r.is_admin
