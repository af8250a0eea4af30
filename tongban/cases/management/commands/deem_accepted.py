from django.core.management import BaseCommand

from tongban.cases.services import cases_deem_accepted_overdue


class Command(BaseCommand):
    help = "Online applications past their pre-review limit count as accepted as of receipt (行政许可法 §32)."

    def handle(self, *args, **options):
        count = cases_deem_accepted_overdue()
        self.stdout.write(f"{count} application(s) deemed accepted")
