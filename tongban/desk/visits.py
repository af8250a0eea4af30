"""The desk's 上门办 page: a clerk records a visit a person asked for by phone or at the
window; the office's clerks and supervisors send an agent; the agent sent sees the visits in
their queue and records each done or not done. The rules are tongban.cases.visits'."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.cases.models import HomeVisit
from tongban.cases.visits import (
    visit_assign,
    visit_cancel,
    visit_close,
    visit_for,
    visit_phone_shown,
    visit_request,
    visits_visible,
)
from tongban.catalog.selectors import item_choices
from tongban.lib.errors import DomainError
from tongban.lib.forms import form_add_domain_error
from tongban.lib.http import client_ip
from tongban.lib.paging import page_number, page_rows
from tongban.people.models import Role, User

from .access import desk_view
from .forms import VisitRequestForm

PAGE_SIZE = 50
OPEN = [HomeVisit.Status.REQUESTED, HomeVisit.Status.ASSIGNED]


def agents_of(office_id: int):
    """Whom the office can send: its agents (by their agent point or office) and the clerks
    stationed at its agent points."""
    return (
        User.objects.filter(is_active=True, role__in=[Role.AGENT, Role.CLERK])
        .filter(agent_point__office_id=office_id)
        .union(User.objects.filter(is_active=True, role=Role.AGENT, office_id=office_id))
        .order_by("username")
    )


@desk_view
def visits(request):
    user = request.user
    form = None
    if user.role == Role.CLERK:
        posted = request.method == "POST"
        form = VisitRequestForm(request.POST if posted else None, items=item_choices())
        if posted and form.is_valid():
            d = form.cleaned_data
            person = {"id_number": d["id_number"], "name": d["name"],
                      "insured_region": d["insured_region"]}  # fmt: skip
            try:
                visit = visit_request(
                    by=user, applicant=person, channel=d["channel"], address=d["address"],
                    phone=d["phone"], preferred_date=d["preferred_date"],
                    preferred_period=d["preferred_period"], items=d["items"], note=d["note"],
                    ip=client_ip(request),
                )  # fmt: skip
            except DomainError as e:
                form_add_domain_error(form, e, {"applicant.id_number": "id_number",
                                                "applicant.name": "name",
                                                "applicant.insured_region": "insured_region",
                                                "applicant.phone": "phone"})  # fmt: skip
            else:
                messages.success(request, _("已登记上门服务申请（%(name)s），请派单") % {
                    "name": visit.applicant.name})  # fmt: skip
                return redirect("desk:visits")
    elif request.method == "POST":
        raise PermissionDenied(_("只有窗口受理员登记上门服务"))
    shown = request.GET.get("status") or "open"
    qs = visits_visible(user)
    if shown == "open":
        qs = qs.filter(status__in=OPEN)
    elif shown in HomeVisit.Status.values:
        qs = qs.filter(status=shown)
    page = page_number(request.GET.get("page"))
    rows, has_next = page_rows(qs, page, PAGE_SIZE)
    for v in rows:
        v.phone_shown = visit_phone_shown(user, v)
    dispatcher = user.role in (Role.CLERK, Role.SUPERVISOR) and user.office_id
    status = 400 if form is not None and form.errors else 200
    return render(request, "desk/visits.html", {
        "form": form, "rows": rows, "page": page, "has_next": has_next, "shown": shown,
        "statuses": HomeVisit.Status.choices,
        "agents": list(agents_of(user.office_id)) if dispatcher else [],
    }, status=status)  # fmt: skip


@require_POST
@desk_view
def visit_step(request, pk: int, step: str):
    """assign (agent=…), close (done=1|0, note) or cancel (note), as the service allows."""
    visit = visit_for(request.user, pk)
    post, by, ip = request.POST, request.user, client_ip(request)
    try:
        if step == "assign":
            visit_assign(visit=visit, agent=post.get("agent", ""), by=by, ip=ip)
            messages.success(request, _("已派单"))
        elif step == "close":
            visit_close(visit=visit, done=post.get("done") == "1", note=post.get("note", ""),
                        by=by, ip=ip)  # fmt: skip
            messages.success(request, _("已登记上门结果"))
        elif step == "cancel":
            visit_cancel(visit=visit, by=by, note=post.get("note", ""), ip=ip)
            messages.success(request, _("已取消"))
        else:
            raise Http404("没有这个操作")
    except DomainError as e:
        if e.status == 404:
            raise
        messages.error(request, e.message)
    return redirect("desk:visits")
