import os
import subprocess
import sys

from django.conf import settings
from django.core.management import BaseCommand, CommandError, call_command

from tongban.cases.demo import assistance_demo, authorisations_demo, bundles_demo
from tongban.catalog.seed import catalog_seed, departments
from tongban.consultations.seed import policies_seed
from tongban.lib import signing
from tongban.lib.errors import DomainError
from tongban.lib.files import private_dir, private_file
from tongban.offices.services import offices_load
from tongban.ops.calendar import calendar_load
from tongban.ops.crossregion import agreement_connect, partner_regions
from tongban.people.demo import demo_password, people_demo
from tongban.projects.demo import projects_demo
from tongban.supervision.demo import supervision_demo_seed
from tongban.workdays.services import calendar_builtin_data

# `tongban …` in a new process, whether tongban was installed or is run from a checkout.
CLI = "import sys; from tongban.cli import main; sys.exit(main(['tongban', *sys.argv[1:]]))"


def demo_password_kept(given: str | None = None) -> str:
    """The demo users' one password: `given` (--password), else the one kept in the data dir,
    else a new one. Kept in `demo_password` there (0600) so that a restart does not change it."""
    path = private_file(settings.DATA_DIR / "demo_password")
    if given:
        path.write_text(given)
    elif not path.read_text().strip():
        path.write_text(demo_password())
    return path.read_text().strip()


class Command(BaseCommand):
    help = "Build the demo city on the configured database (SQLite by default) and serve it."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="password for every demo user (default: generated)")
        parser.add_argument("--addr", default="127.0.0.1:8000", help="HOST:PORT to serve on")
        parser.add_argument("--no-serve", action="store_true", help="build the data, do not serve")
        parser.add_argument(
            "--partner", metavar="CODE",
            help="跨区通办: start a second platform as this partner county (e.g. 410922) beside "
                 "the city's demo, with its own data folder and database, both sides connected",
        )  # fmt: skip
        parser.add_argument("--city-url", default="http://127.0.0.1:8000",
                            help="with --partner: where the city's demo serves")  # fmt: skip

    def handle(self, *args, password=None, addr, no_serve, partner=None, city_url, **options):
        if settings.TONGBAN_PROFILE == "production":  # no known accounts in production (#12)
            raise CommandError("tongban demo does not run with TONGBAN_PROFILE=production: it "
                               "creates a user for every role with one password")  # fmt: skip
        if partner:
            return self.partner(partner, password=password, addr=addr, no_serve=no_serve,
                                city_url=city_url)  # fmt: skip
        call_command("migrate", interactive=False, verbosity=0)
        offices_load()
        calendar_load(data=calendar_builtin_data())
        items = catalog_seed()
        policies_seed()
        password = demo_password_kept(password)
        users = people_demo(password=password, departments=departments())
        self.stdout.write(f"数据目录 (data dir): {settings.DATA_DIR}")
        for line in authorisations_demo():
            self.stdout.write(f"委托书 (authorisation): {line}")
        for line in assistance_demo():
            self.stdout.write(f"帮办代办 (assisted handling): {line}")
        for line in bundles_demo():
            self.stdout.write(f"一件事 (bundle): {line}")
        for line in projects_demo():
            self.stdout.write(f"重点项目 (key project): {line}")
        self.stdout.write(f"Demo city ready: 9 offices, {items} catalog items, {len(users)} users.")
        self.stdout.write("Users: clerk-371522, reviewer-371522, second-reviewer-371522, agent-371522, "
                          "supervisor-371500, catalog-admin, sysadmin, secadmin, auditor, applicant-1, "
                          "applicant-2 … (<role>-<office code> for every office); clerk-dd-371522 "
                          "works at the 燕店 market agent point; other departments' "
                          "reviewers at 371581 and 371522: reviewer-371581-zr (自然资源), -zj (住建), "
                          "-fg (发改), -hj (生态环境), -sj (市场监管), -ny (农业农村), and "
                          "second-reviewer-… likewise")  # fmt: skip
        self.stdout.write(self.style.SUCCESS(f"Password for every demo user: {password}"))
        self.stdout.write(f"(kept in {settings.DATA_DIR / 'demo_password'}: the same at every start; "
                          "--password PW sets another)")  # fmt: skip
        # The demo clock and the demo cases of the supervisors' pages (tongban.supervision.demo);
        # the environment carries the flag on to the server and its worker.
        os.environ["TONGBAN_DEMO"] = "true"
        settings.TONGBAN_DEMO = True
        # The demo's SMS and e-mail go to files in the data dir (readable, unlike the console's
        # base64 bodies); supervisors read every message at /desk/supervision/notifications/.
        os.environ.setdefault("TONGBAN_SMS_BACKEND", "file")
        os.environ.setdefault("TONGBAN_EMAIL_BACKEND", "file")
        seeded = supervision_demo_seed()
        self.stdout.write(
            f"Supervision: {len(seeded['running'])} running case(s) at several ages, "
            f"{len(seeded['finished'])} rated, unrated for the window tablet: "
            f"{', '.join(seeded['unrated']) or '(already seeded)'}"
            + (f"; {seeded['error']}" if "error" in seeded else "")
        )
        self.stdout.write("Demo clock: sign in as supervisor-371500 or supervisor-371522, open "
                          "/desk/supervision/, or run `tongban demo-clock advance N`. SMS and "
                          f"e-mail go to {settings.DATA_DIR / 'sms'} and {settings.DATA_DIR / 'mail'}.")  # fmt: skip
        if not no_serve:
            call_command("serve", addr=addr)

    def partner(self, code, *, password, addr, no_serve, city_url):
        """The partner platform beside the city's demo: the city's agreement (in the city's
        database, this process's) gets the partner's address and key; then a second process,
        with the partner's data folder, city code and SQLite database, builds and serves it."""
        try:
            regions = partner_regions(code)
        except DomainError as e:
            raise CommandError(str(e.message)) from None
        if addr == "127.0.0.1:8000":
            addr = "127.0.0.1:8001"  # the city's demo has 8000
        folder = private_dir(settings.DATA_DIR / f"partner-{code}")
        partner_key = signing.platform_key_load(data_dir=folder, generate=True)
        call_command("migrate", interactive=False, verbosity=0)
        try:
            agreement = agreement_connect(code=f"KQ-371522-{code}", url=f"http://{addr}",
                                          key=signing.public_key_text(partner_key))  # fmt: skip
        except DomainError:
            raise CommandError("The city's demo is not built here yet: run `tongban demo` first "
                               f"(data folder {settings.DATA_DIR})") from None  # fmt: skip
        self.stdout.write(f"City side ({settings.DATA_DIR}): agreement {agreement.code} now "
                          f"sends to http://{addr}")  # fmt: skip
        env = {k: v for k, v in os.environ.items()
               if k not in ("TONGBAN_DATABASE_URL", "TONGBAN_BROKER_URL", "TONGBAN_PLATFORM_KEY",
                            "TONGBAN_PLATFORM_KEY_FILE", "TONGBAN_DATA_KEY", "TONGBAN_DATA_KEY_FILE")}  # fmt: skip
        env |= {"TONGBAN_DATA_DIR": str(folder), "TONGBAN_CITY_CODE": regions["city"]["code"]}
        argv = [sys.executable, "-c", CLI, "partner-platform", "--partner", code,
                "--city-url", city_url, "--city-key", signing.platform_public_key(),
                "--password", password or demo_password(), "--addr", addr]  # fmt: skip
        if no_serve:
            argv.append("--no-serve")
        self.stdout.write(f"Partner platform {regions['counties'][0]['name']} ({code}): data folder "
                          f"{folder}, serving on http://{addr}")  # fmt: skip
        raise SystemExit(subprocess.call(argv, env=env))
