from django.contrib import admin
from django.urls import include, path

from tongban.ops.views import health

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("tongban.api.urls")),
    # The desk: clerks' and reviewers' pages, the supervisors' cards and the figures.
    path("desk/stats/", include("tongban.desk.figures.urls")),
    path("desk/supervision/", include("tongban.desk.supervision.urls")),
    path("desk/", include("tongban.desk.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("health", health, name="health"),  # monitoring: database and background jobs
    path("", include("tongban.portal.urls")),
]
# Error pages in the look of the desk or the portal, JSON under /api/ (tongban.lib.error_pages).
handler403 = "tongban.lib.error_pages.permission_denied"
handler404 = "tongban.lib.error_pages.page_not_found"
handler500 = "tongban.lib.error_pages.server_error"
