from __future__ import annotations

import functools

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse, translate_url
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language, get_language_info

from portal import page_cache


def csrf(request: HttpRequest) -> dict[str, object]:
    """`csrf_token` for `{% csrf_token %}`, noted for the page cache (portal/page_cache.py).

    It takes the place of the value Django's own csrf processor gives (that one always runs
    first) and is the same: `get_token(request)`, made when a template first uses it.
    """
    return {"csrf_token": SimpleLazyObject(functools.partial(page_cache.csrf_token, request))}


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


# The addresses the header and footer of every page link to (base.html).
SITE_URL_NAMES = [
    "index",
    "uppfoljning:index",
    "indikatorer:index",
    "omraden:aktiviteter",
    "uppfoljning:rapporter",
    "omraden:tyck_till",
    "sok",
    "arbetsyta:matris",
    "login",
    "logout",
    "tillganglighet",
    "personuppgifter",
    "ordlista",
    "open_data",
]


def site_urls(request: HttpRequest) -> dict[str, object]:
    """The header's and footer's addresses, reversed once per language and process.

    As `{% url %}` tags they took a third of rendering base.html on every page (0.18 of 0.53 ms
    of CPU); the addresses depend only on the language, the script prefix and the URLconf.
    """
    # Lazy: reversed only when a template uses them (a test's own URLconf may lack the names).
    return {"site_urls": SimpleLazyObject(_current_site_urls)}


def _current_site_urls() -> dict[str, str]:
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _site_urls(get_language(), get_script_prefix(), urlconf)


@functools.lru_cache(maxsize=16)
def _site_urls(language: str, script_prefix: str, urlconf: str) -> dict[str, str]:
    # The arguments are the cache key: reverse() reads them from the current thread.
    return {name.replace(":", "_"): reverse(name, urlconf) for name in SITE_URL_NAMES}
