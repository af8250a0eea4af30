from django.apps import AppConfig


class CrossregionConfig(AppConfig):
    """跨区通办 between two platforms: building, delivering and applying the signed messages."""

    name = "tongban.crossregion"
    verbose_name = "跨区通办"
