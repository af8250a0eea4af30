import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tongban.ops.backup import BackupError, backup_write


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


class Command(BaseCommand):
    help = (
        "Write the database and every uploaded file (MEDIA_ROOT) to one archive, sealed with "
        "the backup key that the data key (TONGBAN_DATA_KEY) derives: it opens only where that "
        "key is in the ring. `tongban restore FILE` brings it back."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="the archive to write (never overwritten); - for standard output; "
            "tongban-YYYYMMDD-HHMMSS.backup in the current directory by default",
        )

    def handle(self, *args, output=None, **options):
        if output == "-":
            return self._report(backup_write(sys.stdout.buffer), "standard output", sys.stderr)
        path = Path(output or f"tongban-{timezone.localtime():%Y%m%d-%H%M%S}.backup")
        if path.exists():
            raise CommandError(f"{path} exists; give another --output")
        # Written 0600 under another name, renamed when complete: a backup that failed half-way
        # never sits under the name of a good one.
        partial = path.with_name(path.name + ".partial")
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as e:
            raise CommandError(f"{partial}: {e.strerror}") from None
        try:
            with os.fdopen(fd, "wb") as out:
                summary = backup_write(out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, path)
        except BackupError as e:
            raise CommandError(f"no backup written: {e}") from None
        finally:
            partial.unlink(missing_ok=True)
        self._report(summary, str(path), self.stdout)

    def _report(self, summary: dict, where: str, stream) -> None:
        db, media = summary["database"], summary["media"]
        stream.write(
            f"wrote {where}: {_mb(summary['archive_bytes'])} sealed with key "
            f"{summary['key_id']!r} in {summary['seconds']} s; the {db['vendor']} database "
            f"({_mb(db['bytes'])}) and {media['files']} files ({_mb(media['bytes'])})\n"
        )
        if media["skipped"]:
            stream.write(
                f"skipped {len(media['skipped'])} entries of MEDIA_ROOT that are not regular "
                f"files: {', '.join(media['skipped'][:10])}\n"
            )
