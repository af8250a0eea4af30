from django.conf import settings
from django.core.management import BaseCommand, call_command

from tongban.catalog.seed import catalog_seed
from tongban.offices.services import offices_load
from tongban.people.demo import demo_password, people_demo
from tongban.workdays.services import calendar_load_builtin


class Command(BaseCommand):
    help = "Build the demo city on the configured database (SQLite by default) and serve it."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="password for every demo user (default: generated)")
        parser.add_argument("--addr", default="127.0.0.1:8000", help="HOST:PORT to serve on")
        parser.add_argument("--no-serve", action="store_true", help="build the data, do not serve")

    def handle(self, *args, password=None, addr, no_serve, **options):
        call_command("migrate", interactive=False, verbosity=0)
        offices_load()
        calendar_load_builtin()
        items = catalog_seed()
        password = password or demo_password()
        users = people_demo(password=password)
        self.stdout.write(f"数据目录 (data dir): {settings.DATA_DIR}")
        self.stdout.write(f"Demo city ready: 9 offices, {items} catalog items, {len(users)} users.")
        self.stdout.write("Users: clerk-371522, reviewer-371522, second-reviewer-371522, agent-371522, "
                          "supervisor-371500, catalog-admin, sysadmin, secadmin, auditor, applicant-1, "
                          "applicant-2 … (<role>-<office code> for every office)")  # fmt: skip
        self.stdout.write(self.style.SUCCESS(f"Password for every demo user: {password}"))
        if not no_serve:
            call_command("serve", addr=addr)
