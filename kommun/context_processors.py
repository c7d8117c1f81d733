from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from kommun.models import Kommun


def kommun(request: HttpRequest) -> dict[str, object]:
    """`kommun`: the municipality record, read (from the cache) when a template first uses it."""
    return {"kommun": SimpleLazyObject(Kommun.objects.current)}
