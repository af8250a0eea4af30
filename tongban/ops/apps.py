from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operator commands that span the concept apps: demo, serve."""

    name = "tongban.ops"

    def ready(self):
        # `check --deploy` over the middleware that BrowserMiddleware runs (lib is no app).
        from tongban.lib import middleware  # noqa: F401
