"""tongban audit verify | anchor: prove the audit trail, and anchor finished days' case
transitions in it (audit.chain, audit.anchors).

    tongban audit verify [--no-anchors]   exit status 1, naming the first bad entry, if broken
    tongban audit anchor [--limit DAYS]   anchor every finished day not yet anchored
"""

from django.core.management.base import BaseCommand, CommandError

from tongban.audit.anchors import anchors_make, anchors_verify
from tongban.audit.selectors import chain_verify


class Command(BaseCommand):
    help = (
        "Verify the audit chain (verify), or anchor finished days' case transitions in it (anchor)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify", help="walk the chain and the anchored days; exit 1 at the first bad entry"
        )
        verify.add_argument("--no-anchors", action="store_true",
                            help="the chain only, not the anchored days' rows again")  # fmt: skip
        anchor = sub.add_parser("anchor", help="anchor every finished day not yet anchored")
        anchor.add_argument(
            "--limit", type=int, default=None, help="at most this many days a table"
        )

    def handle(self, *args, action, **options):
        if action == "anchor":
            made = anchors_make(limit=options["limit"])
            for entry in made:
                self.stdout.write(
                    f"#{entry.seq} {entry.target}: {entry.data['count']} rows, {entry.data['digest']}"
                )
            self.stdout.write(f"{len(made)} day(s) anchored")
            return
        verdict = chain_verify()
        if not verdict.ok:
            raise CommandError(
                f"audit chain broken at entry #{verdict.seq}"
                + (f" (id {verdict.entry_id})" if verdict.entry_id else "")
                + f", {verdict.kind}: {verdict.problem}",
                returncode=1,
            )
        self.stdout.write(
            f"audit chain intact: {verdict.checked} entries; head #{verdict.head_seq} {verdict.head_hash}"
        )
        if options["no_anchors"]:
            return
        days, problem = anchors_verify()
        if problem:
            raise CommandError(
                f"anchored day broken: {problem.table} {problem.day} (anchor #{problem.entry_seq}): {problem.problem}",
                returncode=1,
            )
        self.stdout.write(f"anchored days intact: {days}")
