"""A small history of cases, written row by row with exact fields, for checking every figure
against numbers worked out by hand in the tests.

Offices: A = 莘县 371522, B = 临清 371581, C = the city bureau 371500.
Applicants: carol (person, insured in B), paul (person, insured in A), acme (employer,
insured in 东昌府区 371502). "Today" in the tests is 2025-05-20 (a Tuesday).

      submitted (local)   chan.  item      applicant office status      accepted  clock  deadline  completed
                                                          (clock: the first day it counts, the day after acceptance)
 c1   03-03 09:00         window instant   carol     A      approved    03-03     03-04  03-03     03-03
 c2   03-03 10:00         web    promised  paul      A      approved    03-04     03-05  03-18     03-07
 c3   03-05 11:00         mobile promised  carol     A      denied      03-05     03-06  03-19     03-20 07:00 (03-19 UTC)
 c4   03-10 09:00         web    promised  carol     B      approved    03-11     03-21* 03-31     03-25 07:00 (03-24 UTC)
                                                                                                   * 2 working days used before a stop
 c5   03-12 09:00         web    promised  carol     A      accepted    03-12     03-13  03-26     -
 c6   03-12 15:00         window promised  paul      B      accepted    03-12     03-13  12-31     -
 c7   03-13 09:00         web    promised  carol     A      rejected    -         -      -         03-14
 c8   03-14 09:00         web    promised  carol     -      withdrawn   -         -      -         03-15
 c9   03-28 09:00         web    promised  paul      -      submitted   -         -      -         -
 c10  03-17 09:00         window employer  acme      C      withdrawn   03-17     03-18  -         03-18
 c11  02-28 23:30         web    promised  carol     -      submitted   (in February: 15:30 UTC)
 c12  03-31 23:59         web    promised  carol     -      submitted   (still March locally)
 c13  04-01 00:10         web    promised  carol     -      submitted   (April locally, 03-31 UTC)
 c14  04-24 09:00         web    promised  paul      A      approved    04-25     04-26  05-14     05-07

Ratings (好差评), with the rectification a bad one opened (due, closed):
 c1 2 (03-10, 03-07)   c2 3   c3 1 excluded by an upheld appeal (void)   c4 4
 c7 2 (03-21, open)    c14 1 (05-14, 05-15 07:00 local = 05-14 UTC: late)
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from conftest import INSTANT_ITEM, PROMISED_ITEM
from tongban.cases.models import Case
from tongban.catalog.models import ServiceItem
from tongban.evaluations.models import Evaluation, Rectification
from tongban.lib.identifiers import synthetic_resident_id
from tongban.offices.models import Office
from tongban.people.models import Applicant

SH = ZoneInfo("Asia/Shanghai")
EMPLOYER_ITEM = "YB02007"  # 参保单位缴费基数申报: promised 5 days, employers
TODAY = "2025-05-20 10:00+08:00"


def at(day: str, clock: str = "09:00") -> datetime:
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), SH)


def d(day: str) -> date:
    return date.fromisoformat(day)


def make_case(number, *, item, applicant, channel, submitted, office=None, status="submitted",
              result="", accepted=None, clock=None, used=0, deadline=None, completed=None,
              submitted_by):  # fmt: skip
    item = ServiceItem.objects.get(code=item)
    return Case.objects.create(
        number=number, item=item, item_version=item.versions.order_by("-number").first(),
        applicant=applicant, insured_region_id=applicant.insured_region_id, submitted_by=submitted_by,
        channel=channel, status=status, result=result, submitted_at=submitted,
        accepting_office=office if accepted else None, handling_office=office,
        accepted_at=accepted, clock_started_on=clock, workdays_used=used, deadline=deadline,
        completed_at=completed,
    )  # fmt: skip


@pytest.fixture
def offices(city):
    return {
        code: Office.objects.get(code=code) for code in ("371522", "371581", "371500", "371502")
    }


@pytest.fixture
def applicants(offices, carol_applicant):
    paul = Applicant.objects.create(
        kind=Applicant.Kind.PERSON, name="Paul 李", insured_region=offices["371522"],
        id_number=synthetic_resident_id(region="371522", birth=date(1980, 5, 1)),
    )  # fmt: skip
    acme = Applicant.objects.create(
        kind=Applicant.Kind.EMPLOYER, name="Acme 有限公司", insured_region=offices["371502"],
        id_number="91371502MA3C000007",
    )  # fmt: skip
    return {"carol": carol_applicant, "paul": paul, "acme": acme}


@pytest.fixture
def history(offices, applicants, alice):
    A, B, C = offices["371522"], offices["371581"], offices["371500"]
    carol, paul, acme = applicants["carol"], applicants["paul"], applicants["acme"]
    P, N, E = PROMISED_ITEM, INSTANT_ITEM, EMPLOYER_ITEM  # promised, instant (即办), employer

    def case(n, **kw):
        return make_case(f"T-{n:03d}", submitted_by=alice, **kw)

    rows = {
        "c1": case(1, item=N, applicant=carol, channel="window", submitted=at("2025-03-03"), office=A,
                   status="completed", result="approved", accepted=at("2025-03-03"), clock=d("2025-03-04"),
                   deadline=d("2025-03-03"), completed=at("2025-03-03", "09:05")),
        "c2": case(2, item=P, applicant=paul, channel="web", submitted=at("2025-03-03", "10:00"), office=A,
                   status="completed", result="approved", accepted=at("2025-03-04"), clock=d("2025-03-05"),
                   deadline=d("2025-03-18"), completed=at("2025-03-07", "16:00")),
        "c3": case(3, item=P, applicant=carol, channel="mobile", submitted=at("2025-03-05", "11:00"), office=A,
                   status="completed", result="denied", accepted=at("2025-03-05", "11:30"), clock=d("2025-03-06"),
                   deadline=d("2025-03-19"), completed=at("2025-03-20", "07:00")),
        "c4": case(4, item=P, applicant=carol, channel="web", submitted=at("2025-03-10"), office=B,
                   status="completed", result="approved", accepted=at("2025-03-11"), clock=d("2025-03-21"), used=2,
                   deadline=d("2025-03-31"), completed=at("2025-03-25", "07:00")),
        "c5": case(5, item=P, applicant=carol, channel="web", submitted=at("2025-03-12"), office=A,
                   status="accepted", accepted=at("2025-03-12", "10:00"), clock=d("2025-03-13"),
                   deadline=d("2025-03-26")),
        "c6": case(6, item=P, applicant=paul, channel="window", submitted=at("2025-03-12", "15:00"), office=B,
                   status="accepted", accepted=at("2025-03-12", "15:00"), clock=d("2025-03-13"),
                   deadline=d("2025-12-31")),
        "c7": case(7, item=P, applicant=carol, channel="web", submitted=at("2025-03-13"), office=A,
                   status="rejected", completed=at("2025-03-14")),
        "c8": case(8, item=P, applicant=carol, channel="web", submitted=at("2025-03-14"), status="withdrawn",
                   completed=at("2025-03-15")),
        "c9": case(9, item=P, applicant=paul, channel="web", submitted=at("2025-03-28")),
        "c10": case(10, item=E, applicant=acme, channel="window", submitted=at("2025-03-17"), office=C,
                    status="withdrawn", accepted=at("2025-03-17", "09:10"), clock=d("2025-03-18"),
                    completed=at("2025-03-18")),
        "c11": case(11, item=P, applicant=carol, channel="web", submitted=at("2025-02-28", "23:30")),
        "c12": case(12, item=P, applicant=carol, channel="web", submitted=at("2025-03-31", "23:59")),
        "c13": case(13, item=P, applicant=carol, channel="web", submitted=at("2025-04-01", "00:10")),
        "c14": case(14, item=P, applicant=paul, channel="web", submitted=at("2025-04-24"), office=A,
                    status="completed", result="approved", accepted=at("2025-04-25"), clock=d("2025-04-26"),
                    deadline=d("2025-05-14"), completed=at("2025-05-07", "11:00")),
    }  # fmt: skip
    rate(rows["c1"], 2, rectified=("2025-03-10", at("2025-03-07", "10:00")))  # bad, fixed in time
    rate(rows["c2"], 3)  # good in Shandong (3 and above)
    rate(rows["c3"], 1, excluded=True, rectified=("2025-03-26", at("2025-03-24")), void=True)
    rate(rows["c4"], 4)
    rate(rows["c7"], 2, rectified=("2025-03-21", None))  # bad, still open
    # bad, fixed on 05-15 local (05-14 UTC): one day late
    rate(rows["c14"], 1, rectified=("2025-05-14", at("2025-05-15", "07:00")))
    return rows


def rate(case, score, *, excluded=False, rectified=None, void=False):
    """A rating of `case`; `rectified` is (due, closed_at) of the rectification it opened."""
    evaluation = Evaluation.objects.create(case=case, score=score, channel="portal",
                                           created_at=case.completed_at, excluded=excluded)  # fmt: skip
    if rectified:
        due, closed = rectified
        Rectification.objects.create(evaluation=evaluation, office=case.handling_office,
                                     opened_at=case.completed_at, due=d(due), closed_at=closed,
                                     void=void)  # fmt: skip
    return evaluation
