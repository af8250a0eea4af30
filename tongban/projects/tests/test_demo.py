"""The demo's key projects: approvals across departments, one blocked, made once."""

import pytest

from tongban.catalog.seed import departments
from tongban.people.demo import people_demo
from tongban.projects.demo import projects_demo
from tongban.projects.models import Project
from tongban.projects.selectors import project_board

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_blocked_project_across_departments(city):
    people_demo(password="Pw-test-12345", departments=departments())
    assert len(projects_demo()) == 3
    assert projects_demo() == []  # once
    blocked = Project.objects.get(name="临清轴承产业园二期（演示）")
    board = project_board(blocked)
    assert blocked.agent.username == "agent-371581"
    assert len({r.approval.item.department for r in board.approvals}) >= 3
    assert {b.kind for b in board.blockers} == {"supplement", "not_applied", "task_late"}
    assert not project_board(Project.objects.get(name="临清现代畜牧示范园（演示）")).blocked
