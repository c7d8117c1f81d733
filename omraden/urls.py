from __future__ import annotations

from django.urls import path

from omraden import views

app_name = "omraden"

urlpatterns = [
    # Areas
    path("omraden/<slug:slug>/", views.detail, name="detail"),
    # Activities
    path("aktiviteter/<int:pk>/", views.aktivitet, name="aktivitet"),
]
