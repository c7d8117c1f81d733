"""The set-up of a new installation: what an administrator still has to do, from the database.

An empty portal (no data set loaded) guides its administrator through four steps: the
municipality record, areas with a fadder, people and staff accounts with a role, and a year
of periods. The front page points to the list while the municipality is missing; the list
itself is `/installation/` (portal.views.installation), for administrators.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kommun.models import Kommun
from omraden.models import Omrade, Person
from portal import roles
from uppfoljning.models import Period


@dataclass(frozen=True)
class Link:
    text: str | Promise
    url: str


@dataclass(frozen=True)
class Step:
    title: str | Promise
    done: bool
    explanation: str | Promise
    links: list[Link]


def steps() -> list[Step]:
    User = get_user_model()
    kommun_done = Kommun.objects.exists()
    areas_done = Omrade.objects.filter(fadder__isnull=False).exists()
    people_done = (
        Person.objects.exists()
        and User.objects.filter(is_active=True, groups__name__in=roles.GROUPS).exists()
    )
    # A year whose three periods (T1, T2, ÅR) all exist.
    year_done = (
        Period.objects.values("ar").annotate(n=Count("pk")).filter(n=len(Period.Tertial)).exists()
    )
    return [
        Step(
            _("The municipality"),
            kommun_done,
            _(
                "Its name, address, organisation number, contacts, accessibility contact, "
                "publisher of open data, logo and accent colour. Every page shows them."
            ),
            [Link(_("Edit the municipality record"), reverse("admin:kommun_kommun_changelist"))],
        ),
        Step(
            _("Areas, each with a fadder"),
            areas_done,
            _(
                "The joint areas with their questions. Add the fadder as a person first, "
                "then choose them on the area."
            ),
            [
                Link(_("Add a person"), reverse("admin:omraden_person_add")),
                Link(_("Add an area"), reverse("admin:omraden_omrade_add")),
                Link(_("The phases of the method"), reverse("admin:omraden_fas_changelist")),
            ],
        ),
        Step(
            _("People and staff accounts"),
            people_done,
            _(
                "The people who lead the work (ledartröjor and faddrar) and the staff "
                "accounts, each in a role group: medarbetare, kommunledningsgruppen, "
                "moderator or administratör."
            ),
            [
                Link(_("People"), reverse("admin:omraden_person_changelist")),
                Link(_("Staff accounts and roles"), reverse("admin:auth_user_changelist")),
            ],
        ),
        Step(
            _("A year of periods"),
            year_done,
            _("T1, T2 and the annual report of a year, with their reporting deadlines."),
            [Link(_("Create a year's periods"), reverse("admin:uppfoljning_period_skapa_ar"))],
        ),
    ]
