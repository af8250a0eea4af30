"""Who sees a key project and who may change it. Every face asks here.

A project is seen by its full-process agent (帮办专员), the members of its task force, the
supervisors and clerks of its county's office, the city's supervisors, and the investor's own
verified applicant account (read only). Anyone else is told it does not exist (404), never
that it is forbidden. It is changed (tasks, approvals, members, stage) by its agent, its
county's clerks and supervisors and the city's supervisors; a task-force member marks done
the tasks they are responsible for. Projects are registered by a county's clerks and
supervisors for their county, and by the city's supervisors for any."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from tongban.lib.errors import NotFound
from tongban.people.models import Role

from .models import Member, Project, Task

COUNTY_ROLES = (Role.CLERK, Role.SUPERVISOR)  # of the county's office: see and change
STAFF_ROLES = (Role.CLERK, Role.REVIEWER, Role.SECOND_REVIEWER, Role.SUPERVISOR, Role.AGENT)


def _city(user) -> bool:
    return user.role == Role.SUPERVISOR and user.is_city_supervisor


def projects_visible_q(user) -> Q | None:
    """project_visible() as a condition on projects; None: every project."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    if user.role == Role.APPLICANT:
        if user.own_applicant_id is None:
            return Q(pk__in=[])
        return Q(investor_id=user.applicant_id)
    if user.role not in STAFF_ROLES:
        return Q(pk__in=[])
    if _city(user):
        return None
    q = Q(agent_id=user.pk) | Q(pk__in=Member.objects.filter(user_id=user.pk).values("project_id"))
    if user.role in COUNTY_ROLES and user.office_id is not None:
        q |= Q(county_id=user.office_id)
    return q


def projects_visible(user) -> QuerySet:
    """The projects `user` may see, to filter further."""
    q = projects_visible_q(user)
    return Project.objects.all() if q is None else Project.objects.filter(q)


def project_visible(user, project: Project) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.role == Role.APPLICANT:
        return user.own_applicant_id is not None and project.investor_id == user.own_applicant_id
    if user.role not in STAFF_ROLES:
        return False
    if _city(user) or project.agent_id == user.pk or _county_staff(user, project):
        return True
    return Member.objects.filter(project_id=project.pk, user_id=user.pk).exists()


def _county_staff(user, project: Project) -> bool:
    return user.role in COUNTY_ROLES and user.office_id == project.county_id


def project_for(user, pk) -> Project:
    """Project `pk` with its investor, county and agent, if `user` may see it; NotFound
    (`project_not_found`) otherwise, whoever asks."""
    project = None
    if isinstance(pk, int) and 0 < pk < 2**31:
        project = (
            Project.objects.select_related("investor", "county", "agent").filter(pk=pk).first()
        )
    if project is None or not project_visible(user, project):
        raise NotFound(_("没有这个项目"), code="project_not_found")
    return project


def project_editable(user, project: Project) -> bool:
    """Whether `user` may change the project: add approvals, tasks and members, link cases,
    move its stage (its agent, the county's clerks and supervisors, the city's supervisors)."""
    if user is None or not user.is_authenticated or user.role not in STAFF_ROLES:
        return False
    return project.agent_id == user.pk or _city(user) or _county_staff(user, project)


def task_completable(user, task: Task, project: Project) -> bool:
    """Whether `user` may mark `task` done: whoever may change the project, and the person
    responsible for the task."""
    return project_editable(user, project) or (
        user.is_authenticated and task.responsible_id == user.pk
    )


def project_creatable(user, county) -> bool:
    """Whether `user` may register a project in `county` (an Office)."""
    if user is None or not user.is_authenticated:
        return False
    if _city(user):
        return True
    return user.role in COUNTY_ROLES and county is not None and user.office_id == county.pk


def may_register_projects(user) -> bool:
    """Whether `user` may register projects anywhere (the desk's 登记项目 link)."""
    return user.is_authenticated and (_city(user) or (
        user.role in COUNTY_ROLES and user.office_id is not None
        and not user.office.is_city))  # fmt: skip
