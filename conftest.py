"""The cast (healthchecks' alice/bob/charlie), on the demo city's offices and catalog.

alice  clerk at 莘县 (371522)             bob   clerk at 临清 (371581)
rita   reviewer at 莘县                   sam   second reviewer at 莘县
carol  applicant, insured in 临清 (371581) dave  agent at 莘县
olga   supervisor at 莘县                 vera  supervisor at the city bureau (371500)
"""

import threading
from datetime import date, timedelta

import pytest
from django.utils import timezone

from tongban.cases.models import Case
from tongban.cases.services import case_act, case_submit
from tongban.catalog.seed import catalog_seed
from tongban.lib.identifiers import synthetic_resident_id
from tongban.offices.models import Office
from tongban.offices.services import offices_load
from tongban.people.models import Applicant, Role, User
from tongban.workdays.services import calendar_builtin_data, calendar_years_load

INSTANT_ITEM = "YB01003"  # 城乡居民参保登记: instant, one main material
PROMISED_ITEM = (
    "YB07019"  # 门诊费用报销: promised 10 days, 审核 → 复审, M3/M4 may come later (容缺)
)
PROMISED_FORM = {"amount": "1280.50", "bank_account": "6222020200112233445"}


def load_city() -> None:
    offices_load()
    calendar_years_load(data=calendar_builtin_data())
    catalog_seed()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # The city is built once per session; each test's transaction rolls back its own changes.
    with django_db_blocker.unblock():
        load_city()


@pytest.fixture
def city(db):
    # A transactional test (live_server, races) flushes the database when it ends; pytest-django
    # runs those last, so the ones after it build the city again here.
    if not Office.objects.filter(code="371500").exists():
        load_city()
    return Office.objects.get(code="371500")


def _user(username, role, office_code=None, applicant=None):
    office = Office.objects.get(code=office_code) if office_code else None
    return User.objects.create_user(username=username, password="Pw-test-12345", role=role, office=office,
                                    applicant=applicant,
                                    verified_at=timezone.now() if applicant else None)  # fmt: skip


@pytest.fixture
def alice(city):
    return _user("alice", Role.CLERK, "371522")


@pytest.fixture
def bob(city):
    return _user("bob", Role.CLERK, "371581")


@pytest.fixture
def rita(city):
    return _user("rita", Role.REVIEWER, "371522")


@pytest.fixture
def sam(city):
    return _user("sam", Role.SECOND_REVIEWER, "371522")


@pytest.fixture
def olga(city):
    return _user("olga", Role.SUPERVISOR, "371522")


@pytest.fixture
def vera(city):
    return _user("vera", Role.SUPERVISOR, "371500")


@pytest.fixture
def dave(city):
    return _user("dave", Role.AGENT, "371522")


@pytest.fixture
def carol_applicant(city):
    return Applicant.objects.create(
        kind=Applicant.Kind.PERSON, id_number=synthetic_resident_id(region="371581", birth=date(1970, 3, 1)),
        name="Carol 王", phone="13500000001", insured_region=Office.objects.get(code="371581"),
    )  # fmt: skip


@pytest.fixture
def carol(carol_applicant):
    return _user("carol", Role.APPLICANT, applicant=carol_applicant)


def submit(user, item=PROMISED_ITEM, *, channel="web", applicant=None, materials=("M1", "M2", "M3", "M4"),
           form=None, **kw) -> Case:  # fmt: skip
    """Apply as `user`: applicants for themselves, clerks at their window."""
    if form is None:
        form = PROMISED_FORM if item == PROMISED_ITEM else {}
    applicant = applicant or user.applicant
    case, _ = case_submit(item=item, applicant=applicant, channel=channel, submitted_by=user,
                          materials=list(materials), form=form, **kw)  # fmt: skip
    return case


def authorise(applicant, agent, *, items=(), days: int = 365, valid_from=None, by=None):
    """A 委托书 from `applicant` (a record, or the details applicant_upsert takes) to `agent`,
    made at a 莘县 window (`by`, or a clerk made for it) through the service: in force from
    today (or `valid_from`) for `days` days, for `items` (none: all)."""
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile

    from tongban.cases.authorisations import authorisation_make
    from tongban.people.services import applicant_upsert
    from tongban.portal.tests.samples import pdf_bytes

    if isinstance(applicant, dict):
        applicant = applicant_upsert(**applicant)
    by = (
        by
        or User.objects.filter(username="window-clerk").first()
        or _user("window-clerk", Role.CLERK, "371522")
    )
    start = valid_from or timezone.localdate()
    letter = SimpleUploadedFile("委托书.pdf", pdf_bytes("authorisation"), "application/pdf")
    return authorisation_make(applicant=applicant, agent=agent, items=list(items), valid_from=start,
                              valid_to=start + timedelta(days=days), letter=letter, by=by,
                              identities_checked=True)  # fmt: skip


def race(calls, *, timeout: float = 60) -> list:
    """Run the calls in threads released together (each on its own database connection);
    return each one's result or the exception it raised, in order. For PostgreSQL tests of
    what must happen once however many ask at the same moment."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, fn):
        from django.db import connection as conn

        try:
            barrier.wait()
            results[i] = fn()
        except Exception as e:  # noqa: BLE001 - the outcome is what we test
            results[i] = e
        finally:
            conn.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return results


def decision_for(case: Case, **values) -> dict:
    """What the reviewer who finishes `case` fills in (办结结果), as the item's decision fields
    ask: a money item is paid in full to the form's account within a week; `values` change it."""
    spec = case.item_version.decision
    names = {f["name"] for f in spec}
    default = {
        "amount_approved": str(case.amount_claimed or "1.00"),
        "paid_to_account": case.form.get("bank_account") or "6222020200112233445",
        "payment_date": (timezone.localdate() + timedelta(days=7)).isoformat(),
    }
    return {k: v for k, v in {**default, **values}.items() if k in names}


def act(user, case, action, **params) -> Case:
    """case_act(); an approval that finishes a case with decision fields (a reimbursement)
    fills them in as decision_for() does, unless the test gives its own."""
    if action == "approve" and "decision" not in params:
        case.refresh_from_db(fields=["step", "amount_claimed", "form", "item_version"])
        if case.item_version.decision and case.step + 1 >= len(case.item_version.steps):
            params["decision"] = decision_for(case)
    return case_act(number=case.number, action=action, actor=user, **params)


@pytest.fixture
def online_case(carol):
    """carol's online application for 门诊费用报销 with every material."""
    return submit(carol)


@pytest.fixture
def accepted_case(online_case, alice):
    return act(alice, online_case, "accept")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # PBKDF2's real cost is half a second a user; tests only need hashes that verify.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    # Item versions and office codes are kept per process; tests edit them in place.
    from tongban.catalog.selectors import item_versions_cache_clear
    from tongban.offices.selectors import offices_cache_clear

    item_versions_cache_clear()
    offices_cache_clear()


@pytest.fixture
def sms_outbox(settings):
    """The text messages sent during the test (the locmem SMS backend)."""
    from tongban.lib import sms

    settings.TONGBAN_SMS_BACKEND = "locmem"
    sms.LocmemBackend.outbox = []
    return sms.LocmemBackend.outbox


def data_key_env() -> dict:
    """The environment that gives a child process (a worker, a server) this test run's data
    key, so that it opens what the tests sealed."""
    import os

    from django.conf import settings

    if "TONGBAN_DATA_KEY" in os.environ or "TONGBAN_DATA_KEY_FILE" in os.environ:
        return {}
    return {"TONGBAN_DATA_KEY_FILE": str(settings.DATA_DIR / "data_key")}
