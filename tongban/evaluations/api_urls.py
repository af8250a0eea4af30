from django.urls import path

from . import api_views

# Mounted at /api/v1/ beside the core API (tongban/urls.py).
urlpatterns = [
    path(
        "cases/<str:number>/evaluation",
        api_views.CaseEvaluationView.as_view(),
        name="api-case-evaluation",
    ),
    path(
        "rectifications", api_views.RectificationListView.as_view(), name="api-rectification-list"
    ),
]
