"""The board of a project whose approvals cross five departments, against answers worked out
by hand (projects.selectors.approval_blocker_rules says the rules).

On Monday 16 June 2025 (端午: 31 May – 2 June):
  A1 ZR001 用地预审与选址 (自然资源): accepted Mon 26 May; 10 working days from 27 May,
     skipping 2 June, end on Tue 10 June -> overdue, held by 自然资源局's 审查 reviewer.
  A2 HJ001 环评报告表 (生态环境): accepted, then the reviewer asked for a supplement ->
     waits for the applicant.
  A3 FG001 企业投资项目备案 (发改): instant, finished at the window -> approved.
  A4 ZJ001 施工许可 (住建): not applied, its task T3 is planned for 10 July -> not blocking.
  A5 ZJ002 消防设计审查 (住建): not applied, its task T5 was planned for 12 June -> blocking.
  A6 SJ001 食品经营许可 (市场监管), outside: applied 1 June, no decision -> not blocking.
  A7 ZR002 建设用地规划许可 (自然资源), outside: approved 30 May -> approved.
  Tasks: T1 done on time; T2 (环评, planned 10 June) and T5 (12 June) late; T3 (10 July) on
  the path; T4 (消防验收准备, 20 July) after the planned start of 15 July -> highlighted.
  Working days from 16 June to 15 July: 10 in June (17–30) and 11 in July (1–15) = 21."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import act
from tongban.cases.services import case_submit
from tongban.projects.models import Approval
from tongban.projects.selectors import project_board, projects_list
from tongban.projects.services import approval_add, member_add, task_add, task_done

from .conftest import at

pytestmark = pytest.mark.django_db
MATERIALS = {"ZR001": ["M1", "M2", "M3", "M4"], "HJ001": ["M1", "M2", "M3"], "FG001": ["M1", "M2"]}


def window_case(clerk, investor, item):
    case, _ = case_submit(item=item, applicant=investor, channel="window", submitted_by=clerk,
                          materials=MATERIALS[item])  # fmt: skip
    return act(clerk, case, "accept")


@pytest.fixture
def worked(project, lin, ada, zoe, hal, investor):
    """The project above, built through the services on the days named."""
    with at("2025-05-07"):
        member_add(project=project, user=hal, duty="环评专员", by=lin)
        member_add(project=project, user=zoe, duty="用地专员", by=lin)
        t1 = task_add(project=project, title="办理用地预审", responsible=ada,
                      planned_on=date(2025, 5, 20), by=ada)  # fmt: skip
        t2 = task_add(project=project, title="完成环评审批", responsible=hal,
                      planned_on=date(2025, 6, 10), by=ada)  # fmt: skip
        t3 = task_add(project=project, title="申请施工许可", responsible=ada,
                      planned_on=date(2025, 7, 10), by=ada)  # fmt: skip
        t4 = task_add(project=project, title="消防验收准备", responsible=ada,
                      planned_on=date(2025, 7, 20), by=ada)  # fmt: skip
        t5 = task_add(project=project, title="提交消防设计文件", responsible=ada,
                      planned_on=date(2025, 6, 12), by=ada)  # fmt: skip
    with at("2025-05-19"):
        task_done(task=t1, by=ada)
    with at("2025-05-26"):
        zr = window_case(lin, investor, "ZR001")
        hj = window_case(lin, investor, "HJ001")
        fg = window_case(lin, investor, "FG001")
    with at("2025-05-28"):
        act(hal, hj, "request_supplement", missing_materials=["M2"], reason="报告表缺少监测数据")
    with at("2025-06-03"):
        a = {
            "A1": approval_add(project=project, item="ZR001", case_number=zr.number, task=t1.pk, by=ada),
            "A2": approval_add(project=project, item="HJ001", case_number=hj.number, task=t2.pk, by=ada),
            "A3": approval_add(project=project, item="FG001", case_number=fg.number, by=ada),
            "A4": approval_add(project=project, item="ZJ001", task=t3.pk, by=ada),
            "A5": approval_add(project=project, item="ZJ002", task=t5.pk, by=ada),
            "A6": approval_add(project=project, item="SJ001", by=ada, outside={
                "issuing_body": "临清市市场监督管理局", "applied_on": "2025-06-01"}),
            "A7": approval_add(project=project, item="ZR002", by=ada, outside={
                "issuing_body": "临清市自然资源局", "applied_on": "2025-05-20",
                "approved_on": "2025-05-30", "reference": "地字第371581202500017号"}),
        }  # fmt: skip
    return {"approvals": a, "tasks": {"T1": t1, "T2": t2, "T3": t3, "T4": t4, "T5": t5},
            "cases": {"zr": zr, "hj": hj, "fg": fg}}  # fmt: skip


def test_the_blockers_are_the_hand_worked_ones(project, worked):
    with at("2025-06-16"):
        board = project_board(project)
    a, t = worked["approvals"], worked["tasks"]
    assert [(b.kind, b.approval or b.task) for b in board.blockers] == [
        ("overdue", a["A1"]), ("supplement", a["A2"]), ("not_applied", a["A5"]),
        ("task_late", t["T2"]), ("task_late", t["T5"]),
    ]  # fmt: skip
    assert board.blocked


def test_each_approval_shows_its_case_state_deadline_and_holder(project, worked):
    with at("2025-06-16"):
        board = project_board(project)
    rows = {r.approval.item.code: r for r in board.approvals}
    assert {r.approval.item.department for r in board.approvals} == {
        "自然资源局", "生态环境局", "发展和改革局", "住房和城乡建设局", "市场监督管理局"}  # fmt: skip
    zr = rows["ZR001"]
    assert (zr.state, zr.deadline, zr.blocker) == ("accepted", date(2025, 6, 10), "overdue")
    assert zr.approval.case.number == worked["cases"]["zr"].number
    assert zr.holder.endswith("自然资源局 · 审查 · 审核员")
    assert (rows["HJ001"].state, rows["HJ001"].holder, rows["HJ001"].deadline) == (
        "awaiting_supplement", "申请人", None)  # the clock stands still  # fmt: skip
    assert (rows["FG001"].state, rows["FG001"].done, rows["FG001"].holder) == ("approved", True, "")
    assert (rows["ZJ001"].state, rows["ZJ001"].blocker) == ("not_applied", "")
    assert rows["ZJ001"].holder == "待申请（ada）"
    assert (rows["SJ001"].state, rows["SJ001"].holder, rows["SJ001"].blocker) == (
        "outside_running", "临清市市场监督管理局", "")  # fmt: skip
    assert (rows["ZR002"].state, rows["ZR002"].done) == ("outside_approved", True)
    assert board.counts == {"approvals": 7, "approved": 2, "in_tongban": 3, "outside": 2,
                            "tasks": 5, "tasks_done": 1}  # fmt: skip


def test_the_path_to_the_start_highlights_the_late_tasks(project, worked):
    with at("2025-06-16"):
        board = project_board(project)
    path = [(r.task.title, r.late, r.after_start, r.highlighted) for r in board.tasks]
    assert path == [
        ("办理用地预审", False, False, False),
        ("完成环评审批", True, False, True),
        ("提交消防设计文件", True, False, True),
        ("申请施工许可", False, False, False),
        ("消防验收准备", False, True, True),
    ]
    assert board.workdays_to_start == 21


def test_blockers_clear_as_the_work_is_done(project, worked, lin, zoe, ada, investor):
    a, t = worked["approvals"], worked["tasks"]
    with at("2025-06-17"):
        act(zoe, worked["cases"]["zr"], "approve")  # on to 审批: still overdue
        case_submit(item="HJ001", applicant=investor, channel="window", submitted_by=lin,
                    materials=["M1"], idempotency_key="x")  # another case: not linked  # fmt: skip
        task_done(task=t["T5"], by=ada)
        board = project_board(project)
    kinds = [(b.kind, b.approval or b.task) for b in board.blockers]
    assert kinds == [("overdue", a["A1"]), ("supplement", a["A2"]), ("not_applied", a["A5"]),
                     ("task_late", t["T2"])]  # fmt: skip
    assert board.approvals[0].holder.endswith("自然资源局 · 审批 · 复审员")


def test_a_refused_case_blocks_until_a_new_one_is_linked(project, worked, lin, ada, investor):
    from tongban.projects.services import approval_update

    a = worked["approvals"]
    with at("2025-06-16"):
        act(lin, worked["cases"]["hj"], "withdraw", reason="重新编制报告表")
        board = project_board(project)
        assert ("refused", a["A2"]) in [(b.kind, b.approval) for b in board.blockers]
        again, _ = case_submit(item="HJ001", applicant=investor, channel="window",
                               submitted_by=lin, materials=["M1", "M2", "M3"])  # fmt: skip
        approval_update(approval=a["A2"], case_number=again.number, by=ada)
        board = project_board(project)
    row = next(r for r in board.approvals if r.approval.pk == a["A2"].pk)
    assert (row.state, row.blocker, row.approval.case.number) == ("submitted", "", again.number)


def test_the_lists_blocked_filter_asks_the_same_rules(project, worked, lin, ada, investor):
    with at("2025-06-16"):
        other = type(project).objects.get(pk=project.pk)
        other.pk = None
        other.name = "无阻碍项目"
        other.save()
        blocked = [p.name for p in projects_list(lin, blocked=True)]
        clear = [p.name for p in projects_list(lin, blocked=False)]
        rows = {p.name: p for p in projects_list(lin)}
    assert blocked == ["临清轴承产业园二期"] and clear == ["无阻碍项目"]
    assert rows["临清轴承产业园二期"].is_blocked and not rows["无阻碍项目"].is_blocked
    assert (
        rows["临清轴承产业园二期"].approvals_count,
        rows["临清轴承产业园二期"].approved_count,
    ) == (7, 2)


def test_the_boards_queries_do_not_grow_with_its_approvals(project, worked, ada, investor, lin):
    def queries():
        with at("2025-06-16"), CaptureQueriesContext(connection) as captured:
            board = project_board(project)
            [(r.holder, r.state, r.approval.item.name, r.approval.task) for r in board.approvals]
            [(r.task.responsible.username, r.highlighted) for r in board.tasks]
            [m.user.office for m in board.members]
        return len(captured)

    before = queries()
    with at("2025-06-03"):
        for item in ("ZR001", "HJ001", "FG001"):
            for _ in range(4):
                case = window_case(lin, investor, item)
                approval_add(project=project, item=item, case_number=case.number,
                             task=worked["tasks"]["T3"].pk, by=ada)  # fmt: skip
    assert Approval.objects.filter(project=project).count() == 19
    assert queries() == before <= 5
