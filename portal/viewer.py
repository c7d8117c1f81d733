"""Who is looking, and when: the one input of every visibility rule.

A `Viewer` is made once per request (`viewer_of(request)`) and handed to the models'
`visible_to(viewer)` QuerySet methods, which alone decide what may be shown: pages, search,
open-data files, feeds, counts and the page cache all read through them. `now` is fixed for
the request, so a publication that falls due while a page renders is either on all of it or
on none of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from django.http import HttpRequest
from django.utils import timezone

from portal import roles


@dataclass(frozen=True)
class Viewer:
    # Staff (any login) may see everything: drafts, hidden areas, input as received.
    staff: bool = False
    # A lambda, not timezone.now itself: tests that move the clock patch the module attribute.
    now: dt.datetime = field(default_factory=lambda: timezone.now())

    @classmethod
    def resident(cls, now: dt.datetime | None = None) -> Viewer:
        """An anonymous resident: what the public pages, files and feeds show."""
        return cls(staff=False, now=now or timezone.now())

    @classmethod
    def staff_member(cls, now: dt.datetime | None = None) -> Viewer:
        return cls(staff=True, now=now or timezone.now())

    def as_resident(self) -> Viewer:
        """The same moment seen as a resident: public pages show staff what residents see."""
        return replace(self, staff=False)

    @property
    def today(self) -> dt.date:
        return timezone.localdate(self.now)


RESIDENT_ATTR = "_portal_viewer"


def viewer_of(request: HttpRequest) -> Viewer:
    """The request's viewer, made on first use and kept for the rest of the request."""
    viewer = getattr(request, RESIDENT_ATTR, None)
    if viewer is None:
        user = getattr(request, "user", None)
        staff = user is not None and roles.can_view_staff_pages(user)
        viewer = Viewer(staff=staff)
        setattr(request, RESIDENT_ATTR, viewer)
    return viewer
