from __future__ import annotations

from django import template

from konto.providers import Provider, configured_providers

register = template.Library()


@register.simple_tag
def sso_providers(next_url: str = "") -> list[Provider]:
    """The configured sign-in providers: `{% sso_providers next as providers %}`."""
    return configured_providers(next_url or "")


@register.simple_tag
def local_login_mode() -> str:
    from django.conf import settings

    return settings.LOCAL_LOGIN
