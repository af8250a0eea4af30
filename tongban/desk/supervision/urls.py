from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.board, name="board"),
    path("rectifications/", views.rectification_list, name="rectifications"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification"),
    path("appeals/", views.appeal_list, name="appeals"),
    path("notifications/", views.notification_list, name="notifications"),
    path("partner-messages/", views.partner_messages, name="partner-messages"),
    path("rate/<str:number>/", views.rate, name="rate"),
    path("demo-clock/", views.demo_clock, name="demo-clock"),
]
