# ruff: noqa: F811 - the project fixtures are imported from tongban.projects.tests.conftest
"""/api/v1/projects: the list with its filters, registering, the detail with its board, the
sub-paths, the figures; 404 for whoever may not see a project."""

import pytest

from conftest import act
from tongban.cases.services import case_submit
from tongban.lib.identifiers import synthetic_uscc
from tongban.people.models import Role
from tongban.projects.models import Project
from tongban.projects.tests.conftest import (  # noqa: F401 - fixtures
    ada,
    at,
    hal,
    investor,
    ivy,
    lin,
    project,
    staff,
    zoe,
)

from .conftest import error

pytestmark = pytest.mark.django_db
URL = "/api/v1/projects"
NEW = {"name": "临清食品产业园", "investor": synthetic_uscc(region="371581", seq=11),
       "county": "371581", "amount": "8800.50", "industry": "food", "signed_on": "2025-04-01",
       "planned_start_on": "2025-09-30", "agent": "ada"}  # fmt: skip


def test_a_county_clerk_registers_a_project_and_reads_its_board(api, lin, ada, investor):
    response = api(lin).post(URL, NEW)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["county"]["code"], body["amount"], body["agent"]) == (
        "临清食品产业园", "371581", "8800.50", "ada")  # fmt: skip
    assert body["investor"]["name"] == "临清演示投资有限公司"
    assert body["board"]["approvals"] == [] and body["board"]["blockers"] == []
    detail = api(ada).get(f"{URL}/{body['id']}")
    assert detail.status_code == 200 and detail.json()["id"] == body["id"]


def test_bad_input_names_the_field(api, lin, ada, investor):
    for given, code, field in (
        ({"investor": synthetic_uscc(region="371581", seq=77)}, "unknown_investor", "investor"),
        ({"amount": "0"}, "invalid_amount", "amount"),
        ({"planned_start_on": "2025-01-01"}, "invalid_dates", "planned_start_on"),
        ({"county": "371500"}, "invalid_county", "county"),  # the city is not a county
        ({"surprise": 1}, "unknown_field", "surprise"),
    ):
        response = api(lin).post(URL, {**NEW, **given})
        assert response.status_code == 400, given
        assert (error(response)["code"], error(response).get("field")) == (code, field), given
    assert api(staff("bob", Role.CLERK, "371522")).post(URL, NEW).status_code == 403


def test_sub_paths_build_the_board(api, project, ada, lin, hal, investor):
    base = f"{URL}/{project.pk}"
    client = api(ada)
    assert client.post(f"{base}/members", {"user": "hal", "duty": "环评专员"}).status_code == 201
    task = client.post(f"{base}/tasks", {"title": "环评审批", "responsible": "hal",
                                         "planned_on": "2025-06-10"}).json()  # fmt: skip
    with at("2025-05-26"):
        case, _ = case_submit(item="HJ001", applicant=investor, channel="window",
                              submitted_by=lin, materials=["M1", "M2", "M3"])  # fmt: skip
        act(lin, case, "accept")
    linked = client.post(
        f"{base}/approvals", {"item": "HJ001", "case": case.number, "task": task["id"]}
    )
    assert linked.status_code == 201, linked.content
    assert (linked.json()["case"], linked.json()["state"]) == (case.number, "accepted")
    outside = client.post(f"{base}/approvals", {"item": "NY004", "outside": {
        "issuing_body": "临清市农业农村局", "applied_on": "2025-05-10"}}).json()  # fmt: skip
    assert (
        outside["state"] == "outside_running" and outside["outside"]["applied_on"] == "2025-05-10"
    )
    done = client.post(f"{base}/approvals/{outside['id']}", {"outside": {
        "issuing_body": "临清市农业农村局", "applied_on": "2025-05-10", "approved_on": "2025-05-20"}})  # fmt: skip
    assert done.json()["state"] == "outside_approved"
    with at("2025-06-16"):
        board = client.get(base).json()["board"]
        assert [b["kind"] for b in board["blockers"]] == ["overdue", "task_late"]
        assert board["approvals"][0]["holder"].endswith("生态环境局 · 审查 · 审核员")
        assert (
            api(hal).post(f"{base}/tasks/{task['id']}/done", {}).json()["done_on"] == "2025-06-16"
        )
        again = api(hal).post(f"{base}/tasks/{task['id']}/done", {})
        assert again.status_code == 409 and error(again)["code"] == "task_done_already"
        moved = client.post(f"{base}/progress", {"stage": "approving"}).json()
        assert moved["stage"] == "approving"


def test_someone_elses_project_is_404_everywhere(api, project, ivy):
    outsider = api(staff("bob", Role.CLERK, "371522"))
    for path in ("", "/members", "/tasks", "/approvals", "/progress", "/tasks/1/done",
                 "/approvals/1"):  # fmt: skip
        response = (
            outsider.get(f"{URL}/{project.pk}")
            if not path
            else outsider.post(f"{URL}/{project.pk}{path}", {})
        )
        assert response.status_code == 404, path
        assert error(response)["code"] == "project_not_found", path
    assert api(ivy).get(f"{URL}/{project.pk}").status_code == 200  # the investor follows it
    assert api(ivy).post(f"{URL}/{project.pk}/tasks", {"title": "x", "responsible": "ada",
                                                       "planned_on": "2030-01-01"}).status_code == 403  # fmt: skip
    assert outsider.get(URL).json()["count"] == 0
    assert api(ivy).get(URL).json()["count"] == 1


def test_the_list_filters(api, project, lin, ada, investor):
    other = Project.objects.get(pk=project.pk)
    other.pk, other.name, other.industry, other.stage = (
        None,
        "冠县现代农业园",
        "agriculture",
        "filed",
    )
    other.save()
    client = api(lin)
    names = lambda query: [p["name"] for p in client.get(URL + query).json()["results"]]  # noqa: E731
    assert names("?industry=agriculture") == ["冠县现代农业园"]
    assert names("?stage=signed") == ["临清轴承产业园二期"]
    assert names("?agent=ada&county=371581") == ["冠县现代农业园", "临清轴承产业园二期"]
    assert names("?county=371522") == []
    with at("2025-08-01"):
        assert len(names("?late=true")) == 2  # planned start 15 July, not started
        assert names("?blocked=true") == []
    assert error(client.get(URL + "?stage=nope"))["field"] == "stage"


def test_figures_by_county_and_agent(api, project, ada, lin):
    with at("2025-07-20"):
        api(ada).post(f"{URL}/{project.pk}/progress", {"started_on": "2025-07-18"})
    figures = api(lin).get(f"{URL}/figures").json()
    # signed Tuesday 6 May, started Friday 18 July 2025: 7 May – 18 July, no holiday between
    assert figures["total"] == {"projects": 1, "started": 1, "approvals": 0, "approved": 0,
                                "workdays_to_start": 52.0}  # fmt: skip
    assert [c["county"] for c in figures["by_county"]] == ["371581"]
    assert [a["agent"] for a in figures["by_agent"]] == ["ada"]
    assert api(ivy_user(project)).get(f"{URL}/figures").status_code == 403


def ivy_user(project):
    from conftest import _user

    return _user("ivy2", Role.APPLICANT, applicant=project.investor)


def test_a_list_page_costs_the_same_queries_for_more_projects(api, project, lin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(lin)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    queries()  # the first call of a token writes its use
    one = queries()
    for n in range(4):
        copy = Project.objects.get(pk=project.pk)
        copy.pk, copy.name = None, f"项目 {n}"
        copy.save()
    assert queries() == one
