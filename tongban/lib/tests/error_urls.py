"""The site's URLconf with two addresses that fail on purpose, for test_error_pages."""

from django.urls import path

from tongban.urls import handler403, handler404, handler500, urlpatterns  # noqa: F401


def _boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("desk/boom/", _boom), path("api/v1/boom/", _boom), *urlpatterns]
