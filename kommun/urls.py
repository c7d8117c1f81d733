from __future__ import annotations

from django.urls import path

from kommun import views

app_name = "kommun"
urlpatterns = [
    path("kommun/farger-<str:farg>.css", views.farger, name="farger"),
    path("kommun/logotyp-<str:checksum>.<str:ext>", views.logotyp, name="logotyp"),
]
