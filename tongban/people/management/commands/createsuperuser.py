"""`createsuperuser` is not the way into tongban: a superuser would hold every role at once,
which 三权分立 forbids. The first account is a security administrator
(`tongban bootstrap-secadmin`), who then gives every other account its one role."""

import sys

from django.core.management.base import BaseCommand, CommandError

REFUSED = (
    "tongban has no superuser (三权分立: the system, security and audit administrators are "
    "separate). Create the first security administrator with `tongban bootstrap-secadmin "
    "USERNAME`; they assign every other role in the admin."
)


class Command(BaseCommand):
    help = "Refused: tongban has no superuser; use `tongban bootstrap-secadmin USERNAME`."

    def run_from_argv(self, argv):
        # Whatever options Django's own command took (--username, --noinput…): refused alike.
        if "-h" in argv or "--help" in argv:
            return super().run_from_argv(argv)
        self.stderr.write(f"CommandError: {REFUSED}")
        sys.exit(1)

    def handle(self, *args, **options):
        raise CommandError(REFUSED)
