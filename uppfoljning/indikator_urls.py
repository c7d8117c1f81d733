from __future__ import annotations

from django.urls import path

from uppfoljning import indikator_views as views

app_name = "indikatorer"

urlpatterns = [
    # Indicators: public pages with charts
    path("indikatorer/", views.index, name="index"),
    path("indikatorer/<slug:slug>/", views.detail, name="detail"),
    # Indicators in the staff workspace: manual values
    path("arbetsyta/indikatorer/", views.workspace, name="workspace"),
    path("arbetsyta/indikatorer/<slug:slug>/", views.workspace_detail, name="workspace_detail"),
]
