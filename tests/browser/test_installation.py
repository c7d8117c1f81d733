"""An empty portal in Chromium: the set-up notice and the set-up steps are accessible."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Group, User

from tests.browser.conftest import Visit

PASSWORD = "forsta-installationen-42"


@pytest.fixture
def empty_portal(browser: Any, live_server: Any, transactional_db: None) -> Iterator[Visit]:
    """No data set loaded: the state `make run DATASET=` starts in."""
    v = Visit(browser, live_server.url)
    yield v
    v.close()


def test_the_set_up_notice_has_no_axe_violations(empty_portal: Visit) -> None:
    empty_portal.page.goto("/")
    assert "createsuperuser" in empty_portal.page.content()
    assert empty_portal.axe_violations() == []


def test_the_set_up_steps_have_no_axe_violations(
    empty_portal: Visit,
) -> None:
    user = User.objects.create_user("forsta", password=PASSWORD, email="forsta@example.se")
    # get_or_create: transactional tests empty the tables, migration data included.
    user.groups.add(Group.objects.get_or_create(name="administratör")[0])
    page = empty_portal.page
    page.goto("/")
    page.locator('a[href="/installation/"]').click()
    page.wait_for_url("**/konto/logga-in/**")
    page.fill("#id_username", "forsta")
    page.fill("#id_password", PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url("**/installation/")
    assert page.locator("ol.installation-steps > li").count() == 4
    assert empty_portal.axe_violations() == []
    assert empty_portal.foreign_requests() == []
