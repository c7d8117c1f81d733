"""What every data set's loading has in common (`manage.py load_dataset <name>`).

A data set is a module with `STEPS`: (name, function) pairs, each function taking the
`Loader`, run in order in one transaction. Rows are matched on their natural keys and only
differing fields are written (`Loader.upsert`), so a second run changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from django.core.management.base import CommandError
from django.db import models

Step = tuple[str, Callable[["Loader"], None]]


class Loader:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def upsert(
        self, model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any]
    ) -> Any:
        """Create, or update only the fields that differ, counting what happened."""
        obj = model._default_manager.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values)
            obj.full_clean()
            obj.save()
            self.counts["created"] += 1
            return obj
        changed = [name for name, value in values.items() if _differs(getattr(obj, name), value)]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.full_clean()
            obj.save(update_fields=changed)
            self.counts["updated"] += 1
        else:
            self.counts["unchanged"] += 1
        return obj

    def created(self, n: int = 1) -> None:
        self.counts["created"] += n

    def updated(self, n: int = 1) -> None:
        self.counts["updated"] += n

    def unchanged(self, n: int = 1) -> None:
        self.counts["unchanged"] += n


def load_kommun(loader: Loader, values: dict[str, Any]) -> None:
    """The municipality record (pk=1): the data set's name, addresses and colour.

    One installation is one municipality: a data set is never loaded over another
    municipality's record (and so beside its areas and people).
    """
    from kommun.models import Kommun

    existing = Kommun.objects.filter(pk=1).values_list("namn", flat=True).first()
    if existing is not None and existing != values["namn"]:
        raise CommandError(
            f"This database holds {existing}'s data: load {values['namn']} into an empty "
            "database (e.g. DATABASE_URL=sqlite:///another.sqlite3)."
        )
    loader.upsert(Kommun, {"pk": 1}, values)


def _differs(current: Any, wanted: Any) -> bool:
    if isinstance(current, models.Model) or isinstance(wanted, models.Model):
        return getattr(current, "pk", None) != getattr(wanted, "pk", None)
    return current != wanted


def publish_once(loader: Loader, uppf: Any, at: Any) -> None:
    """A published follow-up's publication (its public texts, as the publishing service copies
    them) and the history row saying so, at `at`. Both are append-only: written once."""
    from uppfoljning.models import Historik, Publicering
    from uppfoljning.services import PUBLISHED_TEXTS

    if uppf.publiceringar.exists():
        loader.unchanged()
        return
    Publicering.objects.create(
        uppfoljning=uppf,
        version=uppf.version,
        status=uppf.status,
        **{field: getattr(uppf, field) for field in PUBLISHED_TEXTS},
        publicerad_at=at,
        skapad_at=at,
    )
    Historik.objects.create(
        uppfoljning=uppf,
        tid=at,
        handling=Historik.Handling.PUBLICERAD,
        version=uppf.version,
        efter={"status": uppf.status, "tillstand": uppf.tillstand, "kalla": "load_dataset"},
    )
    loader.created(2)
