"""异地代收代办 between two running platforms: 莘县 on the city's platform collects an
application, 清丰县 (410922) on a platform of its own decides it.

Each platform is a real server process (gunicorn) with its own data folder and database
(two PostgreSQL databases of their own, <test database>_xr_city and _xr_partner; SQLite files
when the skip below is lifted), built as an operator builds it; messages leave through `tongban
deliver-messages`, the command the worker's job runs. The test talks to both over HTTP only.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from tongban.lib import signing
from tongban.lib.files import pdf_page

# Two platforms built and served over HTTP (about 100 s), through the same services and
# queries the other crossregion tests run on both databases: PostgreSQL only.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="two platforms over HTTP: runs on PostgreSQL",
    ),
]

MANAGE = Path(django_settings.BASE_DIR) / "manage.py"
PASSWORD = "Pw-xr-test-2468"
AGREEMENT = "KQ-371522-410922"
APPLICANT = {"id_number": "371522198001010005", "name": "王莘县", "phone": "13800000002",
             "insured_region": "371522"}  # fmt: skip
ALL = ["M1", "M2", "M3", "M4", "M5"]

# The city's side, built as the demo builds it, but only what this journey needs.
CITY_BUILD = """
import django; django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tongban.offices.services import offices_load
from tongban.workdays.services import calendar_builtin_data, calendar_years_load
from tongban.catalog.seed import catalog_seed
from tongban.ops.crossregion import agreement_connect
from tongban.offices.models import Office
from tongban.people.models import Role, User
offices_load(); calendar_years_load(data=calendar_builtin_data()); catalog_seed()
agreement_connect(code="{agreement}", url="{url}", key="{key}")
User.objects.create_user(username="clerk-371522", password="{password}", role=Role.CLERK,
                         office=Office.objects.get(code="371522"))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Platform:
    def __init__(self, name: str, tmp: Path, city_code: str):
        self.name = name
        self.dir = tmp / name
        self.dir.mkdir()
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.key = signing.private_key_parse(signing.private_key_new())
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("TONGBAN_")}
        self.env.update(TONGBAN_DATA_DIR=str(self.dir), TONGBAN_CITY_CODE=city_code,
                        TONGBAN_PLATFORM_KEY=_seed(self.key), DJANGO_SETTINGS_MODULE="tongban.settings",
                        TONGBAN_CSP="off", PYTHONPATH=str(django_settings.BASE_DIR))  # fmt: skip
        self.pg = None
        db = django_settings.DATABASES["default"]
        if db["ENGINE"].endswith("postgresql"):
            self.pg = dict(db, NAME=f"{db['NAME']}_xr_{name}")
            _pg_admin(db, f'DROP DATABASE IF EXISTS "{self.pg["NAME"]}" WITH (FORCE)')
            _pg_admin(db, f'CREATE DATABASE "{self.pg["NAME"]}"')
            auth = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
            self.env["TONGBAN_DATABASE_URL"] = (
                f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{self.pg['NAME']}"
            )
        self.server = None
        self.tokens = {}

    @property
    def public(self) -> str:
        return signing.public_key_text(self.key)

    def start(self, *args, **kwargs) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, *args], env=self.env, cwd=self.dir,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kwargs)  # fmt: skip

    def manage(self, *args) -> str:
        done = subprocess.run([sys.executable, str(MANAGE), *args], env=self.env, cwd=self.dir,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def serve(self) -> None:
        self.server = self.start("-m", "gunicorn", "tongban.wsgi:application", "--bind",
                                 f"127.0.0.1:{self.port}", "--workers", "1")  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"{self.name} did not start: {self.server.stdout.read1().decode()}")

    def stop(self) -> None:
        if self.server:
            self.server.terminate()
            self.server.wait(10)
            self.server = None

    def schema_from(self, other: "Platform") -> None:
        """The schema `other` migrated to, copied: migrating costs most of the setup, and both
        run the same migrations (their builds then find nothing left to apply)."""
        if self.pg:
            db = django_settings.DATABASES["default"]
            _pg_admin(db, f'DROP DATABASE IF EXISTS "{self.pg["NAME"]}" WITH (FORCE)')
            _pg_admin(db, f'CREATE DATABASE "{self.pg["NAME"]}" TEMPLATE "{other.pg["NAME"]}"')
        else:
            shutil.copyfile(other.dir / "tongban.sqlite3", self.dir / "tongban.sqlite3")

    def close(self) -> None:
        self.stop()
        if self.pg:
            _pg_admin(django_settings.DATABASES["default"],
                      f'DROP DATABASE IF EXISTS "{self.pg["NAME"]}" WITH (FORCE)')  # fmt: skip

    # --- HTTP ---

    def call(self, method: str, path: str, *, user: str | None = None, body=None,
             data: bytes | None = None, headers: dict | None = None) -> tuple[int, object]:  # fmt: skip
        headers = dict(headers or {})
        if user:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                raw, status, kind = r.read(), r.status, r.headers.get("Content-Type", "")
        except urllib.error.HTTPError as e:
            raw, status, kind = e.read(), e.code, e.headers.get("Content-Type", "")
        return status, json.loads(raw) if "json" in kind else raw

    def token(self, user: str) -> str:
        if user not in self.tokens:
            status, body = self.call("POST", "/api/v1/auth/token",
                                     body={"username": user, "password": PASSWORD})  # fmt: skip
            assert status == 200, body
            self.tokens[user] = body["token"]
        return self.tokens[user]

    def act(self, number: str, action: str, user: str, **params) -> dict:
        status, body = self.call("POST", f"/api/v1/cases/{number}/actions/{action}", user=user,
                                 body=params)  # fmt: skip
        assert status == 200, body
        return body

    def deliver(self, *flags) -> str:
        return self.manage("deliver_messages", *flags).strip()


def _seed(key) -> str:
    import base64

    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    return base64.b64encode(
        key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    ).decode()


def _pg_admin(db: dict, sql: str) -> None:
    import psycopg

    with psycopg.connect(dbname="postgres", host=db["HOST"] or None, port=db["PORT"] or None,
                         user=db["USER"] or None, password=db["PASSWORD"] or None,
                         autocommit=True) as c:  # fmt: skip
        c.execute(sql)


def _multipart(fields: list[tuple[str, str | tuple[str, bytes, str]]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = b""
    for name, value in fields:
        out += f"--{boundary}\r\n".encode()
        if isinstance(value, tuple):
            filename, content, kind = value
            out += (f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                    f"Content-Type: {kind}\r\n\r\n").encode() + content + b"\r\n"  # fmt: skip
        else:
            out += f'Content-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    return out + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _signed(
    platform: Platform, key, *, item="NY001", case="371522-20260101-999999"
) -> tuple[bytes, dict]:
    env = {"id": str(uuid.uuid4()), "agreement": AGREEMENT, "from": "371522", "to": "410922",
           "kind": "case.forward", "item": item, "case": case, "sent_at": timezone.now().isoformat(),
           "body": {"case": case, "item": item, "form": {}, "materials": ALL, "applicant": APPLICANT}}  # fmt: skip
    raw = json.dumps(env).encode()
    return raw, {"Content-Type": "application/json", "X-Tongban-Signature": signing.sign(key, raw)}


@pytest.fixture
def platforms(tmp_path):
    city, partner = Platform("city", tmp_path, "371500"), Platform("partner", tmp_path, "410900")
    try:
        city.manage("migrate", "--verbosity", "0")
        partner.schema_from(city)
        building = [
            city.start("-c", CITY_BUILD.format(agreement=AGREEMENT, url=partner.url, key=partner.public,
                                               password=PASSWORD)),
            partner.start(str(MANAGE), "partner_platform", "--partner", "410922", "--city-url", city.url,
                          "--city-key", city.public, "--password", PASSWORD, "--no-serve"),
        ]  # fmt: skip
        for p in building:
            out = p.communicate(timeout=180)[0].decode()
            assert p.returncode == 0, out
        city.serve()
        partner.serve()
        yield city, partner
    finally:
        city.close()
        partner.close()


def test_a_case_goes_to_the_partner_and_its_decision_comes_back(platforms):
    city, partner = platforms
    started = time.monotonic()
    clerk = "clerk-371522"

    # 莘县's window takes the application, scans a material and forwards it.
    status, case = city.call("POST", "/api/v1/cases", user=clerk, body={
        "item": "NY001", "channel": "window", "applicant": APPLICANT, "materials": ALL,
        "form": {"project_name": "莘县燕店农资门市"}})  # fmt: skip
    assert status == 201, case
    number = case["number"]
    scan = pdf_page("application form, signed")
    data, kind = _multipart([("agreement", AGREEMENT), ("material", "M1"),
                             ("file", ("申请表.pdf", scan, "application/pdf"))])  # fmt: skip
    status, forwarded = city.call("POST", f"/api/v1/cases/{number}/forward", user=clerk, data=data,
                                  headers={"Content-Type": kind})  # fmt: skip
    assert status == 200, forwarded
    assert (forwarded["role"], forwarded["partner"]) == ("collecting", "410922")

    # The partner is down: the message waits, with the reason, and is tried again later.
    partner.stop()
    assert city.deliver() == "delivered 0, waiting 1, failed 0"
    _, state = city.call("GET", f"/api/v1/cases/{number}/partner", user=clerk)
    [message] = state["messages"]
    assert (message["state"], message["attempts"]) == ("waiting", 1)
    assert "无法连接" in message["error"]

    # It is back: the retry delivers, once; another round sends nothing again.
    partner.serve()
    assert city.deliver("--now") == "delivered 1, waiting 0, failed 0"
    assert city.deliver("--now") == "delivered 0, waiting 0, failed 0"
    _, intake = partner.call("GET", "/api/v1/cases?status=submitted", user="clerk-410922")
    received = [c for c in intake["results"] if c["item"]["code"] == "NY001"]
    assert len(received) == 1
    there = received[0]["number"]
    _, partner_view = partner.call("GET", f"/api/v1/cases/{there}/partner", user="clerk-410922")
    assert (partner_view["role"], partner_view["partner_number"]) == ("deciding", number)

    # Forged, replayed and out-of-agreement messages are refused, and recorded.
    raw, headers = _signed(partner, signing.private_key_parse(signing.private_key_new()))
    status, refused = partner.call("POST", "/api/v1/platform/messages", data=raw, headers=headers)
    assert (status, refused["error"]["code"]) == (403, "bad_signature")
    raw, headers = _signed(partner, city.key, item="YB01003")
    status, refused = partner.call("POST", "/api/v1/platform/messages", data=raw, headers=headers)
    assert (status, refused["error"]["code"]) == (422, "item_not_in_agreement")
    raw, headers = _signed(partner, city.key)
    assert partner.call("POST", "/api/v1/platform/messages", data=raw, headers=headers)[0] == 201
    status, again = partner.call("POST", "/api/v1/platform/messages", data=raw, headers=headers)
    assert (status, again["status"]) == (200, "duplicate")

    # 清丰县 accepts; its reviewer asks for a supplement; 莘县 sees both.
    partner.act(there, "accept", "clerk-410922")
    partner.act(there, "request_supplement", "reviewer-410922-ny", missing_materials=["M4"],
                reason="平面图不清晰，请补正")  # fmt: skip
    assert partner.deliver() == "delivered 2, waiting 0, failed 0"
    _, here = city.call("GET", f"/api/v1/cases/{number}", user=clerk)
    assert (here["status"], here["missing_materials"]) == ("awaiting_supplement", ["M4"])
    assert [h["action"] for h in here["history"]][-3:] == [
        "forward",
        "accept",
        "request_supplement",
    ]

    # The window takes the supplement and forwards it; the partner's clock runs again.
    city.act(number, "supplement", clerk, materials=["M4"])
    assert city.deliver() == "delivered 1, waiting 0, failed 0"
    _, there_case = partner.call("GET", f"/api/v1/cases/{there}", user="reviewer-410922-ny")
    assert (there_case["status"], there_case["missing_materials"]) == ("accepted", [])

    # The decision, and its notice, come back to the collecting window.
    partner.act(there, "approve", "reviewer-410922-ny")
    partner.act(there, "approve", "second-reviewer-410922-ny")
    assert partner.deliver() == "delivered 2, waiting 0, failed 0"
    _, here = city.call("GET", f"/api/v1/cases/{number}", user=clerk)
    assert (here["status"], here["result"]) == ("completed", "approved")
    _, notices = city.call("GET", f"/api/v1/cases/{number}/notices", user=clerk)
    completion = [n for n in notices["results"] if n["kind"] == "completion"]
    assert len(completion) == 1
    status, pdf = city.call("GET", urlsplit(completion[0]["url"]).path, user=clerk)
    assert status == 200 and pdf[:5] == b"%PDF-"
    print(f"the journey took {time.monotonic() - started:.1f} s")  # -s shows it
