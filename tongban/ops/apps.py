from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operator commands that span the concept apps: demo, serve."""

    name = "tongban.ops"
