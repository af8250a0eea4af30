from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("tongban.api.urls")),
    path("desk/", include("tongban.desk.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("tongban.portal.urls")),
]
