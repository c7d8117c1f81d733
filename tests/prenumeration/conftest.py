from __future__ import annotations

from typing import Any

from django.utils import timezone

from omraden.models import Omrade
from prenumeration.models import Prenumeration
from tests.utskick.test_worker import log, port, procs  # noqa: F401 (test_scale's fixtures)


def make_prenumeration(
    epost: str = "", *, omraden: list[Omrade] | None = None, confirmed: bool = True, **kwargs: Any
) -> Prenumeration:
    """A subscription, confirmed unless told otherwise, following `omraden` (or all)."""
    n = Prenumeration.objects.count() + 1
    kwargs.setdefault("alla_omraden", omraden is None)
    kwargs.setdefault("bekraftelse_skickad_at", timezone.now())
    if confirmed:
        kwargs.setdefault("bekraftad_at", timezone.now())
    p = Prenumeration.objects.create(epost=epost or f"foljare{n}@example.net", **kwargs)
    if omraden:
        p.omraden.set(omraden)
    return p
