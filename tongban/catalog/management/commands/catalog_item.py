from django.core.management.base import BaseCommand, CommandError

from tongban.catalog.models import ServiceItem
from tongban.catalog.services import catalog_item_set_status
from tongban.lib.errors import DomainError

from .import_catalog import actor


class Command(BaseCommand):
    help = (
        "Suspend, resume or retire one catalog item. Suspended and retired items take no new "
        "applications; cases already made go on. Retiring is final."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="the item's code, e.g. YB07019")
        action = parser.add_mutually_exclusive_group(required=True)
        for name, status in (("suspend", "suspended"), ("resume", "active"), ("retire", "retired")):
            action.add_argument(
                f"--{name}", dest="status", action="store_const", const=status,
                help=f"set the item {status}",
            )  # fmt: skip
        parser.add_argument("--reason", default="", help="why (required to suspend or retire)")
        parser.add_argument("--user", help="record the change under this username")

    def handle(self, *args, code, status, reason, user=None, **options):
        item = ServiceItem.objects.filter(code=code).first()
        if item is None:
            raise CommandError(f"没有事项 {code} (unknown item)")
        reason = reason.strip()
        if status != ServiceItem.Status.ACTIVE and not reason:
            raise CommandError("请用 --reason 说明暂停或废止的原因 (--reason is required)")
        try:
            item = catalog_item_set_status(
                item=item, status=status, reason=reason, actor=actor(user)
            )
        except DomainError as e:
            raise CommandError(f"{code}: {e.message}") from None
        self.stdout.write(f"{item.code} {item.name}: {item.get_status_display()} ({item.status})")
