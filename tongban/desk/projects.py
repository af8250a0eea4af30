"""The desk's key-project pages (重点项目全程帮办): the county and city lists with their filters,
the agent's own list, registering a project, its board with the forms that add approvals,
tasks and task-force members and move it on, and the figures. The rules are
tongban.projects'; a refused change comes back to the board with the service's message."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tongban.catalog.selectors import item_choices
from tongban.lib.errors import DomainError, NotFound
from tongban.lib.forms import form_add_domain_error
from tongban.lib.http import client_ip
from tongban.lib.paging import page_number, page_rows
from tongban.offices.models import Office
from tongban.projects.access import (
    may_register_projects,
    project_editable,
    project_for,
    projects_visible,
)
from tongban.projects.models import Approval, Industry, Stage, Task
from tongban.projects.selectors import project_board, projects_figures, projects_list
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

from .access import desk_view

PAGE_SIZE = 50
DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


def _counties() -> list[tuple[str, str]]:
    counties = Office.objects.filter(level=Office.Level.COUNTY, external=False).order_by("code")
    return [(o.code, o.name) for o in counties]


class ProjectForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("项目名称"), max_length=200)
    investor = forms.CharField(label=gettext_lazy("投资方统一社会信用代码"), max_length=40,
                               help_text=gettext_lazy("投资企业须已登记为申请人（单位）"))  # fmt: skip
    county = forms.ChoiceField(label=gettext_lazy("所在县（市、区）"))
    amount = forms.DecimalField(
        label=gettext_lazy("投资额（万元）"), max_digits=12, decimal_places=2
    )
    industry = forms.ChoiceField(label=gettext_lazy("行业"), choices=Industry.choices)
    signed_on = forms.DateField(label=gettext_lazy("签约日期"), **DATE)
    planned_start_on = forms.DateField(label=gettext_lazy("计划开工日期"), **DATE)
    agent = forms.CharField(label=gettext_lazy("帮办专员账号"), max_length=150,
                            help_text=gettext_lazy("帮办代办员或窗口受理员的登录账号"))  # fmt: skip

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = counties


def _filters(request) -> dict:
    g = request.GET
    flag = {"1": True, "0": False}
    return {
        "county": g.get("county", "")[:6], "stage": g.get("stage", "") if g.get("stage") in Stage.values else "",
        "agent": g.get("agent", "")[:150], "industry": g.get("industry", "") if g.get("industry") in Industry.values else "",
        "blocked": flag.get(g.get("blocked", "")), "late": flag.get(g.get("late", "")),
    }  # fmt: skip


def _list(request, *, mine: bool):
    user = request.user
    f = _filters(request)
    page = page_number(request.GET.get("page"))
    qs = projects_list(user, county=f["county"] or None, stage=f["stage"], agent=f["agent"] or None,
                       industry=f["industry"], blocked=f["blocked"], late=f["late"], mine=mine)  # fmt: skip
    rows, has_next = page_rows(qs, page, PAGE_SIZE)
    query = urlencode({k: ("1" if v is True else "0" if v is False else v)
                       for k, v in f.items() if v not in ("", None)})  # fmt: skip
    return render(request, "desk/projects.html", {
        "rows": rows, "page": page, "has_next": has_next, "filters": f, "query": query,
        "filtered": bool(query), "mine": mine, "counties": _counties(), "stages": Stage.choices,
        "industries": Industry.choices, "may_register": may_register_projects(user),
    })  # fmt: skip


@desk_view
def projects(request):
    return _list(request, mine=False)


@desk_view
def projects_mine(request):
    return _list(request, mine=True)


@desk_view
def project_new(request):
    user = request.user
    if not may_register_projects(user):
        raise PermissionDenied(_("重点项目由县级窗口受理员、科长或市级科长登记"))
    counties = _counties()
    if not user.is_city_supervisor:
        counties = [c for c in counties if c[0] == user.office.code]
    form = ProjectForm(request.POST if request.method == "POST" else None, counties=counties,
                       initial={"county": counties[0][0] if counties else ""})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            project = project_create(**form.cleaned_data, by=user, ip=client_ip(request))
        except DomainError as e:
            form_add_domain_error(form, e)
        else:
            messages.success(request, _("项目已登记：%(name)s") % {"name": project.name})
            return redirect("desk:project", project.pk)
    status = 400 if form.errors else 200
    return render(request, "desk/project_new.html", {"form": form}, status=status)


@desk_view
def project(request, pk: int):
    project = project_for(request.user, pk)
    board = project_board(project)
    editable = project_editable(request.user, project)
    return render(request, "desk/project.html", {
        "project": project, "board": board, "editable": editable, "stages": Stage.choices,
        "items": item_choices() if editable else [],
    })  # fmt: skip


def _changed(request, pk: int, change) -> object:
    """Run `change(project)` for a POST from the board; back to the board with its outcome."""
    project = project_for(request.user, pk)  # 404 for whoever may not see it
    try:
        change(project)
    except NotFound:
        raise
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("已保存"))
    return redirect(reverse("desk:project", args=[pk]))


def _outside(post) -> dict | None:
    if not post.get("issuing_body", "").strip():
        return None
    return {k: post.get(k, "") or None for k in ("issuing_body", "applied_on", "approved_on",
                                                   "reference")}  # fmt: skip


@require_POST
@desk_view
def project_approval_add(request, pk: int):
    p = request.POST

    def change(project):
        approval_add(project=project, item=p.get("item", ""), task=_int(p.get("task")),
                     case_number=p.get("case", "").strip() or None, outside=_outside(p),
                     by=request.user, ip=client_ip(request))  # fmt: skip

    return _changed(request, pk, change)


@require_POST
@desk_view
def project_approval_update(request, pk: int, approval_pk: int):
    p = request.POST

    def change(project):
        approval = Approval.objects.filter(pk=approval_pk, project_id=project.pk).first()
        if approval is None:
            raise NotFound(_("项目没有这个审批事项"), code="approval_not_found")
        approval_update(approval=approval, case_number=p.get("case", "").strip() or None,
                        outside=_outside(p), by=request.user, ip=client_ip(request))  # fmt: skip

    return _changed(request, pk, change)


@require_POST
@desk_view
def project_task_add(request, pk: int):
    p = request.POST
    return _changed(request, pk, lambda project: task_add(
        project=project, title=p.get("title", ""), responsible=p.get("responsible", ""),
        planned_on=p.get("planned_on", ""), by=request.user, ip=client_ip(request)))  # fmt: skip


@require_POST
@desk_view
def project_task_done(request, pk: int, task_pk: int):
    def change(project):
        task = Task.objects.filter(pk=task_pk, project_id=project.pk).first()
        if task is None:
            raise NotFound(_("项目没有这个任务"), code="task_not_found")
        task_done(task=task, by=request.user, done_on=request.POST.get("done_on") or None,
                  ip=client_ip(request))  # fmt: skip

    return _changed(request, pk, change)


@require_POST
@desk_view
def project_member_add(request, pk: int):
    p = request.POST
    return _changed(request, pk, lambda project: member_add(
        project=project, user=p.get("user", ""), duty=p.get("duty", ""), by=request.user,
        ip=client_ip(request)))  # fmt: skip


@require_POST
@desk_view
def project_member_remove(request, pk: int):
    return _changed(request, pk, lambda project: member_remove(
        project=project, user=request.POST.get("user", ""), by=request.user, ip=client_ip(request)))  # fmt: skip


@require_POST
@desk_view
def project_task_remove(request, pk: int, task_pk: int):
    def change(project):
        task = Task.objects.filter(pk=task_pk, project_id=project.pk).first()
        if task is None:
            raise NotFound(_("项目没有这个任务"), code="task_not_found")
        task_remove(task=task, by=request.user, ip=client_ip(request))

    return _changed(request, pk, change)


@require_POST
@desk_view
def project_approval_remove(request, pk: int, approval_pk: int):
    def change(project):
        approval = Approval.objects.filter(pk=approval_pk, project_id=project.pk).first()
        if approval is None:
            raise NotFound(_("项目没有这个审批事项"), code="approval_not_found")
        approval_remove(approval=approval, by=request.user, ip=client_ip(request))

    return _changed(request, pk, change)


@require_POST
@desk_view
def project_progress_view(request, pk: int):
    p = request.POST
    return _changed(request, pk, lambda project: project_progress(
        project=project, stage=p.get("stage") or None, started_on=p.get("started_on") or None,
        planned_start_on=p.get("planned_start_on") or None, agent=p.get("agent") or None,
        by=request.user, ip=client_ip(request)))  # fmt: skip


@desk_view
def project_figures(request):
    figures = projects_figures(projects_visible(request.user))
    return render(request, "desk/project_figures.html", {"figures": figures})


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return -1  # no such task: the service says so
