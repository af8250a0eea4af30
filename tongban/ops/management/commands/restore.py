import sys

from django.core.management.base import BaseCommand, CommandError

from tongban.lib.crypto import CryptoError
from tongban.ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore an archive of `tongban backup` into the configured database and MEDIA_ROOT. "
        "Both must be empty, unless --force, which replaces them. The whole archive is opened "
        "and checked before anything is changed. Stop serve and worker first."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the archive; - for standard input")
        parser.add_argument(
            "--force", action="store_true", help="replace a database and files that are there"
        )

    def handle(self, *args, file, force=False, **options):
        try:
            src = sys.stdin.buffer if file == "-" else open(file, "rb")  # noqa: SIM115
        except OSError as e:
            raise CommandError(f"{file}: {e.strerror}") from None
        try:
            with src:
                summary = backup_restore(src, force=force)
        except (CryptoError, BackupError) as e:
            changed = getattr(e, "changed", False)
            raise CommandError(
                f"{file}: {e}" + ("" if changed else "; nothing was restored")
            ) from None
        media = summary["media"]
        self.stdout.write(
            f"restored {file} (made {summary['created_at']}, key {summary['key_id']!r}) in "
            f"{summary['seconds']} s: the {summary['database']['vendor']} database and "
            f"{media['files']} files"
        )
        if summary["pending_migrations"]:
            self.stdout.write(
                f"the backup is older than this tongban: run `tongban migrate` "
                f"(migrations to apply: {summary['pending_migrations']})"
            )
