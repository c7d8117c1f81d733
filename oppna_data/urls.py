from __future__ import annotations

from django.urls import path
from django.views.decorators.http import require_safe

from oppna_data import views
from portal.page_cache import public_cache

# The human page: in Swedish at /oppna-data/, in English at /en/oppna-data/ (i18n_patterns).
page_patterns = [
    path("oppna-data/", views.index, name="open_data"),
]

# Machine-readable files: outside i18n_patterns, so their addresses never change. Like the
# public pages they are cached for anonymous visitors until public data changes
# (portal/page_cache.py).
feed = public_cache(require_safe(views.UppfoljningarFeed()))

file_patterns = [
    # Datasets, each as CSV and JSON
    path("oppna-data/<slug:slug>.csv", views.dataset_csv, name="open_data_csv"),
    path("oppna-data/<slug:slug>.json", views.dataset_json, name="open_data_json"),
    # Feeds
    path("oppna-data/uppfoljningar.atom", feed, name="open_data_feed"),
    path("oppna-data/aktiviteter.ics", views.activities_ical, name="open_data_ical"),
    # Feeds per area: the same views with an area filter
    path("oppna-data/omraden/<slug:slug>/uppfoljningar.atom", feed, name="open_data_area_feed"),
    path(
        "oppna-data/omraden/<slug:slug>/aktiviteter.ics",
        views.activities_ical,
        name="open_data_area_ical",
    ),
    # The DCAT-AP-SE catalogue for dataportal.se
    path("datasets/dcat", views.dcat, name="open_data_dcat"),
]
