from django.urls import path

from . import api

app_name = "stats_api"
urlpatterns = [
    path("stats/summary", api.StatsSummaryView.as_view(), name="summary"),
    path("stats/breakdown", api.StatsBreakdownView.as_view(), name="breakdown"),
    path("stats/compression", api.StatsCompressionView.as_view(), name="compression"),
]
