"""一件事 on the portal: the bundles, applying for one with its one form and one upload per
material (a material several items need is uploaded once and filed under each), and the
bundle's page: its status, cases and notices, one supplement for all, withdrawing it."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from tongban.cases.access import bundle_for, bundles_visible
from tongban.cases.attachments import attachment_add, uploads_atomic
from tongban.cases.models import Status
from tongban.cases.selectors import bundle_status
from tongban.cases.services import bundle_apply, bundle_supplement, bundle_withdraw
from tongban.catalog.models import Bundle
from tongban.catalog.services import bundle_spec
from tongban.lib.errors import DomainError
from tongban.lib.forms import form_add_domain_error
from tongban.lib.http import client_ip
from tongban.people.models import Role

from .access import portal_login_required
from .forms import ApplyForm, SupplementForm
from .views import _channel


def bundles(request):
    """The bundles anyone may read; a signed-in applicant's or agent's own applications."""
    mine = []
    if request.user.is_authenticated and request.user.role in (Role.APPLICANT, Role.AGENT):
        mine = list(bundles_visible(request.user).select_related("bundle").order_by("-submitted_at")[:50])
    return render(request, "portal/bundles.html", {
        "bundles": Bundle.objects.prefetch_related("items").order_by("code"), "mine": mine,
    })  # fmt: skip


def _file_everywhere(spec, cases, uploads, user) -> None:
    """Each uploaded file of a bundle material, filed under every case whose item needs it."""
    by_item = {c.item.code: c for c in cases}
    for code, file in uploads:
        material = next(m for m in spec.materials if m["code"] == code)
        for item_code, item_material in material["items"].items():
            case = by_item.get(item_code)
            if case is not None and case.is_open:
                file.seek(0)
                attachment_add(case=case, material=item_material, file=file, user=user)


@portal_login_required
@require_http_methods(["GET", "POST"])
def bundle_apply_view(request, code):
    bundle = get_object_or_404(Bundle, code=code)
    user = request.user
    agent = user.role == Role.AGENT
    try:
        spec = bundle_spec(bundle)
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("portal:bundles")
    form = ApplyForm(*((request.POST, request.FILES) if request.method == "POST" else ()),
                     version=spec, agent=agent)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        uploads = form.uploads()
        try:
            with uploads_atomic():
                application, created = bundle_apply(
                    bundle=bundle, applicant=form.applicant_given(), channel=_channel(request, spec),
                    submitted_by=user, materials=[c for c, _f in uploads], form=form.case_form(),
                    idempotency_key=form.cleaned_data["idempotency_key"], ip=client_ip(request),
                )  # fmt: skip
                if created:
                    _file_everywhere(spec, list(application.cases.select_related("item")), uploads, user)
        except DomainError as e:
            form_add_domain_error(form, e, form.field_map)
        else:
            messages.success(request, pgettext("portal", "已提交，一件事编号 %(number)s") % {"number": application.number})
            return redirect("portal:bundle", application.number)
    status = 400 if form.is_bound else 200
    return render(request, "portal/bundle_apply.html", {"form": form, "bundle": bundle, "spec": spec},
                  status=status)  # fmt: skip


def _missing_materials(spec, cases) -> list[dict]:
    """The bundle's materials that its cases waiting for a supplement still need, each once."""
    wanted = {(c.item.code, m) for c in cases if c.status == Status.AWAITING_SUPPLEMENT for m in c.missing_materials}
    return [m for m in spec.materials if any((i, mc) in wanted for i, mc in m["items"].items())]


def _page(request, application, cases, *, supplement_form=None, status=200):
    try:
        spec = bundle_spec(application.bundle)
    except DomainError:
        spec = None
    missing = _missing_materials(spec, cases) if spec else []
    if supplement_form is None and missing:
        supplement_form = SupplementForm(materials=missing)
    return render(request, "portal/bundle.html", {
        "application": application, "cases": cases, "status": bundle_status(cases),
        "notices": application.notices.all(), "supplement_form": supplement_form,
        "can_withdraw": any(c.status not in (Status.COMPLETED, Status.REJECTED, Status.WITHDRAWN) for c in cases),
    }, status=status)  # fmt: skip


@portal_login_required
def bundle_detail(request, number):
    application, cases = bundle_for(request.user, number)
    return _page(request, application, cases)


@portal_login_required
@require_POST
def bundle_supplement_view(request, number):
    """补正 for the whole bundle: upload what the one notice asked for, all at once."""
    application, cases = bundle_for(request.user, number)
    spec = bundle_spec(application.bundle)
    form = SupplementForm(request.POST, request.FILES, materials=_missing_materials(spec, cases))
    if form.is_valid():
        uploads = form.uploads()
        try:
            with uploads_atomic():
                bundle_supplement(number=number, actor=request.user, materials=[c for c, _f in uploads],
                                  ip=client_ip(request))  # fmt: skip
                _file_everywhere(spec, list(application.cases.select_related("item")), uploads, request.user)
        except DomainError as e:
            form_add_domain_error(form, e, form.field_map)
        else:
            messages.success(request, pgettext("portal", "补正材料已提交，我们会尽快审查。"))
            return redirect("portal:bundle", number)
    return _page(request, application, cases, supplement_form=form, status=400)


@portal_login_required
@require_POST
def bundle_withdraw_view(request, number):
    bundle_for(request.user, number)
    try:
        bundle_withdraw(number=number, actor=request.user, reason=request.POST.get("reason", "")[:500],
                        ip=client_ip(request))  # fmt: skip
    except DomainError as e:
        if e.status == 404:
            raise
        messages.error(request, e.message)
    else:
        messages.success(request, pgettext("portal", "已撤回全部未办结的事项"))
    return redirect("portal:bundle", number)
