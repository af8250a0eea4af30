"""一件事 at the desk: the bundles, a bundle's window application (one form, one list of
materials, one decision for every item), and the bundle's page (its status, cases and
notices; accept in one step, one supplement notice, hand the supplement in, withdraw)."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.cases.access import bundle_for
from tongban.cases.models import BundleApplication, Case, Status
from tongban.cases.selectors import bundle_status
from tongban.cases.services import (
    bundle_accept,
    bundle_apply,
    bundle_reject,
    bundle_request_supplement,
    bundle_supplement,
    bundle_withdraw,
    case_act,
)
from tongban.catalog.models import Bundle, Channel
from tongban.catalog.services import bundle_spec
from tongban.lib.errors import DomainError
from tongban.lib.forms import form_add_domain_error
from tongban.lib.http import client_ip
from tongban.people.models import Role
from tongban.people.services import contact_code_checked
from tongban.stats.selectors import bundle_figures

from .access import clerks_only, desk_view
from .forms import BundleApplyForm


@desk_view
def bundles(request):
    """The bundles to apply for at the window, and the bundles the clerk's office holds."""
    user = request.user
    held = []
    if user.office_id:
        held = list(BundleApplication.objects.filter(office_id=user.office_id)
                    .select_related("bundle", "applicant").order_by("-submitted_at")[:50])  # fmt: skip
        by_pk = {a.pk: a for a in held}
        for a in held:
            a.case_list = []
        for case in Case.objects.filter(bundle_application__in=held).select_related("item", "item_version"):
            by_pk[case.bundle_application_id].case_list.append(case)
        for a in held:
            a.state = bundle_status(a.case_list)
    return render(request, "desk/bundles.html", {
        "bundles": Bundle.objects.prefetch_related("items").order_by("code"),
        "held": held, "can_apply": user.role == Role.CLERK,
        "figures": bundle_figures(office=user.office if user.office_id else None),
    })  # fmt: skip


@desk_view
def bundle_apply_view(request, code: str):
    clerks_only(request.user)
    bundle = get_object_or_404(Bundle, code=code)
    try:
        spec = bundle_spec(bundle)
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("desk:bundles")
    at_point = request.user.agent_point_id is not None
    status = 200
    if request.method == "POST":
        form = BundleApplyForm(request.POST, spec=spec, at_agent_point=at_point)
        if form.is_valid():
            try:
                application = _apply(request, bundle, form)
            except DomainError as e:
                form_add_domain_error(form, e)
            else:
                return redirect("desk:bundle", application.number)
        status = 400
    else:
        form = BundleApplyForm(spec=spec, at_agent_point=at_point, initial={"decision": "accept"})
    return render(request, "desk/bundle_apply.html", {
        "form": form, "bundle": bundle, "spec": spec,
        "has_secondary": any(m["secondary"] for m in spec.materials),
    }, status=status)  # fmt: skip


def _apply(request, bundle, form) -> BundleApplication:
    """Apply at the window and decide for every item at once; a refused decision leaves no
    application behind (the clerk corrects the form and sends it again)."""
    d, clerk, ip = form.cleaned_data, request.user, client_ip(request)
    applicant = {k: d[k] for k in ("id_number", "name", "phone", "insured_region",
                                    "identity_shown", "contact_code")}  # fmt: skip
    applicant = contact_code_checked(applicant)  # before the transaction: wrong tries count
    with transaction.atomic():
        application, _created = bundle_apply(
            bundle=bundle, applicant=applicant, channel=Channel.WINDOW, submitted_by=clerk,
            materials=d["materials"], form=form.item_form(), as_agent=d.get("as_agent", False), ip=ip,
        )  # fmt: skip
        if d["decision"] == "accept":
            promised = d.get("promised_supplement_by")
            bundle_accept(number=application.number, actor=clerk, ip=ip,
                          promised_supplement_by=promised.isoformat() if promised else None)  # fmt: skip
        else:
            bundle_request_supplement(number=application.number, actor=clerk, reason=d.get("reason") or "", ip=ip)
    return application


@desk_view
def bundle_detail(request, number: str):
    application, cases = bundle_for(request.user, number)
    spec = None
    try:
        spec = bundle_spec(application.bundle)
    except DomainError:
        pass
    user = request.user
    held = application.office_id is not None and application.office_id == user.office_id
    open_statuses = {c.status for c in cases}
    return render(request, "desk/bundle.html", {
        "application": application, "cases": cases, "status": bundle_status(cases), "spec": spec,
        "notices": application.notices.all(),
        "can_claim": user.role == Role.CLERK and application.owner_id is None
        and Status.SUBMITTED in open_statuses,
        "can_decide": user.role == Role.CLERK and held and Status.SUBMITTED in open_statuses,
        "can_supplement": user.role == Role.CLERK and held and Status.AWAITING_SUPPLEMENT in open_statuses,
        "can_withdraw": user.role == Role.CLERK and held and bool(open_statuses - {
            Status.COMPLETED, Status.REJECTED, Status.WITHDRAWN}),
    })  # fmt: skip


@require_POST
@desk_view
def bundle_action(request, number: str, action: str):
    """The bundle's buttons: claim, accept, request_supplement, reject, supplement, withdraw."""
    user, ip, post = request.user, client_ip(request), request.POST
    application, cases = bundle_for(user, number)
    try:
        if action == "claim":
            first = next((c for c in cases if c.status == Status.SUBMITTED), None)
            if first is not None:
                case_act(number=first.number, action="claim", actor=user, ip=ip)
        elif action == "accept":
            bundle_accept(number=number, actor=user, materials=post.getlist("materials"),
                          promised_supplement_by=post.get("promised_supplement_by") or None, ip=ip)  # fmt: skip
        elif action == "request_supplement":
            bundle_request_supplement(number=number, actor=user, reason=post.get("reason", ""), ip=ip)
        elif action == "supplement":
            bundle_supplement(number=number, actor=user, materials=post.getlist("materials"), ip=ip)
        elif action == "reject":
            bundle_reject(number=number, actor=user, reason=post.get("reason", ""), ip=ip)
        elif action == "withdraw":
            bundle_withdraw(number=number, actor=user, reason=post.get("reason", ""), ip=ip)
        else:
            messages.error(request, _("没有这个办理动作"))
            return redirect("desk:bundle", number)
    except DomainError as e:
        if e.status == 404:
            raise
        messages.error(request, e.message)
    else:
        messages.success(request, _("已办理"))
    return redirect(reverse("desk:bundle", args=[application.number]))
