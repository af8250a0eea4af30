from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    """Signed messages between partner platforms (跨区通办): the outbox, the received ids."""

    name = "tongban.exchange"
    verbose_name = "跨区通办报文"
