from __future__ import annotations

from django.urls import path

from omraden import deltagande_views, views

app_name = "omraden"

urlpatterns = [
    # Areas
    path("omraden/<slug:slug>/", views.detail, name="detail"),
    # Activities
    path("aktiviteter/", views.aktiviteter, name="aktiviteter"),
    path("aktiviteter/<int:pk>/", views.aktivitet, name="aktivitet"),
    path("aktiviteter/<int:pk>/anmalan/", deltagande_views.anmal, name="anmal"),
    path(
        "aktiviteter/<int:pk>/aterkoppling/",
        deltagande_views.aktivitet_uppfoljning,
        name="aktivitet_uppfoljning",
    ),
    # Sign-ups: the personal page behind the link in the confirmation e-mail
    path("anmalan/<str:token>/", deltagande_views.anmalan, name="anmalan"),
    # Resident input
    path("tyck-till/", deltagande_views.tyck_till, name="tyck_till"),
    path("tyck-till/tack/", deltagande_views.tyck_till_tack, name="tyck_till_tack"),
    # Moderation (staff)
    path("arbetsyta/inspel/", deltagande_views.moderering, name="moderering"),
    path("arbetsyta/inspel/<int:pk>/", deltagande_views.moderera, name="moderera"),
]
