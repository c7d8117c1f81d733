from __future__ import annotations

from django.urls import path

from uppfoljning import staff_views
from uppfoljning.portfolio import portfolj

app_name = "arbetsyta"

urlpatterns = [
    # The matrix: areas and the overarching assignment × the open period
    path("", staff_views.matris, name="matris"),
    path("cell/<int:period_id>/<slug:kind>/<int:pk>/", staff_views.cell, name="cell"),
    path("ny/<int:period_id>/<slug:kind>/<int:pk>/", staff_views.ny, name="ny"),
    # The portfolio: every period of a year, with ?format=csv|xlsx (uppfoljning/portfolio.py)
    path("portfolj/", portfolj, name="portfolj"),
    # One follow-up
    path("uppfoljning/<int:pk>/", staff_views.uppfoljning, name="uppfoljning"),
    path("uppfoljning/<int:pk>/validera/", staff_views.validera, name="validera"),
]
