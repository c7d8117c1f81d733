"""The shape every visibility rule has: `visibility(viewer, prefix)` and `visible_to(viewer)`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from portal.viewer import Viewer


class VisibleQuerySet[M: models.Model](models.QuerySet[M]):
    """A QuerySet whose model says, in `visibility()`, what a viewer may see of it.

    Each model writes its rule once, as a condition on rows reached through `prefix` (so a
    related model's rule can include it); `visible_to()` applies it to the model's own rows.
    """

    @staticmethod
    def visibility(viewer: Viewer, prefix: str = "") -> Q:
        raise NotImplementedError

    def visible_to(self, viewer: Viewer) -> Self:
        return self.filter(self.visibility(viewer))
