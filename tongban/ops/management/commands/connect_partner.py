from django.core.management import BaseCommand, CommandError

from tongban.lib.errors import DomainError
from tongban.lib.signing import platform_public_key
from tongban.ops.crossregion import agreement_connect


class Command(BaseCommand):
    help = (
        "跨区通办: record a partner platform's address and public key on an agreement (what the "
        "two sides exchange when it is set up); prints this platform's public key to give them."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="the agreement's code, e.g. KQ-371522-410922")
        parser.add_argument("--url", required=True, help="the partner platform's address")
        parser.add_argument("--key", required=True, help="its Ed25519 public key (base64)")

    def handle(self, *args, code, url, key, **options):
        try:
            agreement = agreement_connect(code=code, url=url, key=key)
        except DomainError as e:
            raise CommandError(f"{e.field}: {e.message}") from None
        self.stdout.write(
            f"{agreement.code}: partner {agreement.partner.code} at {agreement.partner_url}"
        )
        self.stdout.write(f"Our public key (give it to the partner): {platform_public_key()}")
