from django.core.management import BaseCommand, CommandError, call_command

from tongban.lib.errors import DomainError
from tongban.ops.crossregion import partner_platform_build


class Command(BaseCommand):
    help = (
        "Build this platform (its TONGBAN_DATA_DIR, TONGBAN_CITY_CODE) as a partner county of "
        "跨区通办, connected to the city platform, and serve it unless --no-serve. "
        "`tongban demo --partner CODE` runs it for you."
    )

    def add_arguments(self, parser):
        parser.add_argument("--partner", required=True, help="the partner county's division code")
        parser.add_argument("--city-url", required=True, help="the city platform's address")
        parser.add_argument("--city-key", required=True, help="the city platform's public key")
        parser.add_argument("--password", required=True, help="password for the partner's staff")
        parser.add_argument("--addr", default="127.0.0.1:8001", help="HOST:PORT to serve on")
        parser.add_argument("--no-serve", action="store_true", help="build, do not serve")

    def handle(self, *args, partner, city_url, city_key, password, addr, no_serve, **options):
        call_command("migrate", interactive=False, verbosity=0)
        try:
            built = partner_platform_build(partner=partner, city_url=city_url, city_key=city_key,
                                           password=password)  # fmt: skip
        except DomainError as e:
            raise CommandError(f"{e.field}: {e.message}") from None
        self.stdout.write(f"Partner platform {built['office']} ({partner}) ready: agreement "
                          f"{built['agreement']} with the city at {city_url}.")  # fmt: skip
        self.stdout.write(f"Users: {', '.join(built['users'])} (password: {password})")
        self.stdout.write(f"Public key: {built['public_key']}")
        if not no_serve:
            call_command("serve", addr=addr)
