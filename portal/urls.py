from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from portal import views

urlpatterns = [
    # Site-wide pages
    path("", views.index, name="index"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Apps
    path("omraden/", include("omraden.urls")),
    # Administration
    path("admin/", admin.site.urls),
]
