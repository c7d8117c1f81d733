"""Who may do what: the one place that answers it.

Views, templates and htmx endpoints ask this module; none of them re-implement a rule.
Roles are Django groups (created by portal/migrations/0001_roles.py) plus who a person is:
fadder or ledartröja of an area, through `Person.user`.

| role                      | may |
|---------------------------|-----|
| anonymous resident        | read public pages, open data, feeds; send input |
| medarbetare (any login)   | read everything, including drafts and internal notes |
| ledartröja of area X      | edit X's draft follow-up, initiatives, activities; answer X's input |
| fadder of X               | all of the above for X, and publish X's follow-ups |
| kommunledningsgruppen     | set and publish status for every area and assignment |
| moderator                 | approve, reject and answer resident input |
| administratör             | Django admin: people, roles, periods; edit closed periods |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from omraden.models import Omrade
    from uppfoljning.models import Uppfoljning

MEDARBETARE = "medarbetare"
KOMMUNLEDNINGSGRUPPEN = "kommunledningsgruppen"
MODERATOR = "moderator"
ADMINISTRATOR = "administratör"
GROUPS = [MEDARBETARE, KOMMUNLEDNINGSGRUPPEN, MODERATOR, ADMINISTRATOR]


@dataclass(frozen=True)
class Roles:
    """Everything about one user that permission checks need, read in at most three queries."""

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


def roles_for(user: Any) -> Roles:
    """The user's roles, computed once per user object (so once per request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_portal_roles", None)
    if cached is not None:
        return cached
    from omraden.models import Ledartroja, Omrade

    roles = Roles(
        authenticated=True,
        groups=frozenset(user.groups.values_list("name", flat=True)),
        superuser=user.is_superuser,
        ledartroja_for=frozenset(
            Ledartroja.objects.filter(person__user=user, aktiv=True).values_list(
                "omrade_id", flat=True
            )
        ),
        fadder_for=frozenset(Omrade.objects.filter(fadder__user=user).values_list("pk", flat=True)),
    )
    user._portal_roles = roles
    return roles


# Reading


def can_view_staff_pages(user: Any) -> bool:
    return roles_for(user).is_staff_member


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


def can_publish_uppfoljning(user: Any, uppf: Uppfoljning) -> bool:
    """Only the area's fadder or kommunledningsgruppen publish; closed periods: admins."""
    r = roles_for(user)
    if uppf.period.is_closed:
        return r.is_admin
    if r.is_klg:
        return True
    area = _omrade_id(uppf)
    return area is not None and area in r.fadder_for


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
