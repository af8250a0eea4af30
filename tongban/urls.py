from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    # The API: the core in tongban.api; evaluations and figures beside it, same /api/v1/ prefix.
    path("api/v1/", include("tongban.evaluations.api_urls")),
    path("api/v1/", include("tongban.stats.api_urls")),
    path("api/", include("tongban.api.urls")),
    # Supervisors' pages live under the desk.
    path("desk/stats/", include("tongban.stats.urls")),
    path("desk/supervision/", include("tongban.supervision.urls")),
    path("desk/", include("tongban.desk.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("tongban.portal.urls")),
]
