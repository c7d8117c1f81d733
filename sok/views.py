"""`/sok/`: search across areas, follow-ups, reports and resident input."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import urlencode
from django.views.decorators.http import require_safe

from portal.page_cache import public_cache
from portal.viewer import viewer_of
from sok.search import MAX_QUERY, Search


@public_cache
@require_safe
def sok(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:MAX_QUERY]
    # The pager's links keep the query, encoded by the template filter the page used before.
    ctx: dict[str, Any] = {"q": q, "page": None, "pager_query": f"q={urlencode(q)}&"}
    if q:
        # Search shows staff what they may see (drafts, input as received), not only what
        # residents see.
        search = Search(q, viewer_of(request))
        ctx["page"] = search.page(request.GET.get("sida"))
        ctx["capped"] = search.capped
        ctx["cap"] = search.cap
    return render(request, "sok/sok.html", ctx)
