import os

from django.conf import settings
from django.core.management import BaseCommand, CommandError

from tongban.supervision.demo import demo_clock_advance, demo_enabled


class Command(BaseCommand):
    help = (
        "Demo only: let N working days pass for every open case (their dates move back), then "
        "run the deadline scan, the pre-review and lapse rules and the notifications. "
        "Usage: tongban demo-clock advance N"
    )

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["advance"])
        parser.add_argument("days", type=int, nargs="?", default=1)

    def handle(self, *args, verb, days, **options):
        if not demo_enabled():
            raise CommandError("the demo clock runs only on a database built by `tongban demo`")
        # As on the served demo: messages to files in the data dir unless configured otherwise.
        if "TONGBAN_SMS_BACKEND" not in os.environ:
            settings.TONGBAN_SMS_BACKEND = "file"
        if "TONGBAN_EMAIL_BACKEND" not in os.environ:
            settings.MAILERS = {"default": {
                "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "OPTIONS": {"file_path": str(settings.DATA_DIR / "mail")},
            }}  # fmt: skip
        try:
            result = demo_clock_advance(days=days)
        except ValueError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(
            f"Demo clock moved {days} working day(s) for {result['cases']} open case(s): "
            f"{result['yellow']} yellow and {result['red']} red card(s) raised, "
            f"{result['deemed_accepted']} deemed accepted, {result['promise_lapsed']} + "
            f"{result['supplement_lapsed']} lapsed, {result['notifications']} notification(s)."
        )
