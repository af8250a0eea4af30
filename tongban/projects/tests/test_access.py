"""Who sees a project (projects.access): its agent, its task force, its county's clerks and
supervisors, the city's supervisors, the investor's verified account; anyone else gets 404."""

import pytest

from conftest import _user
from tongban.lib.errors import Forbidden, NotFound
from tongban.lib.identifiers import synthetic_uscc
from tongban.people.models import Role
from tongban.people.services import applicant_upsert
from tongban.projects.access import project_for, projects_visible
from tongban.projects.services import member_add, task_add, task_done

from .conftest import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(project, ada, lin, hal, ivy):
    member_add(project=project, user=hal, duty="环评专员", by=lin)
    other = applicant_upsert(id_number=synthetic_uscc(region="371581", seq=12), name="别家公司",
                             insured_region="371581", kind="employer")  # fmt: skip
    return {
        "agent": ada, "county clerk": lin, "member": hal, "investor": ivy,
        "county supervisor": staff("sup", Role.SUPERVISOR),
        "city supervisor": staff("vera", Role.SUPERVISOR, "371500"),
        "other county's clerk": staff("bob", Role.CLERK, "371522"),
        "other county's supervisor": staff("olga", Role.SUPERVISOR, "371522"),
        "reviewer not in the task force": staff("rita", Role.REVIEWER),
        "another agent": staff("dave", Role.AGENT),
        "another employer": _user("erin", Role.APPLICANT, applicant=other),
        "auditor": _user("aud", Role.AUDITOR),
    }  # fmt: skip


SEES = {"agent", "county clerk", "member", "investor", "county supervisor", "city supervisor"}


def test_who_sees_the_project(project, cast):
    for who, user in cast.items():
        listed = projects_visible(user).filter(pk=project.pk).exists()
        if who in SEES:
            assert project_for(user, project.pk) == project, who
            assert listed, who
        else:
            with pytest.raises(NotFound) as e:
                project_for(user, project.pk)
            assert e.value.code == "project_not_found", who
            assert not listed, who


def test_an_unverified_investor_account_sees_nothing(project, ivy):
    ivy.verified_at = None
    ivy.save()
    with pytest.raises(NotFound):
        project_for(ivy, project.pk)


def test_only_the_agent_and_county_staff_change_it_a_member_marks_their_own_task(project, cast):
    ada, hal, lin = cast["agent"], cast["member"], cast["county clerk"]
    with pytest.raises(Forbidden) as e:
        task_add(project=project, title="x", responsible=hal, planned_on="2030-01-01", by=hal)
    assert e.value.code == "project_forbidden"
    with pytest.raises(NotFound):  # an outsider is not told the project exists
        task_add(project=project, title="x", responsible=hal, planned_on="2030-01-01",
                 by=cast["other county's clerk"])  # fmt: skip
    with pytest.raises(Forbidden):
        task_add(project=project, title="x", responsible=hal, planned_on="2030-01-01",
                 by=cast["investor"])  # fmt: skip
    theirs = task_add(
        project=project, title="环评", responsible=hal, planned_on="2030-01-01", by=ada
    )
    others = task_add(
        project=project, title="施工", responsible=ada, planned_on="2030-01-01", by=lin
    )
    with pytest.raises(Forbidden):
        task_done(task=others, by=hal)
    assert task_done(task=theirs, by=hal).done_by == hal
