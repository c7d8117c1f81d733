from __future__ import annotations

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from portal import views

# Pages are in Swedish at their plain address and in English under /en/: the language is
# part of the URL, so a page's address says what it shows and public pages cache per URL.
urlpatterns = i18n_patterns(
    # Site-wide pages
    path("", views.index, name="index"),
    # Apps
    path("", include("omraden.urls")),
    prefix_default_language=False,
)

urlpatterns += [
    # Administration
    path("admin/", admin.site.urls),
]
