from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import INSTANT_ITEM, PROMISED_ITEM, act, submit
from tongban.cases.models import Case
from tongban.desk import queues
from tongban.workdays import services as workdays


def numbers(response) -> set[str]:
    return {row.number for row in response.context["rows"]}


@pytest.fixture
def accepted(carol, alice):
    return act(alice, submit(carol), "accept")


@pytest.fixture
def intake(carol):
    return submit(carol)


def test_a_clerk_sees_the_city_intake_and_her_office(client, alice, accepted, intake):
    client.force_login(alice)
    assert numbers(client.get("/desk/")) == {accepted.number}
    assert numbers(client.get("/desk/?scope=intake")) == {intake.number}


def test_bob_does_not_see_alices_accepted_case(client, bob, accepted, intake):
    client.force_login(bob)
    assert numbers(client.get("/desk/")) == set()
    assert numbers(client.get("/desk/?scope=intake")) == {intake.number}
    assert accepted.number not in numbers(client.get("/desk/?scope=all"))
    assert numbers(client.get(f"/desk/?scope=all&q={accepted.number}")) == set()


def test_vera_sees_every_office_and_can_filter_by_office(client, vera, accepted):
    client.force_login(vera)
    assert numbers(client.get("/desk/")) == {accepted.number}
    assert numbers(client.get("/desk/?office=371522")) == {accepted.number}
    assert numbers(client.get("/desk/?office=371581")) == set()


def test_olga_sees_her_office_only(client, olga, bob, carol, accepted):
    act(bob, submit(carol), "accept")  # at 临清
    client.force_login(olga)
    assert numbers(client.get("/desk/")) == {accepted.number}
    assert numbers(client.get("/desk/?office=371581")) == {accepted.number}  # ignored for her


def test_reviewers_see_the_cases_at_their_step(client, rita, sam, accepted, carol, alice):
    second = act(rita, act(alice, submit(carol), "accept"), "approve")  # now at 复审
    client.force_login(rita)
    assert numbers(client.get("/desk/")) == {accepted.number}
    client.force_login(sam)
    assert numbers(client.get("/desk/")) == {second.number}
    assert numbers(client.get("/desk/?scope=office")) == {accepted.number, second.number}


def test_the_office_queue_leaves_out_finished_cases_unless_asked(client, alice, carol):
    done = act(alice, submit(carol, INSTANT_ITEM, materials=["M1"]), "accept")
    assert done.status == "completed"
    client.force_login(alice)
    assert done.number not in numbers(client.get("/desk/"))
    assert done.number in numbers(client.get("/desk/?status=completed"))


def test_filters_by_item_status_and_channel(client, alice, carol, accepted):
    window = submit(
        alice, INSTANT_ITEM, channel="window", applicant=carol.applicant, materials=["M1"]
    )
    client.force_login(alice)
    assert numbers(client.get(f"/desk/?item={PROMISED_ITEM}")) == {accepted.number}
    assert numbers(client.get("/desk/?channel=window")) == {window.number}
    assert numbers(client.get("/desk/?status=submitted")) == {window.number}
    assert numbers(client.get("/desk/?status=nonsense")) == {accepted.number, window.number}


@pytest.mark.parametrize("how", ["number", "id", "id_lower", "name"])
def test_search_by_number_id_or_name(client, alice, carol, accepted, how):
    q = {
        "number": accepted.number,
        "id": carol.applicant.id_number,
        "id_lower": carol.applicant.id_number.lower(),
        "name": "Carol 王",  # the full name: names are sealed, found by blind index
    }[how]
    client.force_login(alice)
    assert accepted.number in numbers(client.get("/desk/", {"q": q}))


def test_the_id_number_is_masked_in_the_list(client, alice, accepted, carol):
    client.force_login(alice)
    body = client.get("/desk/").content.decode()
    assert carol.applicant.id_number not in body
    assert carol.applicant.masked_id in body


def test_pages_of_fifty_with_a_next_link(client, alice, carol, monkeypatch):
    monkeypatch.setattr(queues, "PAGE_SIZE", 2)
    for _ in range(3):
        submit(carol)
    client.force_login(alice)
    first = client.get("/desk/?scope=intake")
    assert len(first.context["rows"]) == 2 and first.context["has_next"]
    second = client.get("/desk/?scope=intake&page=2")
    assert len(second.context["rows"]) == 1 and not second.context["has_next"]


def test_the_query_count_does_not_grow_with_the_rows(client, alice, carol):
    client.force_login(alice)
    for _ in range(2):
        act(alice, submit(carol), "accept")
    with CaptureQueriesContext(connection) as few:
        client.get("/desk/")
    for _ in range(6):
        act(alice, submit(carol), "accept")
    with CaptureQueriesContext(connection) as many:
        client.get("/desk/")
    assert len(many) == len(few)
    assert len(many) <= 10  # session and user, rows, calendar, office, items, session save


# --- Deadline marks ------------------------------------------------------------------------


def _case_due(alice, carol, due: date) -> Case:
    case = act(alice, submit(carol), "accept")
    Case.objects.filter(pk=case.pk).update(deadline=due)
    return Case.objects.select_related("item_version").get(pk=case.pk)


@time_machine.travel("2025-09-29 10:00+08:00", tick=False)  # a Monday before 国庆
def test_marks_count_working_days_yellow_near_red_past(alice, carol):
    cases = {
        "far": _case_due(alice, carol, date(2025, 10, 17)),  # 11 October is a make-up day
        "near": _case_due(alice, carol, date(2025, 10, 9)),  # 国庆 in between: 2 working days
        "today": _case_due(alice, carol, date(2025, 9, 29)),
        "past": _case_due(alice, carol, date(2025, 9, 25)),  # 26th, 28th (make-up), 29th
    }
    marks = queues.deadline_marks(list(cases.values()))
    got = {k: (marks[c.pk].days, marks[c.pk].level) for k, c in cases.items()}
    assert got == {
        "far": (9, ""),
        "near": (2, "yellow"),
        "today": (0, "yellow"),
        "past": (-3, "red"),
    }


def test_twenty_percent_of_a_long_limit_is_yellow(alice, carol, settings):
    case = _case_due(alice, carol, date(2025, 1, 1))
    case.item_version.promised_days = 20
    case.deadline = date(2025, 6, 16)  # a Monday, no holiday that week or the one before
    days = workdays.span(date(2025, 6, 9), date(2025, 6, 16))
    mark = queues.mark(case, days, date(2025, 6, 9))  # 5 working days left of 20 (>2, but 25%)
    assert (mark.days, mark.level) == (5, "")
    mark = queues.mark(case, days, date(2025, 6, 10))  # 4 left: 20%
    assert (mark.days, mark.level) == (4, "yellow")


def test_a_stopped_clock_shows_paused(client, alice, carol, rita):
    case = act(
        rita, act(alice, submit(carol), "accept"), "request_supplement", missing_materials=["M3"]
    )
    client.force_login(alice)
    body = client.get("/desk/").content.decode()
    assert case.number in body and "计时暂停" in body


@time_machine.travel("2025-09-29 10:00+08:00", tick=False)
def test_the_due_filter_shows_overdue_and_near_cases(client, olga, alice, carol):
    past = _case_due(alice, carol, date(2025, 9, 25))
    near = _case_due(alice, carol, date(2025, 10, 9))  # 2 working days (国庆 in between)
    _case_due(alice, carol, date(2025, 10, 17))
    client.force_login(olga)
    assert numbers(client.get("/desk/?due=overdue")) == {past.number}
    assert numbers(client.get("/desk/?due=soon")) == {past.number, near.number}


def test_the_city_supervisor_queue_is_named_for_the_city(client, vera, city):
    client.force_login(vera)
    assert ("office", "全市在办") in client.get("/desk/").context["scopes"]


def test_the_desk_switches_to_english(client, alice):
    client.force_login(alice)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/desk/"})
    assert response["Location"] == "/desk/"
    body = client.get("/desk/").content.decode()
    assert "My work" in body and 'lang="en"' in body
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/desk/"})
    assert "我的工作" in client.get("/desk/").content.decode()


def test_a_search_looks_beyond_the_current_tab(client, alice, intake):
    client.force_login(alice)
    assert numbers(client.get("/desk/", {"q": intake.number})) == {intake.number}
