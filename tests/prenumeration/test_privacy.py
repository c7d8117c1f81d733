"""A subscriber's address is found nowhere public: searched for, in every open-data file and
feed, and on the area page it subscribed from (the whole URLconf is walked by
tests/portal/test_no_contact_details_in_public.py)."""

from __future__ import annotations

import pytest
from django.test import Client

from oppna_data.datasets import DATASETS
from tests.conftest import make_omrade
from tests.prenumeration.conftest import make_prenumeration

ADDRESS = "hemlig.foljare@example.net"


@pytest.mark.django_db
def test_the_address_is_not_searchable_or_in_open_data(client: Client) -> None:
    omrade = make_omrade()
    p = make_prenumeration(ADDRESS, omraden=[omrade])
    # Search echoes the query: the page must be the same with the subscriber as without.
    for q in (ADDRESS, "hemlig.foljare", "foljare"):
        found = client.get("/sok/", {"q": q}).content.count(b"foljare")
        p.delete()
        assert client.get("/sok/", {"q": q}).content.count(b"foljare") == found, q
        p = make_prenumeration(ADDRESS, omraden=[omrade])
    urls = [
        omrade.get_absolute_url(),
        "/oppna-data/",
        "/oppna-data/uppfoljningar.atom",
        "/oppna-data/aktiviteter.ics",
        f"/oppna-data/omraden/{omrade.slug}/uppfoljningar.atom",
        "/datasets/dcat",
    ]
    for d in DATASETS:
        urls += [f"/oppna-data/{d.slug}.csv", f"/oppna-data/{d.slug}.json"]
    for url in urls:
        r = client.get(url)
        body = b"".join(r) if r.streaming else r.content
        assert r.status_code == 200, url
        assert b"hemlig.foljare" not in body, url
