from django.core.management import BaseCommand

from tongban.supervision.services import deadlines_scan


class Command(BaseCommand):
    help = (
        "Run the deadline scan once: yellow and red cards, the overdue flag (what the worker does)."
    )

    def handle(self, *args, **options):
        result = deadlines_scan()
        self.stdout.write(
            f"{result['yellow']} yellow, {result['red']} red card(s); "
            f"{result['overdue']} case(s) flagged overdue"
        )
