from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tongban.api"
