from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from portal.context_processors import SITE_URL_NAMES

# The header and footer links of base.html come from the site_urls context processor, which
# reverses them once per language; they must be the addresses {% url %} would give.


@pytest.mark.django_db
@pytest.mark.parametrize("language,path", [("sv", "/ordlista/"), ("en", "/en/ordlista/")])
def test_header_and_footer_link_to_the_reversed_addresses(
    client: Client, language: str, path: str
) -> None:
    response = client.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    with translation.override(language):
        expected = {name: reverse(name) for name in SITE_URL_NAMES}
    assert expected["index"] == ("/en/" if language == "en" else "/")
    assert dict(response.context["site_urls"]) == {
        name.replace(":", "_"): url for name, url in expected.items()
    }
    for name in ["index", "uppfoljning:index", "sok", "login", "ordlista", "open_data"]:
        assert f'href="{expected[name]}"' in html
    assert 'href=""' not in html


@pytest.mark.django_db
def test_logged_in_header_links_to_the_workspace_and_logout(admin_client: Client) -> None:
    response = admin_client.get("/ordlista/")

    html = response.content.decode()
    assert f'href="{reverse("arbetsyta:matris")}"' in html
    assert f'action="{reverse("logout")}"' in html
