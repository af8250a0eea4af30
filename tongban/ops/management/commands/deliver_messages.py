from django.core.management import BaseCommand

from tongban.crossregion.services import outbox_deliver
from tongban.exchange.models import Message
from tongban.exchange.services import message_retry


class Command(BaseCommand):
    help = (
        "跨区通办: deliver the messages waiting for partner platforms now (the worker does it "
        "every 10 seconds, and retries with back-off)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", action="store_true",
            help="also the waiting messages whose next try is later (the partner is back)",
        )  # fmt: skip

    def handle(self, *args, now, **options):
        if now:
            for message_id in Message.objects.filter(state=Message.State.WAITING).values_list(
                "message_id", flat=True
            ):
                message_retry(message_id=message_id)
        counts = outbox_deliver(limit=500)
        self.stdout.write(
            f"delivered {counts['delivered']}, waiting {counts['waiting']}, failed {counts['failed']}"
        )
