"""The demo's 委托书: an elderly person without an account who authorised the 莘县 agent at the
window for every item, and applicant-1 who authorised the 临清 agent online for one item, so
that agent-371522 and agent-371581 can apply for someone at once (`tongban demo`)."""

from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tongban.lib.files import pdf_page
from tongban.lib.identifiers import synthetic_resident_id
from tongban.people.models import User
from tongban.people.services import applicant_upsert

from .authorisations import authorisation_make
from .models import Authorisation

# Born 1945: 80 years old, the kind of person an agent point serves.
ELDER = {"id_number": synthetic_resident_id(region="371522", birth=date(1945, 3, 8), seq=1),
         "name": "赵奶奶（演示）", "phone": "13800000031", "insured_region": "371522"}  # fmt: skip


def _letter() -> SimpleUploadedFile:
    return SimpleUploadedFile("weituoshu.pdf", pdf_page("Authorisation letter (demo)"),
                              "application/pdf")  # fmt: skip


def authorisations_demo() -> list[str]:
    """Make the demo's authorisations once; returns a line about each one made."""
    users = {u.username: u for u in User.objects.filter(
        username__in=["clerk-371522", "agent-371522", "agent-371581", "applicant-1"])}  # fmt: skip
    if len(users) < 4 or Authorisation.objects.exists():
        return []
    today = timezone.localdate()
    elder = applicant_upsert(**ELDER, by=users["clerk-371522"])
    authorisation_make(applicant=elder, agent=users["agent-371522"], items=[], valid_from=today,
                       valid_to=today + timedelta(days=365), letter=_letter(),
                       by=users["clerk-371522"], identities_checked=True)  # fmt: skip
    authorisation_make(applicant=users["applicant-1"].applicant, agent=users["agent-371581"],
                       items=["YB07019"], valid_from=today, valid_to=today + timedelta(days=90),
                       letter=_letter(), by=users["applicant-1"])  # fmt: skip
    return [f"agent-371522 for {ELDER['name']} ({ELDER['id_number']}), every item",
            "agent-371581 for applicant-1, 门诊费用报销 (YB07019)"]  # fmt: skip
