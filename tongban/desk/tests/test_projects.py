# ruff: noqa: F811 - the project fixtures are imported from tongban.projects.tests.conftest
"""The desk's key-project pages: lists with filters, registering, the board with its forms,
the figures; 404 for a project someone may not see."""

from datetime import date

from conftest import act
from tongban.cases.services import case_submit
from tongban.lib.identifiers import synthetic_uscc
from tongban.people.models import Role
from tongban.projects.models import Approval, Project, Task
from tongban.projects.tests.conftest import (  # noqa: F401 - fixtures
    ada,
    at,
    hal,
    investor,
    lin,
    project,
    staff,
)


def test_a_county_clerk_registers_a_project(client, lin, ada, investor):
    client.force_login(lin)
    page = client.get("/desk/projects/new/")
    assert page.status_code == 200 and "登记重点项目" in page.content.decode()
    data = {"name": "临清冷链物流园", "investor": synthetic_uscc(region="371581", seq=11),
            "county": "371581", "amount": "12000", "industry": "logistics",
            "signed_on": "2025-04-01", "planned_start_on": "2025-08-01", "agent": "ada"}  # fmt: skip
    bad = client.post(
        "/desk/projects/new/", {**data, "investor": synthetic_uscc(region="371581", seq=5)}
    )
    assert bad.status_code == 400 and "还没有登记为申请人" in bad.content.decode()
    response = client.post("/desk/projects/new/", data)
    made = Project.objects.get(name="临清冷链物流园")
    assert response.status_code == 302 and response["Location"] == f"/desk/projects/{made.pk}/"
    assert made.agent == ada


def test_the_board_page_adds_and_shows_approvals_tasks_and_blockers(
    client, project, ada, lin, hal, investor
):
    client.force_login(ada)
    base = f"/desk/projects/{project.pk}/"
    client.post(base + "members/", {"user": "hal", "duty": "环评专员"})
    client.post(
        base + "tasks/", {"title": "完成环评审批", "responsible": "hal", "planned_on": "2025-06-10"}
    )
    task = Task.objects.get(project=project)
    with at("2025-05-26"):
        case, _ = case_submit(item="HJ001", applicant=investor, channel="window",
                              submitted_by=lin, materials=["M1", "M2", "M3"])  # fmt: skip
        act(lin, case, "accept")
    client.post(base + "approvals/", {"item": "HJ001", "case": case.number, "task": task.pk})
    client.post(base + "approvals/", {"item": "ZJ001", "task": ""})
    refused = client.post(base + "approvals/", {"item": "ZR001", "case": case.number}, follow=True)
    assert "投资方没有编号为" in refused.content.decode()  # the service's message, nothing added
    assert Approval.objects.filter(project=project).count() == 2
    outside = Approval.objects.get(item__code="ZJ001")
    client.post(base + f"approvals/{outside.pk}/", {"issuing_body": "临清市住房和城乡建设局",
                                                    "applied_on": "2025-06-01"})  # fmt: skip
    with at("2025-06-16"):
        page = client.get(base).content.decode()
    assert case.number in page and "生态环境局" in page and "临清市住房和城乡建设局" in page
    assert "审批超期" in page and "任务逾期" in page and "完成环评审批" in page
    with at("2025-06-16"):
        client.force_login(hal)  # the responsible member marks their task done
        assert client.post(base + f"tasks/{task.pk}/done/").status_code == 302
    assert Task.objects.get(pk=task.pk).done_on == date(2025, 6, 16)


def test_lists_filter_and_the_agent_has_their_own(client, project, ada, lin):
    other = Project.objects.get(pk=project.pk)
    other.pk, other.name, other.industry, other.agent = None, "冠县农业园", "agriculture", lin
    other.save()
    client.force_login(lin)
    page = client.get("/desk/projects/?industry=agriculture").content.decode()
    assert "冠县农业园" in page and "临清轴承产业园二期" not in page
    client.force_login(ada)
    mine = client.get("/desk/projects/mine/").content.decode()
    assert "临清轴承产业园二期" in mine and "冠县农业园" not in mine
    assert client.get("/desk/projects/figures/").status_code == 200


def test_someone_elses_project_is_404(client, project):
    client.force_login(staff("bob", Role.CLERK, "371522"))
    base = f"/desk/projects/{project.pk}/"
    assert client.get(base).status_code == 404
    assert client.post(base + "tasks/", {"title": "x"}).status_code == 404
    assert "临清轴承产业园二期" not in client.get("/desk/projects/").content.decode()


def test_the_board_takes_members_tasks_and_approvals_off_and_says_why_not(client, project, ada, hal):
    client.force_login(ada)
    base = f"/desk/projects/{project.pk}/"
    client.post(base + "members/", {"user": "hal", "duty": "环评专员"})
    client.post(base + "tasks/", {"title": "完成环评审批", "responsible": "hal", "planned_on": "2025-06-10"})
    client.post(base + "approvals/", {"item": "ZJ001", "task": ""})
    task, approval = Task.objects.get(project=project), Approval.objects.get(project=project)
    page = client.get(base).content.decode()
    assert "移出专班" in page and f"tasks/{task.pk}/remove/" in page and f"approvals/{approval.pk}/remove/" in page
    refused = client.post(base + "members/remove/", {"user": "hal"}, follow=True).content.decode()
    assert "仍负责未完成的任务" in refused and project.members.count() == 1
    assert client.post(base + f"tasks/{task.pk}/remove/").status_code == 302
    assert client.post(base + "members/remove/", {"user": "hal"}).status_code == 302
    assert client.post(base + f"approvals/{approval.pk}/remove/").status_code == 302
    assert not (project.members.exists() or project.tasks.exists() or project.approvals.exists())
