"""GET /api/v1/cases: the work queues, their filters and their pages."""

from datetime import date

import pytest
import time_machine

from conftest import INSTANT_ITEM, PROMISED_ITEM, act, submit
from tongban.cases.models import Case

from .conftest import error

pytestmark = pytest.mark.django_db


def _numbers(client, query=""):
    response = client.get(f"/api/v1/cases{query}")
    assert response.status_code == 200, response.content
    return [c["number"] for c in response.json()["results"]]


@pytest.fixture
def queue(carol, erin, alice, bob, rita):
    """Four cases: carol's accepted at 莘县, carol's accepted at 临清, erin's waiting in the
    intake queue, and an instant item alice registered and finished at her window."""
    with time_machine.travel("2025-03-03 10:00+08:00"):
        at_shen = act(alice, submit(carol), "accept")
    with time_machine.travel("2025-03-04 10:00+08:00"):
        at_linqing = act(bob, submit(carol), "accept")
    with time_machine.travel("2025-03-05 10:00+08:00"):
        waiting = submit(erin, channel="mobile")
    with time_machine.travel("2025-03-06 10:00+08:00"):
        window = submit(alice, INSTANT_ITEM, channel="window", applicant=erin.applicant,
                        materials=["M1"])  # fmt: skip
        window = act(alice, window, "accept")
    return {"shen": at_shen.number, "linqing": at_linqing.number, "waiting": waiting.number,
            "window": window.number}  # fmt: skip


def test_each_user_sees_their_queue_newest_first(api, queue, alice, bob, vera, carol, erin, rita):
    q = queue
    assert _numbers(api(alice)) == [q["window"], q["waiting"], q["shen"]]
    assert _numbers(api(bob)) == [q["waiting"], q["linqing"]]
    assert _numbers(api(rita)) == [q["window"], q["shen"]]
    assert _numbers(api(vera)) == [q["window"], q["waiting"], q["linqing"], q["shen"]]
    assert _numbers(api(carol)) == [q["linqing"], q["shen"]]
    assert _numbers(api(erin)) == [q["window"], q["waiting"]]


def test_the_list_shape_is_light(api, queue, vera):
    body = api(vera).get("/api/v1/cases").json()
    assert (body["count"], body["next"]) == (4, None)
    row = next(c for c in body["results"] if c["number"] == queue["shen"])
    assert "history" not in row and "actions" not in row
    assert row["item"]["code"] == PROMISED_ITEM
    assert (row["status"], row["handling_office"], row["insured_region"]) == (
        "accepted", "371522", "371581",
    )  # fmt: skip
    assert row["deadline"] == "2025-03-17"


@pytest.mark.parametrize(
    "query, expected",
    [
        ("?status=accepted", ["linqing", "shen"]),
        ("?status=completed", ["window"]),
        ("?office=371522", ["window", "shen"]),
        ("?office=371581&status=accepted", ["linqing"]),
        ("?item=YB01003", ["window"]),
        ("?channel=mobile", ["waiting"]),
        ("?channel=window", ["window"]),
        ("?insured_region=371502", ["window", "waiting"]),
        ("?intake=true", ["waiting"]),
        ("?intake=false", ["window", "linqing", "shen"]),
        ("?overdue=false", ["window", "waiting", "linqing", "shen"]),
    ],
)
def test_filters(api, queue, vera, query, expected):
    with time_machine.travel("2025-03-07 10:00+08:00"):
        assert _numbers(api(vera), query) == [queue[k] for k in expected]


def test_overdue_lists_accepted_cases_past_their_deadline_earliest_first(api, queue, vera):
    with time_machine.travel("2025-03-19 10:00+08:00"):  # 莘县's is due 03-17, 临清's 03-18
        client = api(vera)
        assert _numbers(client, "?overdue=true") == [queue["shen"], queue["linqing"]]
        shen = client.get(f"/api/v1/cases/{queue['shen']}").json()
        assert shen["overdue"] is True
    with time_machine.travel("2025-03-18 10:00+08:00"):
        assert _numbers(api(vera), "?overdue=true") == [queue["shen"]]


def test_the_intake_queue_is_shared_by_every_clerk_oldest_first(api, carol, erin, alice, bob):
    with time_machine.travel("2025-03-03 10:00+08:00"):
        first = submit(carol)
    with time_machine.travel("2025-03-04 10:00+08:00"):
        second = submit(erin)
    for clerk in (alice, bob):
        assert _numbers(api(clerk), "?intake=true") == [first.number, second.number]
    act(bob, first, "claim")  # 首问负责: still submitted, still in intake until accepted
    act(bob, first, "accept")
    assert _numbers(api(alice), "?intake=true") == [second.number]


def test_search_by_number_prefix_or_applicant_number(api, queue, vera, carol):
    client = api(vera)
    assert _numbers(client, f"?q={queue['shen']}") == [queue["shen"]]
    assert _numbers(client, "?q=371522-") == [queue["window"]]
    assert _numbers(client, f"?q={carol.applicant.id_number}") == [queue["linqing"], queue["shen"]]
    assert _numbers(client, "?q=nothing") == []


@pytest.mark.parametrize(
    "query, code, field",
    [
        ("?status=lost", "invalid", "status"),
        ("?channel=fax", "invalid", "channel"),
        ("?office=999999", "unknown_office", "office"),
        ("?insured_region=999999", "unknown_office", "insured_region"),
        ("?item=YB99999", "unknown_item", "item"),
        ("?overdue=perhaps", "invalid", "overdue"),
        ("?page=0", "invalid", "page"),
        ("?page=x", "invalid", "page"),
        ("?stauts=accepted", "unknown_field", "stauts"),
    ],
)
def test_bad_filters_name_the_parameter(api, vera, query, code, field):
    response = api(vera).get(f"/api/v1/cases{query}")
    assert response.status_code == 400
    assert (error(response)["code"], error(response)["field"]) == (code, field)


def test_pages_of_fifty_with_a_next_link(api, carol, vera):
    with time_machine.travel(date(2025, 3, 3)):
        for _ in range(51):
            submit(carol)
    client = api(vera)
    first = client.get("/api/v1/cases").json()
    assert (first["count"], len(first["results"])) == (51, 50)
    assert first["next"] == "http://testserver/api/v1/cases?page=2"
    second = client.get(first["next"]).json()
    assert (second["count"], len(second["results"]), second["next"]) == (51, 1, None)
    oldest = Case.objects.order_by("submitted_at", "pk").first()
    assert second["results"][0]["number"] == oldest.number
    past = client.get("/api/v1/cases?page=9").json()
    assert (past["count"], past["results"], past["next"]) == (51, [], None)
    filtered = client.get("/api/v1/cases?status=submitted").json()
    assert filtered["next"] == "http://testserver/api/v1/cases?page=2&status=submitted"


def test_the_list_costs_the_same_queries_for_any_number_of_cases(
    api, carol, erin, alice, django_assert_num_queries, django_assert_max_num_queries, settings
):
    client = api(alice)
    submit(carol)
    with django_assert_num_queries(4):  # the token and its used stamp, the page, office codes
        client.get("/api/v1/cases")
    for _ in range(5):
        act(alice, submit(erin, INSTANT_ITEM, materials=["M1"]), "accept")
    # The token (read every time: revocation counts at once), the page; office codes come in
    # one query for any number of cases, or none once this process knows them.
    with django_assert_max_num_queries(3):
        assert len(client.get("/api/v1/cases").json()["results"]) == 6


def test_a_reviewers_list_reads_the_steps_once(api, queue, rita):
    """What a reviewer may see depends on the item versions' review steps (cases.access
    .steps_taken_q): read once for the page and its count, not once for each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(rita)
    client.get("/api/v1/cases")
    with CaptureQueriesContext(connection) as captured:
        assert _numbers(client, "?status=accepted") == [queue["shen"]]
    steps = [q for q in captured.captured_queries if '"catalog_itemversion"."steps"' in q["sql"]]
    assert len(steps) == 1, [q["sql"] for q in steps]


def test_the_count_stops_at_the_cap_and_says_so(api, carol, vera, monkeypatch):
    """A city's year is millions of cases: the list counts up to lib.paging.COUNT_CAP rows,
    then answers the cap with count_capped true (the cap made small here: 50 a page, cap 52)."""
    from tongban.api import shapes

    monkeypatch.setattr(shapes, "COUNT_CAP", 52)
    with time_machine.travel(date(2025, 3, 3)):
        for _ in range(51):
            submit(carol)
    body = api(vera).get("/api/v1/cases").json()
    assert (body["count"], body["count_capped"], len(body["results"])) == (51, False, 50)
    with time_machine.travel(date(2025, 3, 4)):
        for _ in range(3):
            submit(carol)
    body = api(vera).get("/api/v1/cases").json()
    assert (body["count"], body["count_capped"], len(body["results"])) == (52, True, 50)
    last = api(vera).get("/api/v1/cases?page=2").json()  # the last page tells the exact count
    assert (last["count"], last["count_capped"], len(last["results"])) == (54, False, 4)
    # Below the cap nothing changes.
    few = api(vera).get("/api/v1/cases?status=accepted").json()
    assert (few["count"], few["count_capped"]) == (0, False)
