"""Registering a project and its parts: what is refused, with which code, and what is audited."""

from datetime import date

import pytest
from django.db import connection

from conftest import _user, act
from tongban.audit.models import AuditEntry
from tongban.cases.services import case_submit
from tongban.lib.errors import Conflict, Forbidden, InvalidInput, NotFound
from tongban.lib.identifiers import synthetic_resident_id, synthetic_uscc
from tongban.people.models import Role
from tongban.people.services import applicant_upsert
from tongban.projects.models import Stage
from tongban.projects.services import (
    approval_add,
    approval_remove,
    approval_update,
    member_add,
    member_remove,
    project_create,
    project_progress,
    task_add,
    task_done,
    task_remove,
)

from .conftest import at, staff

pytestmark = pytest.mark.django_db


def create(by, **given):
    args = {"name": "高唐食品产业园", "investor": synthetic_uscc(region="371581", seq=11),
            "county": "371581", "amount": "5000", "industry": "food",
            "signed_on": "2025-03-01", "planned_start_on": "2025-06-30", "agent": "ada"}  # fmt: skip
    return project_create(**{**args, **given}, by=by)


def refused(code, field, fn, *args, **kwargs):
    with pytest.raises(InvalidInput) as e:
        fn(*args, **kwargs)
    assert (e.value.code, e.value.field) == (code, field)


def test_a_county_clerk_registers_a_project_by_the_investors_uscc(lin, ada, investor):
    project = create(lin)
    assert (project.investor, project.county.code, project.agent, project.stage) == (
        investor, "371581", ada, Stage.SIGNED)  # fmt: skip
    entry = AuditEntry.objects.filter(event="project.created").get()
    assert (entry.user, entry.target) == (lin, str(project.pk))


def test_bad_input_is_named(lin, ada, investor):
    person = applicant_upsert(id_number=synthetic_resident_id(region="371581", birth=date(1980, 1, 1)),
                              name="个人", insured_region="371581")  # fmt: skip
    refused(
        "unknown_investor",
        "investor",
        create,
        lin,
        investor=synthetic_uscc(region="371581", seq=99),
    )
    refused("investor_not_employer", "investor", create, lin, investor=person)
    refused("invalid_county", "county", create, lin, county="371500")  # the city, not a county
    refused("invalid_county", "county", create, lin, county="410922")  # outside the city
    refused("invalid_amount", "amount", create, lin, amount="-3")
    refused("invalid_amount", "amount", create, lin, amount="1.005")
    refused("invalid_choice", "industry", create, lin, industry="mining")
    refused("invalid_dates", "planned_start_on", create, lin, planned_start_on="2025-02-01")
    refused("unknown_user", "agent", create, lin, agent=_user("rev", Role.REVIEWER, "371581"))
    refused("required", "name", create, lin, name="  ")


def test_only_the_countys_staff_or_the_city_registers(lin, ada, investor):
    with pytest.raises(Forbidden):
        create(staff("bob", Role.CLERK, "371522"))
    with pytest.raises(Forbidden):
        create(ada)
    assert create(staff("vera", Role.SUPERVISOR, "371500")).county.code == "371581"


def test_linking_a_case_checks_item_applicant_and_that_it_is_free(project, lin, ada, investor):
    case, _ = case_submit(item="ZR001", applicant=investor, channel="window", submitted_by=lin,
                          materials=["M1", "M2", "M3", "M4"])  # fmt: skip
    # Another item, another applicant or no such case: one answer, that tells nothing of
    # other people's cases.
    refused("case_not_found", "case", approval_add, project=project, item="ZR002",
            case_number=case.number, by=ada)  # fmt: skip
    refused("case_not_found", "case", approval_add, project=project, item="ZR001",
            case_number="371581-20250101-000999", by=ada)  # fmt: skip
    refused("unknown_item", "item", approval_add, project=project, item="NOPE", by=ada)
    refused("case_or_outside", "case", approval_add, project=project, item="ZR001",
            case_number=case.number, outside={}, by=ada)  # fmt: skip
    someone = applicant_upsert(id_number=synthetic_uscc(region="371581", seq=12), name="别家公司",
                               insured_region="371581", kind="employer")  # fmt: skip
    theirs, _ = case_submit(item="ZR001", applicant=someone, channel="window", submitted_by=lin,
                            materials=["M1", "M2", "M3", "M4"])  # fmt: skip
    refused("case_not_found", "case", approval_add, project=project, item="ZR001",
            case_number=theirs.number, by=ada)  # fmt: skip
    approval = approval_add(project=project, item="ZR001", case_number=case.number, by=ada)
    with pytest.raises(Conflict) as e:
        approval_add(project=project, item="ZR001", case_number=case.number, by=ada)
    assert e.value.code == "case_linked_elsewhere"
    with pytest.raises(Conflict) as e:  # a running case is not swapped for another
        approval_update(approval=approval, case_number=case.number, by=ada)
    assert e.value.code == "approval_linked"


def test_an_outside_approval_is_recorded_then_completed(project, ada):
    approval = approval_add(project=project, item="NY004", by=ada, outside={
        "issuing_body": "临清市农业农村局", "applied_on": "2025-05-10"})  # fmt: skip
    refused("invalid_dates", "approved_on", approval_update, approval=approval, by=ada,
            outside={"issuing_body": "临清市农业农村局", "applied_on": "2025-05-10",
                     "approved_on": "2025-05-01"})  # fmt: skip
    refused("required", "issuing_body", approval_update, approval=approval, by=ada,
            outside={"applied_on": "2025-05-10"})  # fmt: skip
    done = approval_update(approval=approval, by=ada, outside={
        "issuing_body": "临清市农业农村局", "applied_on": "2025-05-10", "approved_on": "2025-05-20",
        "reference": "(2025)动防合字第001号"})  # fmt: skip
    assert (done.approved_on, done.reference) == (date(2025, 5, 20), "(2025)动防合字第001号")
    assert AuditEntry.objects.filter(event="project.approval_updated").count() == 1


def test_tasks_belong_to_the_task_force_and_are_done_once(project, ada, lin, hal):
    refused("not_in_task_force", "responsible", task_add, project=project, title="环评",
            responsible=hal, planned_on="2025-06-01", by=ada)  # fmt: skip
    member_add(project=project, user=hal, duty="环评专员", by=lin)
    with pytest.raises(Conflict):
        member_add(project=project, user=hal, duty="again", by=lin)
    refused("invalid_dates", "planned_on", task_add, project=project, title="环评",
            responsible=hal, planned_on="2025-01-01", by=ada)  # fmt: skip
    task = task_add(project=project, title="环评", responsible=hal, planned_on="2025-06-01", by=ada)
    task_done(task=task, by=hal)
    with pytest.raises(Conflict) as e:
        task_done(task=task, by=ada)
    assert e.value.code == "task_done_already"


def test_the_start_date_moves_the_stage_to_started(project, ada):
    refused("started_on_required", "started_on", project_progress, project=project, by=ada,
            stage="started")  # fmt: skip
    with at("2025-07-20"):
        moved = project_progress(project=project, by=ada, started_on="2025-07-18")
        assert (moved.stage, moved.started_on) == (Stage.STARTED, date(2025, 7, 18))
        refused("stage_before_start", "stage", project_progress, project=project, by=ada,
                stage="approving")  # fmt: skip
        refused("date_in_future", "started_on", project_progress, project=project, by=ada,
                started_on="2025-08-01")  # fmt: skip
    assert project_progress(project=project, by=ada, stage="producing").stage == Stage.PRODUCING


def test_a_case_refused_then_applied_again_is_linked_again(project, ada, lin, investor):
    case, _ = case_submit(item="ZR001", applicant=investor, channel="window", submitted_by=lin,
                          materials=["M1"])  # fmt: skip
    approval = approval_add(project=project, item="ZR001", case_number=case.number, by=ada)
    act(lin, case, "reject", reason="材料不齐")
    again, _ = case_submit(item="ZR001", applicant=investor, channel="window", submitted_by=lin,
                           materials=["M1", "M2", "M3", "M4"])  # fmt: skip
    assert approval_update(approval=approval, case_number=again.number, by=ada).case == again


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once: PostgreSQL")
def test_two_projects_linking_one_case_at_once_get_one_link_and_one_conflict(lin, ada, investor, project):
    """Review of #13: the check and the save ran under different projects' locks, and half the
    races ended in an IntegrityError (a 500). The case row is locked now."""
    from conftest import race

    second = project_create(name="二期", investor=investor, county="371581", amount="1.00",
                            industry="food", signed_on=date(2025, 5, 6),
                            planned_start_on=date(2025, 7, 15), agent=ada, by=lin)  # fmt: skip
    for _ in range(4):
        case, _ = case_submit(item="ZR001", applicant=investor, channel="window", submitted_by=lin,
                              materials=["M1", "M2", "M3", "M4"])  # fmt: skip
        out = race([lambda p=p, n=case.number: approval_add(project=p, item="ZR001", case_number=n, by=lin)
                    for p in (project, second)])  # fmt: skip
        kinds = sorted(type(r).__name__ for r in out)
        assert kinds == ["Approval", "Conflict"], out
        assert [r.code for r in out if isinstance(r, Conflict)] == ["case_linked_elsewhere"]


def test_members_tasks_and_approvals_come_off_the_board_while_history_stays(project, ada, lin, hal):
    member_add(project=project, user=hal, duty="环评专员", by=lin)
    task = task_add(project=project, title="环评", responsible=hal, planned_on="2025-06-01", by=ada)
    with pytest.raises(Conflict) as e:
        member_remove(project=project, user="hal", by=ada)  # still holds the open task
    assert (e.value.code, e.value.field) == ("member_has_tasks", "user") and "环评" in e.value.message
    approval = approval_add(project=project, item="NY004", by=ada, task=task.pk)
    task_remove(task=task, by=ada)
    approval.refresh_from_db()
    assert approval.task_id is None  # the approval stays, without its task
    member_remove(project=project, user="hal", by=ada)
    assert not project.members.exists()
    with pytest.raises(NotFound):
        member_remove(project=project, user="hal", by=ada)
    approval_remove(approval=approval, by=ada)
    assert not project.approvals.exists()
    granted = approval_add(project=project, item="NY004", by=ada, outside={
        "issuing_body": "临清市农业农村局", "applied_on": "2025-05-10", "approved_on": "2025-05-20"})  # fmt: skip
    with pytest.raises(Conflict) as e:
        approval_remove(approval=granted, by=ada)
    assert e.value.code == "approval_granted"
    done = task_add(project=project, title="立项", responsible=ada, planned_on="2025-06-01", by=ada)
    task_done(task=done, by=ada)
    with pytest.raises(Conflict):
        task_remove(task=done, by=ada)
    events = set(AuditEntry.objects.filter(event__startswith="project.").values_list("event", flat=True))
    assert {"project.member_removed", "project.task_removed", "project.approval_removed"} <= events
