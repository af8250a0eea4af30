from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("v1/auth/token", views.TokenView.as_view(), name="token"),
    path("v1/offices", views.OfficeListView.as_view(), name="office-list"),
    path("v1/items", views.ItemListView.as_view(), name="item-list"),
    path("v1/items/<str:code>", views.ItemDetailView.as_view(), name="item-detail"),
    path("v1/cases", views.CaseCollectionView.as_view(), name="case-list"),
    path("v1/cases/<str:number>", views.CaseDetailView.as_view(), name="case-detail"),
    path(
        "v1/cases/<str:number>/actions/<str:action>",
        views.CaseActionView.as_view(),
        name="case-action",
    ),
    path("v1/cases/<str:number>/notices", views.CaseNoticeListView.as_view(), name="case-notices"),
    path("v1/calendar/add-workdays", views.AddWorkdaysView.as_view(), name="add-workdays"),
    path("v1/agreements", views.AgreementListView.as_view(), name="agreement-list"),
    path("v1/bundles", views.BundleListView.as_view(), name="bundle-list"),
    path(
        "v1/bundle-applications",
        views.BundleApplicationCreateView.as_view(),
        name="bundle-application-create",
    ),
    # Anything else under v1/ answers with the JSON error body, not Django's HTML page.
    path("v1/<path:rest>", views.NotFoundView.as_view(), name="not-found"),
]
