from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info


def language_links(request: HttpRequest) -> dict[str, object]:
    """The current page in every other language, for the language switch (plain links)."""
    current = get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        if code == current:
            continue
        info = get_language_info(code)
        url = translate_url(request.get_full_path(), code)
        links.append({"code": code, "name": info["name_local"].capitalize(), "url": url})
    return {"language_links": links}
