"""tongban bootstrap-secadmin USERNAME: the first security administrator, once, from the console.

The password is asked twice (or read from TONGBAN_BOOTSTRAP_PASSWORD, or the file
TONGBAN_BOOTSTRAP_PASSWORD_FILE names, with --no-input). From then on the security
administrator assigns every other role in the admin; a second run is refused."""

import getpass

from django.core.management.base import BaseCommand, CommandError

from tongban.lib.env import envstr
from tongban.lib.errors import DomainError
from tongban.people.roles import secadmin_bootstrap


class Command(BaseCommand):
    help = "Create the first security administrator (once), instead of createsuperuser."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--no-input", action="store_false", dest="interactive",
                            help="read the password from TONGBAN_BOOTSTRAP_PASSWORD(_FILE)")  # fmt: skip

    def handle(self, *args, username, interactive, **options):
        if interactive:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ.")
        else:
            password = envstr("TONGBAN_BOOTSTRAP_PASSWORD") or ""
            if not password:
                raise CommandError("--no-input needs TONGBAN_BOOTSTRAP_PASSWORD or _FILE")
        try:
            user = secadmin_bootstrap(username=username, password=password)
        except DomainError as e:
            raise CommandError(e.message) from None
        self.stdout.write(self.style.SUCCESS(
            f"Security administrator {user.username!r} created. Sign in at /desk/login/ "
            "(TOTP enrolment follows where TONGBAN_REQUIRE_TOTP is on), then assign the other "
            "roles in the admin."
        ))  # fmt: skip
