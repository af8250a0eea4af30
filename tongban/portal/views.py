"""The applicants' portal (网上办事大厅): item guides, applying online, following one's cases,
and the public status lookup. Views parse, call one service, and render or redirect."""

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from tongban.cases.access import actions_available, cases_visible
from tongban.cases.attachments import attachment_add, uploads_atomic
from tongban.cases.models import Action, Case, Status
from tongban.cases.notices import notice_filename, notice_pdf_stored
from tongban.cases.selectors import case_notice
from tongban.cases.services import case_act, case_submit, case_urge, urged_this_workday
from tongban.catalog.models import ONLINE_CHANNELS, Channel, ItemVersion, ServiceItem
from tongban.catalog.selectors import item_version_in_force, items_active, versions_by_pk
from tongban.catalog.services import fields_shown
from tongban.evaluations.services import evaluation_submit, rating_window
from tongban.lib.errors import DomainError
from tongban.lib.forms import form_add_domain_error
from tongban.lib.http import client_ip, private_download
from tongban.people.limits import limit_hit, limit_refund
from tongban.people.models import Role
from tongban.people.services import applicant_number_q
from tongban.workdays import services as workdays

from .access import case_for_owner, case_for_viewer, is_portal_user, portal_login_required
from .forms import (
    ApplyForm,
    LookupForm,
    LookupRatingForm,
    PortalLoginForm,
    RatingForm,
    SupplementForm,
    WithdrawForm,
)

PAGE_SIZE = 20
LOOKUP_FAILURES = 10  # failed status look-ups per IP address …
LOOKUP_WINDOW = 10 * 60  # … per ten minutes
PHONE_UA = re.compile(r"Mobile|Android|iPhone|iPod|HarmonyOS|MicroMessenger", re.I)


# --- Signing in ----------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    authentication_form = PortalLoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return reverse("portal:my-cases")


class LogoutView(auth_views.LogoutView):
    next_page = "portal:home"


# --- Item guides ---------------------------------------------------------------------------


def home(request):
    """办事指南: the active items grouped by category, with a search."""
    q = request.GET.get("q", "").strip()[:50]
    items = items_active()
    if q:
        items = items.filter(Q(name__icontains=q) | Q(code__iexact=q) | Q(category__icontains=q))
    items = list(items.order_by("code"))
    versions = versions_by_pk(i.current_version_id for i in items)
    groups: dict[str, list] = {}  # categories in the order of their first item's code
    for item in items:
        item.version = versions[item.current_version_id]
        groups.setdefault(item.category, []).append(item)
    return render(
        request, "portal/home.html", {"groups": groups.items(), "q": q, "count": len(items)}
    )


def _version_in_force(code: str) -> ItemVersion:
    """The guide of an item whatever its status (a suspended one says so), but a retired one."""
    version = item_version_in_force(code=code)
    if version is None or version.item.status == ServiceItem.Status.RETIRED:
        raise Http404("事项不存在")
    return version


def item(request, code):
    """One item's guide, printable."""
    version = _version_in_force(code)
    online = version.item.status == ServiceItem.Status.ACTIVE and bool(
        ONLINE_CHANNELS & set(version.channels)
    )
    return render(request, "portal/item.html", {
        "item": version.item, "version": version, "steps": _steps(version), "online": online,
        "prereview_days": settings.TONGBAN_PREREVIEW_DAYS,
    })  # fmt: skip


def _steps(version: ItemVersion) -> list[str]:
    if version.is_instant:
        return [pgettext("portal", "提交申请"), pgettext("portal", "受理即办结")]
    return [
        pgettext("portal", "提交申请"),
        pgettext("portal", "受理"),
        *[s["name"] for s in version.steps],
        pgettext("portal", "办结"),
    ]


# --- Applying ------------------------------------------------------------------------------


def _channel(request, version: ItemVersion) -> str:
    phone = PHONE_UA.search(request.headers.get("User-Agent", ""))
    return Channel.MOBILE if phone and Channel.MOBILE in version.channels else Channel.WEB


@portal_login_required
@require_http_methods(["GET", "POST"])
def apply(request, code):
    """网上申请: the item's form and its materials; the case and its files in one transaction."""
    version = _version_in_force(code)
    user = request.user
    agent = user.role == Role.AGENT
    if version.item.status != ServiceItem.Status.ACTIVE:
        messages.error(
            request,
            pgettext("portal", "该事项%(status)s，暂不受理网上申请")
            % {"status": version.item.get_status_display()},
        )
        return redirect("portal:item", code)
    if not agent and user.applicant_id is None:
        messages.error(
            request, pgettext("portal", "你的账号尚未关联申请人信息，请到任一医保服务大厅窗口办理")
        )
        return redirect("portal:item", code)
    form = ApplyForm(
        *((request.POST, request.FILES) if request.method == "POST" else ()),
        version=version,
        agent=agent,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with uploads_atomic():
                case, created = case_submit(
                    item=code, applicant=form.applicant_given(), channel=_channel(request, version),
                    submitted_by=user, materials=[c for c, _f in form.uploads()],
                    form=form.case_form(), idempotency_key=data["idempotency_key"],
                    ip=client_ip(request),
                )  # fmt: skip
                if created:
                    for material, file in form.uploads():
                        attachment_add(case=case, material=material, file=file, user=user)
        except DomainError as e:
            form_add_domain_error(form, e, form.field_map)
        else:
            return redirect("portal:receipt", case.number)
    status = 400 if form.is_bound else 200
    return render(request, "portal/apply.html", {"form": form, "item": version.item,
                                                 "version": version}, status=status)  # fmt: skip


@portal_login_required
def receipt(request, number):
    """The receipt shown at once after applying: the case number to keep."""
    case = case_for_owner(request, number)
    return render(request, "portal/receipt.html", {"case": case})


# --- My cases ------------------------------------------------------------------------------


@portal_login_required
def my_cases(request):
    cases = (
        cases_visible(request.user)
        .select_related("item", "applicant")
        .order_by("-submitted_at", "-pk")
        .only("number", "status", "result", "submitted_at", "deadline", "deadline_provisional",
              "item__name", "item__code", "applicant__name", "missing_materials", "agent_id")
    )  # fmt: skip
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/my_cases.html", {"page": page})


def _case_page(request, case, *, supplement_form=None, rating_form=None, status=200):
    user = request.user
    actions = actions_available(user, case)
    if supplement_form is None and Action.SUPPLEMENT in actions:
        supplement_form = SupplementForm(materials=_missing(case))
    names = {m["code"]: m["name"] for m in case.item_version.materials}
    events = list(case.events.select_related("office").order_by("at", "pk"))
    for e in events:
        codes = e.data.get("missing_materials") or e.data.get("materials") or []
        e.material_names = [names[c] for c in codes if c in names] if e.action != "submit" else []
    attachments = list(case.attachments.order_by("uploaded_at", "pk"))
    for a in attachments:
        a.material_name = names.get(a.material, a.material)
    return render(
        request,
        "portal/case_detail.html",
        {
            "case": case,
            "events": events,
            "notices": list(case.notices.all()),
            "attachments": attachments,
            "missing": _missing(case),
            "decision_shown": fields_shown(case.item_version.decision, case.decision),
            "on_the_spot": case.item_version.is_instant
            and case.completed_at is not None
            and case.completed_at == case.accepted_at,
            "can_withdraw": Action.WITHDRAW in actions,
            **_lateness(case),
            "supplement_form": supplement_form if Action.SUPPLEMENT in actions else None,
            **_rating(case, form=rating_form, action=reverse("portal:rate", args=[case.number])),
        },
        status=status,
    )


def _lateness(case: Case) -> dict:
    """Whether the case is past its deadline, by how many working days, and whether 催办 may
    be pressed now (cases.services.case_urge says the same when it is)."""
    today = timezone.localdate()
    if not case.is_overdue(today):
        return {"late_days": 0}
    return {"late_days": max(workdays.between(case.deadline, today), 1),
            "urged_today": urged_this_workday(case, today)}  # fmt: skip


@portal_login_required
@require_POST
def case_urge_view(request, number):
    """催办: the applicant presses a late case; the handling office's supervisors are told."""
    case = case_for_owner(request, number)
    try:
        case_urge(number=case.number, by=request.user, ip=client_ip(request))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, pgettext("portal", "已催办：经办机构的负责人已收到提醒。"))
    return redirect("portal:case", case.number)


def _rating(case: Case, *, form=None, action: str, initial=None) -> dict:
    """What the rating box needs: the rating given, or a form while the case may be rated."""
    if case.status not in (Status.COMPLETED, Status.REJECTED):
        return {"rating_shown": False}
    evaluation = case.evaluations.first()
    window = rating_window(case) if evaluation is None else None
    until = window.date if window else None
    # A window closed only by a guess (its year not loaded yet) is not closed.
    open_ = window is not None and (timezone.localdate() <= until or window.provisional)
    if open_ and form is None:
        form = (LookupRatingForm if initial else RatingForm)(initial=initial)
    return {"rating_shown": evaluation is not None or open_, "evaluation": evaluation,
            "rating_form": form if open_ else None, "rating_action": action, "rating_until": until,
            "rating_until_provisional": bool(window and window.provisional)}  # fmt: skip


def _missing(case: Case) -> list[dict]:
    names = {m["code"]: m for m in case.item_version.materials}
    return [names[c] for c in case.missing_materials if c in names]


@portal_login_required
def case_detail(request, number):
    return _case_page(request, case_for_owner(request, number))


@portal_login_required
@require_POST
def case_supplement(request, number):
    """补正: upload what the notice asked for, all at once, then hand it in."""
    case = case_for_owner(request, number)
    form = SupplementForm(request.POST, request.FILES, materials=_missing(case))
    if form.is_valid():
        uploads = form.uploads()
        try:
            with uploads_atomic():
                case = case_act(number=case.number, action=Action.SUPPLEMENT, actor=request.user,
                                materials=[c for c, _f in uploads], ip=client_ip(request))  # fmt: skip
                for material, file in uploads:
                    attachment_add(case=case, material=material, file=file, user=request.user)
        except DomainError as e:
            form_add_domain_error(form, e, form.field_map)
        else:
            messages.success(request, pgettext("portal", "补正材料已提交，我们会尽快审查。"))
            return redirect("portal:case", case.number)
    return _case_page(request, case, supplement_form=form, status=400)


@portal_login_required
@require_http_methods(["GET", "POST"])
def case_withdraw(request, number):
    case = case_for_owner(request, number)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            case_act(number=case.number, action=Action.WITHDRAW, actor=request.user,
                     reason=form.cleaned_data["reason"], ip=client_ip(request))  # fmt: skip
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, pgettext("portal", "申请已撤回。"))
        return redirect("portal:case", case.number)
    return render(request, "portal/withdraw.html", {"case": case, "form": form})


@portal_login_required
@require_POST
def case_rate(request, number):
    """好差评 from the case page (一事一评)."""
    case = case_for_owner(request, number)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            evaluation_submit(case=case, score=form.cleaned_data["score"], channel="portal",
                              comment=form.cleaned_data["comment"], by=request.user)  # fmt: skip
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, pgettext("portal", "感谢你的评价！"))
            return redirect(reverse("portal:case", args=[case.number]) + "#rate")
    return _case_page(request, case, rating_form=form, status=400)


# --- Files and notices ---------------------------------------------------------------------


def _one(queryset, pk: int):
    # A path's <int:…> takes any run of digits; past bigint PostgreSQL would fail, not miss.
    return queryset.filter(pk=pk).first() if pk < 2**63 else None


def attachment_download(request, number, pk):
    """A material file, to the applicant and to staff who may see the case; nobody else."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("portal:login"))
    case = case_for_viewer(request, number)
    attachment = _one(case.attachments, pk)
    if attachment is None:
        raise Http404("文件不存在")
    try:
        file = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件不存在") from None
    # Staff read a material in the browser (a PDF or an image opens inline); its applicant
    # gets the file they sent back, to save.
    return private_download(file, filename=attachment.original_name,
                            content_type=attachment.content_type,
                            inline=not is_portal_user(request.user))  # fmt: skip


def notice_download(request, number, pk):
    """A notice's PDF, for the applicant (and staff who may see the case)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("portal:login"))
    case = case_for_viewer(request, number)
    notice = case_notice(case, pk)
    if notice is None:
        raise Http404("通知书不存在")
    notice.case = case
    return private_download(notice_pdf_stored(notice), filename=notice_filename(notice),
                            content_type="application/pdf")  # fmt: skip


# --- Public status lookup ------------------------------------------------------------------


def _find(request, number: str, id_number: str) -> tuple[Case | None, str, int]:
    """(case, error, status) for a look-up by case number and the applicant's ID number.

    LOOKUP_FAILURES failed look-ups per LOOKUP_WINDOW from one address, and as many for one
    case number from anywhere, in the counters every server process shares
    (people.limits): a try is counted before the search and given back when it finds."""
    keys = (f"lookup-ip:{client_ip(request) or '-'}", f"lookup-case:{number[:40]}")
    tallies = [limit_hit(key, window=LOOKUP_WINDOW) for key in keys]
    if any(tally.over(LOOKUP_FAILURES) for tally in tallies):
        minutes = max(t.minutes_left for t in tallies if t.over(LOOKUP_FAILURES))
        return None, pgettext("portal", "查询失败次数过多，请 %(minutes)d 分钟后再试。") % {
            "minutes": minutes}, 429  # fmt: skip
    case = (
        Case.objects.select_related("item")
        .filter(applicant_number_q(id_number, prefix="applicant__"), number=number)
        .first()
    )
    if case is None:
        return (
            None,
            pgettext("portal", "没有找到与该办件编号和证件号码相符的办件，请核对后再试。"),
            404,
        )
    for key in keys:
        limit_refund(key)
    return case, "", 200


def _lookup_page(request, form, case, status, rating_form=None):
    context = {"form": form, "case": case, "rating_public": True}
    if case is not None:
        context.update(_rating(case, form=rating_form, action=reverse("portal:lookup-rate"),
                               initial={"number": case.number, "id": form.cleaned_data["id"]}))  # fmt: skip
    response = render(request, "portal/lookup.html", context, status=status)
    if case is not None:
        response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def lookup(request):
    """办件查询 without an account: case number plus the applicant's full ID number.

    Shows status, item and dates, nothing personal. Failed look-ups are limited per address,
    and a failure never says which of the two was wrong."""
    params = request.POST if request.method == "POST" else request.GET
    asked = "number" in params and "id" in params
    form = LookupForm(params if asked else None, initial={"number": params.get("number", "")})
    case, status = None, 200
    if asked:
        if form.is_valid():
            case, error, status = _find(
                request, form.cleaned_data["number"], form.cleaned_data["id"]
            )
            if error:
                form.add_error(None, error)
        else:
            status = 400
    return _lookup_page(request, form, case, status)


@require_POST
def lookup_rate(request):
    """好差评 from a notice's QR code: the look-up is checked again, then the rating given."""
    rating_form = LookupRatingForm(request.POST)
    form = LookupForm({"number": request.POST.get("number", ""), "id": request.POST.get("id", "")})
    if not form.is_valid():
        return _lookup_page(request, form, None, 400)
    case, error, status = _find(request, form.cleaned_data["number"], form.cleaned_data["id"])
    if error:
        form.add_error(None, error)
        return _lookup_page(request, form, None, status)
    if rating_form.is_valid():
        try:
            evaluation_submit(case=case, score=rating_form.cleaned_data["score"], channel="qr",
                              comment=rating_form.cleaned_data["comment"], by=None)  # fmt: skip
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, pgettext("portal", "感谢你的评价！"))
            return _lookup_page(request, form, case, 200)
    return _lookup_page(request, form, case, 400, rating_form=rating_form)
