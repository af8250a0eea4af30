from django.urls import path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views


class KeyConverter:
    """A case number, item code or action name: no slash and no control character (PostgreSQL
    refuses NUL in a query; such a path is 404 here, never a 500)."""

    regex = r"[^/\x00-\x1f\x7f]{1,100}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(KeyConverter, "key")

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("v1/auth/token", views.TokenView.as_view(), name="token"),
    path("v1/offices", views.OfficeListView.as_view(), name="office-list"),
    path("v1/items", views.ItemListView.as_view(), name="item-list"),
    path("v1/items/<key:code>", views.ItemDetailView.as_view(), name="item-detail"),
    path("v1/cases", views.CaseCollectionView.as_view(), name="case-list"),
    path("v1/cases/<key:number>", views.CaseDetailView.as_view(), name="case-detail"),
    path(
        "v1/cases/<key:number>/actions/<key:action>",
        views.CaseActionView.as_view(),
        name="case-action",
    ),
    path("v1/cases/<key:number>/notices", views.CaseNoticeListView.as_view(), name="case-notices"),
    path("v1/calendar/add-workdays", views.AddWorkdaysView.as_view(), name="add-workdays"),
    path("v1/agreements", views.AgreementListView.as_view(), name="agreement-list"),
    path("v1/bundles", views.BundleListView.as_view(), name="bundle-list"),
    path(
        "v1/bundle-applications",
        views.BundleApplicationCreateView.as_view(),
        name="bundle-application-create",
    ),
    # Anything else under v1/ answers with the JSON error body, not Django's HTML page. It
    # must stay last, and other apps' v1/ routes must be included before "api/" (tongban/urls.py).
    re_path(r"^v1/", views.NotFoundView.as_view(), name="not-found"),  # any path, "\n" too
]
