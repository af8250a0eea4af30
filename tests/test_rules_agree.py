"""The shared rules give one answer wherever they are asked: the city-wide intake, "overdue" and
case search, through the API, the desk's queues and the figures' case lists, for the same cases.
Each rule has one definition (cases.models.IN_INTAKE, cases.models.overdue_q,
cases.selectors.cases_search); these tests hold the faces to it."""

import re
from datetime import date
from urllib.parse import urlencode

import pytest
import time_machine

from conftest import act, submit
from tongban.cases.models import IN_INTAKE, Case, overdue_q
from tongban.supervision.models import Level, Warning
from tongban.supervision.services import deadlines_scan

pytestmark = pytest.mark.django_db

TODAY = "2025-03-20 10:00+08:00"  # a Thursday
NUMBER = re.compile(r"\d{6}-\d{8}-\d{6}")
YEAR = {"from": "2025-01-01", "to": "2025-12-31"}


def on(day: str):
    return time_machine.travel(f"{day} 10:00+08:00", tick=False)


@pytest.fixture
def cases(carol, carol_applicant, alice, rita, sam):
    """One case in each state that matters to the rules (门诊费用报销, 10 working days)."""
    out = {}
    with on("2025-03-03"):
        out["overdue"] = act(alice, submit(carol), "accept")  # due 03-17
        late = act(alice, submit(carol), "accept")
        out["paused"] = act(alice, submit(carol), "accept")
    with on("2025-03-05"):
        act(rita, out["paused"], "request_supplement", missing_materials=["M3"], reason="模糊")
    with on("2025-03-18"):
        out["running"] = act(alice, submit(carol), "accept")  # due 04-01
    with on("2025-03-19"):
        act(sam, act(rita, late, "approve"), "approve")  # finished two days late
        out["finished_late"] = late
        out["intake"] = submit(carol)
        out["claimed"] = act(alice, submit(carol), "claim")
        out["window"] = submit(alice, channel="window", applicant=carol_applicant)
    return {name: Case.objects.get(pk=case.pk) for name, case in out.items()}


def numbers(response) -> set[str]:
    assert response.status_code == 200, response.content[:300]
    if response["Content-Type"].startswith("application/json"):
        return {row["number"] for row in response.json()["results"]}
    return set(NUMBER.findall(response.content.decode()))


def api_list(client, user, **query):
    client.force_login(user)
    return numbers(client.get(f"/api/v1/cases?{urlencode(query)}"))


def desk_queue(client, user, **query):
    client.force_login(user)
    return numbers(client.get(f"/desk/?{urlencode(query)}"))


def figure_cases(client, user, figure, **query):
    client.force_login(user)
    return numbers(
        client.get(f"/desk/stats/cases/?{urlencode({**YEAR, 'figure': figure, **query})}")
    )


def test_the_intake_is_the_same_everywhere(client, cases, alice, vera):
    with time_machine.travel(TODAY, tick=False):
        rule = set(Case.objects.filter(IN_INTAKE).values_list("number", flat=True))
        assert rule == {cases["intake"].number}  # not the claimed one, not the window's
        assert api_list(client, alice, intake="true") == rule
        assert desk_queue(client, alice, scope="intake") == rule
        assert figure_cases(client, vera, "in_progress", office="intake") == rule
        # Every clerk of the city sees it, and it alone of the cases nobody has taken.
        assert cases["intake"].in_intake and not cases["claimed"].in_intake


def test_overdue_is_the_same_everywhere(client, cases, vera):
    with time_machine.travel(TODAY, tick=False):
        today = date(2025, 3, 20)
        rule = set(Case.objects.filter(overdue_q(today)).values_list("number", flat=True))
        assert rule == {cases["overdue"].number}  # not the late finished, not the paused one
        assert api_list(client, vera, overdue="true") == rule
        body = client.get(f"/api/v1/cases/{cases['overdue'].number}").json()
        assert body["overdue"] is True
        assert client.get(f"/api/v1/cases/{cases['running'].number}").json()["overdue"] is False
        assert desk_queue(client, vera, scope="all", due="overdue") == rule
        assert figure_cases(client, vera, "overdue_open") == rule
        assert {n for n, c in cases.items() if c.is_overdue(today)} == {"overdue"}
        deadlines_scan()
    red = Warning.objects.filter(level=Level.RED).values_list("case__number", flat=True)
    assert set(red) == rule


@pytest.mark.parametrize(
    "what",
    ["number", "number_start", "office_code", "id_number", "id_number_lowercase_x", "name"],
)
def test_search_finds_the_same_cases_in_the_api_and_the_desk(client, cases, carol_applicant,
                                                             vera, what):  # fmt: skip
    number = cases["overdue"].number
    q = {
        "number": number,
        "number_start": number[:15],  # the office code and the day
        "office_code": number[:6],
        "id_number": carol_applicant.id_number,
        "id_number_lowercase_x": carol_applicant.id_number.lower(),
        "name": "Carol 王",
    }[what]
    with time_machine.travel(TODAY, tick=False):
        found = api_list(client, vera, q=q)
        assert found == desk_queue(client, vera, q=q)
    expected = {
        "number": {number},
        "number_start": {c.number for c in cases.values() if c.number.startswith(number[:15])},
    }.get(what, {c.number for c in cases.values() if c.number.startswith(number[:6])})
    if what in ("id_number", "id_number_lowercase_x", "name"):
        expected = {c.number for c in cases.values()}  # all of them are carol's
    assert found == expected
