"""The portal's 帮办代办 pages: the agent points of each county (anyone may look), and home
visits (上门办) a person asks for, follows and calls off. The rules are
tongban.cases.visits' and tongban.offices.selectors'."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from tongban.cases.visits import visit_cancel, visit_for, visit_request, visits_visible
from tongban.catalog.selectors import item_choices
from tongban.lib.errors import DomainError
from tongban.lib.forms import form_add_domain_error
from tongban.lib.http import client_ip
from tongban.offices.models import Office
from tongban.offices.selectors import agent_points_listed
from tongban.people.models import Role

from .access import portal_login_required
from .forms import VisitForm


def agent_points(request):
    """Every agent point in use, by county; ?office= narrows to one county."""
    counties = list(Office.objects.filter(external=False, level=Office.Level.COUNTY).order_by("code"))
    chosen = next((o for o in counties if o.code == request.GET.get("office")), None)
    points = list(agent_points_listed(office=chosen))
    by_office: dict = {}
    for p in points:
        by_office.setdefault(p.office, []).append(p)
    return render(request, "portal/agent_points.html", {
        "counties": counties, "chosen": chosen, "by_office": list(by_office.items()),
    })  # fmt: skip


@portal_login_required
def visits(request):
    user = request.user
    form = None
    if user.role == Role.APPLICANT and user.applicant_id:
        posted = request.method == "POST"
        initial = {"office": user.applicant.insured_region.code, "phone": user.applicant.phone}
        form = VisitForm(request.POST if posted else None, initial=initial, items=item_choices())
        if posted and form.is_valid():
            d = form.cleaned_data
            try:
                visit_request(by=user, office=d["office"], address=d["address"], phone=d["phone"],
                              preferred_date=d["preferred_date"],
                              preferred_period=d["preferred_period"], items=d["items"],
                              note=d["note"], ip=client_ip(request))  # fmt: skip
            except DomainError as e:
                if e.status != 400:
                    raise
                form_add_domain_error(form, e)
            else:
                messages.success(request, pgettext("portal", "已收到您的上门服务申请，经办机构派出代办员后会与您联系"))
                return redirect("portal:visits")
    elif request.method == "POST":
        raise PermissionDenied(pgettext("portal", "上门服务由申请人本人申请"))
    rows = list(visits_visible(user)[:100])
    status = 400 if form is not None and form.errors else 200
    return render(request, "portal/visits.html", {"form": form, "rows": rows}, status=status)


@require_POST
@portal_login_required
def visit_cancel_view(request, pk: int):
    visit = visit_for(request.user, pk)
    try:
        visit_cancel(visit=visit, by=request.user, ip=client_ip(request))
    except DomainError as e:
        if e.status == 404:
            raise
        messages.error(request, e.message)
    else:
        messages.success(request, pgettext("portal", "已取消上门服务申请"))
    return redirect("portal:visits")
