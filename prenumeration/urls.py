from __future__ import annotations

from django.urls import path

from prenumeration import views

app_name = "prenumeration"

urlpatterns = [
    # Follow areas by e-mail
    path("folj/", views.folj, name="folj"),
    path("folj/tack/", views.tack, name="tack"),
    # Personal links from the e-mails (signed tokens, no login)
    path("folj/bekrafta/<str:token>/", views.bekrafta, name="bekrafta"),
    path("folj/andra/<str:token>/", views.andra, name="andra"),
    path("folj/avsluta/<str:token>/", views.avsluta, name="avsluta"),
    path("folj/avslutad/", views.avslutad, name="avslutad"),
]
