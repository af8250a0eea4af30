"""The demo's key projects (`tongban demo`): three projects whose approvals cross departments,
followed by the demo's agents, one of them blocked today. Everything goes through the real
services (cases applied for at the county window, accepted, reviewed by the departments' own
reviewers), so the boards show what a real one would."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tongban.cases.services import case_act, case_submit
from tongban.catalog.models import ItemVersion
from tongban.lib.identifiers import synthetic_uscc
from tongban.people.models import User
from tongban.people.services import applicant_upsert

from .models import Project
from .services import (
    approval_add,
    member_add,
    project_create,
    project_progress,
    task_add,
    task_done,
)


def _u(username: str) -> User:
    return User.objects.select_related("office").get(username=username)


def _case(clerk: User, investor, item: str, *, act: list[tuple[str, str, dict]] = ()):
    """A window application of `item` by `investor` with every material, accepted by `clerk`,
    then the actions `act` ((username, action, params)) in turn."""
    version = ItemVersion.objects.filter(item__code=item).order_by("-number").first()
    case, _ = case_submit(item=item, applicant=investor, channel="window", submitted_by=clerk,
                          materials=version.material_codes)  # fmt: skip
    case_act(number=case.number, action="accept", actor=clerk)
    for username, action, params in act:
        case_act(number=case.number, action=action, actor=_u(username), **params)
    return case


@transaction.atomic
def projects_demo() -> list[str]:
    """Make the demo's projects once; returns a line about each one made."""
    if Project.objects.exists() or not User.objects.filter(username="reviewer-371581-zr").exists():
        return []
    today = timezone.localdate()
    days = lambda n: today + timedelta(days=n)  # noqa: E731
    clerk, agent = _u("clerk-371581"), _u("agent-371581")
    made = []

    # 1. Blocked: the 环评 waits for the investor's supplement, the 消防设计 task is late and its
    # approval not applied for; 用地预审 is at 自然资源局's review.
    bearing = applicant_upsert(id_number=synthetic_uscc(region="371581", seq=31),
                               name="临清演示轴承有限公司", insured_region="371581", kind="employer")  # fmt: skip
    p = project_create(name="临清轴承产业园二期（演示）", investor=bearing, county="371581",
                       amount="32000", industry="manufacturing", signed_on=days(-60),
                       planned_start_on=days(45), agent=agent, by=clerk)  # fmt: skip
    member_add(project=p, user=_u("reviewer-371581-zr"), duty="用地专员", by=clerk)
    member_add(project=p, user=_u("reviewer-371581-hj"), duty="环评专员", by=clerk)
    member_add(project=p, user=_u("reviewer-371581-zj"), duty="建设专员", by=clerk)
    filing = task_add(project=p, title="企业投资项目备案", responsible=agent, planned_on=days(-50), by=clerk)
    land = task_add(project=p, title="办理用地预审与选址", responsible=_u("reviewer-371581-zr"),
                    planned_on=days(-20), by=clerk)  # fmt: skip
    env = task_add(project=p, title="完成环评报告表审批", responsible=_u("reviewer-371581-hj"),
                   planned_on=days(10), by=clerk)  # fmt: skip
    fire = task_add(project=p, title="提交消防设计文件", responsible=_u("reviewer-371581-zj"),
                    planned_on=days(-5), by=clerk)  # fmt: skip
    permit = task_add(project=p, title="申请施工许可", responsible=agent, planned_on=days(40), by=clerk)
    task_done(task=filing, by=agent, done_on=days(-52))
    task_done(task=land, by=agent, done_on=days(-18))
    approval_add(project=p, item="FG001", task=filing.pk, by=agent,
                 case_number=_case(clerk, bearing, "FG001").number)  # fmt: skip
    approval_add(project=p, item="ZR002", by=agent, outside={
        "issuing_body": "临清市自然资源局（线下）", "applied_on": days(-40), "approved_on": days(-30),
        "reference": "地字第371581（演示）001号"})  # fmt: skip
    approval_add(project=p, item="ZR001", task=land.pk, by=agent,
                 case_number=_case(clerk, bearing, "ZR001").number)  # fmt: skip
    approval_add(project=p, item="HJ001", task=env.pk, by=agent, case_number=_case(
        clerk, bearing, "HJ001", act=[("reviewer-371581-hj", "request_supplement",
                                      {"missing_materials": ["M2"], "reason": "报告表缺少监测数据"})],
    ).number)  # fmt: skip
    approval_add(project=p, item="ZJ002", task=fire.pk, by=agent)
    approval_add(project=p, item="ZJ001", task=permit.pk, by=agent)
    made.append(f"{p.name}: blocked (环评 awaiting supplement, 消防设计 not applied, a task late); "
                "agent-371581, /desk/projects/")  # fmt: skip

    # 2. On track: agriculture approvals, one approved through both of 农业农村局's steps.
    farm = applicant_upsert(id_number=synthetic_uscc(region="371581", seq=32),
                            name="临清演示牧业有限公司", insured_region="371581", kind="employer")  # fmt: skip
    p = project_create(name="临清现代畜牧示范园（演示）", investor=farm, county="371581",
                       amount="8600", industry="agriculture", signed_on=days(-30),
                       planned_start_on=days(60), agent=agent, by=clerk)  # fmt: skip
    member_add(project=p, user=_u("reviewer-371581-ny"), duty="农业审批专员", by=clerk)
    task = task_add(project=p, title="办理动物防疫条件合格证", responsible=_u("reviewer-371581-ny"),
                    planned_on=days(20), by=clerk)  # fmt: skip
    approval_add(project=p, item="NY004", task=task.pk, by=agent,
                 case_number=_case(clerk, farm, "NY004").number)  # fmt: skip
    approval_add(project=p, item="NY002", by=agent, case_number=_case(clerk, farm, "NY002", act=[
        ("reviewer-371581-ny", "approve", {}), ("second-reviewer-371581-ny", "approve", {})]).number)  # fmt: skip
    approval_add(project=p, item="HJ003", by=agent,
                 case_number=_case(clerk, farm, "HJ003").number)  # fmt: skip
    made.append(f"{p.name}: on track, 农业农村 and 生态环境 approvals")

    # 3. Started, in 莘县, followed by agent-371522.
    clerk, agent = _u("clerk-371522"), _u("agent-371522")
    food = applicant_upsert(id_number=synthetic_uscc(region="371522", seq=33),
                            name="莘县演示食品有限公司", insured_region="371522", kind="employer")  # fmt: skip
    p = project_create(name="莘县食品产业园（演示）", investor=food, county="371522", amount="5200",
                       industry="food", signed_on=days(-90), planned_start_on=days(-20),
                       agent=agent, by=clerk)  # fmt: skip
    approval_add(project=p, item="FG001", by=agent, case_number=_case(clerk, food, "FG001").number)
    approval_add(project=p, item="SJ004", by=agent, case_number=_case(clerk, food, "SJ004").number)
    project_progress(project=p, by=agent, started_on=days(-15))
    made.append(f"{p.name}: started, agent-371522")
    return made
