from django.urls import path

from . import views

app_name = "stats"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.xlsx", views.dashboard_export, name="export"),
    path("cases/", views.cases, name="cases"),
    path("assistance/", views.assistance, name="assistance"),
    path("compression/", views.compression, name="compression"),
    path("compression.xlsx", views.compression_export, name="compression-export"),
]
