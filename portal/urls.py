from __future__ import annotations

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from konto import views as konto_views
from konto.forms import LocalLoginForm
from omraden import deltagande_views as omraden_deltagande
from oppna_data import urls as open_data_urls
from portal import views
from sok import views as sok_views

# Pages are in Swedish at their plain address and in English under /en/: the language is
# part of the URL, so a page's address says what it shows and public pages cache per URL.
urlpatterns = i18n_patterns(
    # Site-wide pages
    path("", views.index, name="index"),
    path("ordlista/", views.ordlista, name="ordlista"),
    path("om-personuppgifter/", views.personuppgifter, name="personuppgifter"),
    path("tillganglighet/", views.tillganglighet, name="tillganglighet"),
    path("sok/", sok_views.sok, name="sok"),
    # A new installation's set-up steps (administrators)
    path("installation/", views.installation, name="installation"),
    path("", include(open_data_urls.page_patterns)),
    # Staff: login, logout and the workspace
    path(
        "konto/logga-in/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=LocalLoginForm
        ),
        name="login",
    ),
    path("konto/logga-ut/", konto_views.logout, name="logout"),
    # Indicators (public and workspace), before the workspace's own patterns
    path("", include("uppfoljning.indikator_urls")),
    path("arbetsyta/", include("uppfoljning.staff_urls")),
    # Apps
    path("", include("omraden.urls")),
    path("", include("uppfoljning.urls")),
    path("", include("prenumeration.urls")),
    prefix_default_language=False,
)

urlpatterns += [
    # Single sign-on: fixed addresses without a language prefix (the providers' redirect URIs)
    path("konto/", include("konto.urls")),
    path("konto/saml/", include("konto.saml_urls")),
    # The municipality's colour and logo: addresses that change with them
    path("", include("kommun.urls")),
    # Administration
    path("admin/", admin.site.urls),
    # Staff export of all resident input for the records system: a file, no language prefix
    path(
        "arbetsyta/inspel/export.<str:fmt>",
        omraden_deltagande.inspel_export,
        name="inspel_export",
    ),
    # Open data files, feeds and the DCAT catalogue: stable addresses, no language prefix
    path("", include(open_data_urls.file_patterns)),
]

# Error pages in the portal's layout (templates/400.html …). A database that cannot be reached
# answers 503 instead of 500, wherever it is noticed.
handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.middleware.server_error"
