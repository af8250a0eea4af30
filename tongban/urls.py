from django.contrib import admin
from django.urls import include, path

from tongban.portal.views import notice_pdf_api

urlpatterns = [
    path("admin/", admin.site.urls),
    # The API: the core in tongban.api; evaluations and figures beside it, same /api/v1/ prefix.
    path("api/v1/", include("tongban.evaluations.api_urls")),
    path("api/v1/", include("tongban.stats.api_urls")),
    # The notices' PDFs, listed by the API; rendered by the portal's view (cases.notices).
    path(
        "api/v1/cases/<str:number>/notices/<int:notice_id>.pdf",
        notice_pdf_api,
        name="api-notice-pdf",
    ),
    path("api/", include("tongban.api.urls")),
    # Supervisors' pages live under the desk.
    path("desk/stats/", include("tongban.stats.urls")),
    path("desk/supervision/", include("tongban.supervision.urls")),
    path("desk/", include("tongban.desk.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("tongban.portal.urls")),
]
handler500 = "tongban.api.errors.server_error"
