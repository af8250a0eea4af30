"""The project's URLs plus the API's notice PDF route, until tongban/urls.py carries it."""

from django.urls import path

from tongban.portal.views import notice_pdf_api
from tongban.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path(
        "api/v1/cases/<str:number>/notices/<int:notice_id>.pdf",
        notice_pdf_api,
        name="api-notice-pdf",
    ),  # fmt: skip
    *project_urlpatterns,
]
