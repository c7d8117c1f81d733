from __future__ import annotations

from django.urls import path

from uppfoljning import report_files, views

app_name = "uppfoljning"

urlpatterns = [
    # Follow-up: periods × areas, and one period's printable report
    path("uppfoljning/", views.index, name="index"),
    path("uppfoljning/<slug:slug>/", views.period, name="period"),
    # The same report as files (in the page's language, so under /en/ too: report_files.py)
    path("uppfoljning/<slug:slug>/rapport.pdf", report_files.period_pdf, name="period_pdf"),
    path("uppfoljning/<slug:slug>/rapport.docx", report_files.period_docx, name="period_docx"),
    # Political assignments
    path("uppdrag/", views.uppdrag_lista, name="uppdrag_lista"),
    path("uppdrag/<slug:slug>/", views.uppdrag, name="uppdrag"),
    # Kommundirektörens rapporter
    path("rapporter/", views.rapporter, name="rapporter"),
    path("rapporter/<slug:slug>/", views.rapport, name="rapport"),
]
