"""The clerks' desk (柜台): server-rendered pages that call the domain services."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.cases.access import actions_available
from tongban.cases.authorisations import contact_code_request
from tongban.cases.models import Action, Case, SpecialProcedure, Status
from tongban.cases.selectors import broken_promises
from tongban.cases.services import ACTION_PARAMS, case_act, case_personal_data, case_submit
from tongban.catalog.forms import DECISION_PREFIX
from tongban.catalog.models import Channel, ServiceItem
from tongban.catalog.selectors import item_version_current, items_active
from tongban.catalog.services import fields_shown, form_masked
from tongban.consultations.models import Consultation
from tongban.consultations.services import consultation_link_case, policy_search
from tongban.evaluations.services import rating_window
from tongban.lib.errors import Conflict, DomainError, InvalidInput, NotFound
from tongban.lib.forms import form_add_domain_error
from tongban.lib.http import client_ip
from tongban.lib.paging import page_number as page_number_of
from tongban.lib.paging import page_rows
from tongban.offices.models import Office
from tongban.offices.selectors import office_by_code
from tongban.people.models import Role
from tongban.people.services import (
    applicant_groups_set,
    applicant_recorded_for_window,
    contact_code_checked,
)

from . import queues, security
from .access import case_for_page, clerks_only, desk_view
from .crossregion import partner_panel
from .forms import ActionForm, ApplyForm, DeskLoginForm, GroupsForm, office_choices

# --- Signing in ----------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    """The staff's one sign-in page (the admin's posts here too): the password, then the
    steps people.steps asks for (desk.security.sign_in_step) before the session signs in."""

    template_name = "desk/login.html"
    authentication_form = DeskLoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        user = self.request.user
        return security.home_for(user) if user.is_authenticated else reverse("desk:home")

    def form_valid(self, form):
        if form.steps:
            security.sign_in_begin(self.request, form.get_user(), next_url=self.get_redirect_url())
            return redirect("desk:sign-in-step")
        return super().form_valid(form)


class LogoutView(auth_views.LogoutView):
    next_page = "desk:login"


# --- Home: my work -------------------------------------------------------------------------


@desk_view
def home(request):
    user = request.user
    scopes = queues.scopes_for(user)
    scope = request.GET.get("scope")
    scope = scope if scope in scopes else scopes[0]
    f = {
        k: request.GET.get(k, "").strip()
        for k in ("item", "status", "channel", "q", "office", "due")
    }
    f["status"] = f["status"] if f["status"] in Status.values else ""
    f["channel"] = f["channel"] if f["channel"] in Channel.values else ""
    f["due"] = f["due"] if f["due"] in queues.DUE_FILTERS else ""
    page_number = page_number_of(request.GET.get("page"))
    rows, has_next = page_rows(queues.queue(user, scope=scope, **f), page_number, queues.PAGE_SIZE)
    marks = queues.deadline_marks(rows)
    for row in rows:
        row.mark = marks[row.pk]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "desk/home.html", {
        "scope": scope, "scopes": [(s, queues.scope_label(user, s)) for s in scopes], "filters": f,
        "due_filters": queues.DUE_FILTERS.items(),
        "rows": rows, "page": page_number, "has_next": has_next, "query": query.urlencode(),
        "items": ServiceItem.objects.order_by("code").values_list("code", "name"),
        "statuses": Status.choices, "channels": Channel.choices,
        "offices": office_choices(include_external=False) if user.is_city_supervisor else [],
        "filtered": any(f.values()),
    })  # fmt: skip


# --- A new application at the window -------------------------------------------------------


def _items_matching(q: str):
    items = items_active()
    for word in q.split()[:5]:
        items = items.filter(
            Q(name__icontains=word) | Q(code__icontains=word) | Q(category__icontains=word)
        )
    return items


@desk_view
def apply_pick(request):
    """Step 1: find the item by name, keyword or code."""
    q = request.GET.get("q", "").strip()
    items = list(_items_matching(q))
    if q and len(items) == 1:
        return redirect(_apply_url(items[0].code, request.GET.get("consultation")))
    return render(request, "desk/apply_pick.html", {
        "q": q, "items": items, "consultation": request.GET.get("consultation", ""),
        "can_apply": request.user.role == Role.CLERK,
    })  # fmt: skip


def _apply_url(code: str, consultation=None) -> str:
    url = reverse("desk:apply", args=[code])
    return f"{url}?consultation={consultation}" if consultation else url


def _version_or_404(code: str):
    try:
        return item_version_current(code=code)
    except InvalidInput as e:
        raise Http404(e.message) from None


@desk_view
def applicant_lookup(request):
    """The window form's fill-in: the name and insured region on record for a known ID number
    (people.services.applicant_recorded_for_window, audited when it finds someone). JSON, for desk.js."""
    try:
        found = applicant_recorded_for_window(id_number=request.GET.get("id_number", ""), user=request.user,
                                    ip=client_ip(request))  # fmt: skip
    except DomainError as e:
        return JsonResponse({"error": {"code": e.code, "message": e.message}}, status=e.status)
    return JsonResponse({"found": found is not None, **(found or {})})


@desk_view
def apply(request, code: str):
    """Step 2: the applicant, the materials, the item's form and the decision, one transaction."""
    clerks_only(request.user)
    version = _version_or_404(code)
    if Channel.WINDOW not in version.channels:
        messages.error(request, _("该事项不能在窗口申请"))
        return redirect("desk:item", code)
    at_point = request.user.agent_point_id is not None
    if request.method == "POST" and "send_contact_code" in request.POST:
        form = ApplyForm(request.POST, version=version, at_agent_point=at_point)
        form.errors.clear()  # the application is not sent yet: only the code
        try:
            post = request.POST
            masked = contact_code_request(id_number=post.get("id_number", ""),
                                          phone=post.get("phone", ""),
                                          insured_region=post.get("insured_region", ""),
                                          by=request.user, ip=client_ip(request))  # fmt: skip
        except DomainError as e:
            if e.status in (403, 404) and e.code != "applicant_not_found":
                raise
            form.add_error("contact_code", e.message)
            status = 400
        else:
            messages.success(
                request, _("验证码已发送至 %(phone)s，请申请人告知") % {"phone": masked}
            )
            status = 200
    elif request.method == "POST":
        form = ApplyForm(request.POST, version=version, at_agent_point=at_point)
        if form.is_valid():
            try:
                case = _apply(request, form)
            except DomainError as e:
                form_add_domain_error(form, e)
            else:
                return redirect("desk:case-detail", case.number)
        status = 400
    else:
        form = ApplyForm(version=version, at_agent_point=at_point, initial={
            "consultation": request.GET.get("consultation"), "decision": "accept",
        })  # fmt: skip
        status = 200
    return render(request, "desk/apply.html", {
        "form": form, "version": version, "item": version.item,
        "main_codes": version.main_material_codes,
        "has_secondary": any(m.get("secondary") for m in version.materials),
        "policies": policy_search(item=version.item)[:5],
        "today": timezone.localdate(),
    }, status=status)  # fmt: skip


def _apply(request, form: ApplyForm) -> Case:
    """Submit at the window and decide at once; a failed decision leaves no case behind. A
    clerk applying as the applicant's agent only submits: another clerk decides (回避)."""
    d, clerk, ip = form.cleaned_data, request.user, client_ip(request)
    decision = d["decision"]
    applicant = {k: d[k] for k in ("id_number", "name", "phone", "insured_region",
                                    "identity_shown", "contact_code")}  # fmt: skip
    applicant = contact_code_checked(applicant)  # before the transaction: wrong tries count
    with transaction.atomic():
        case, _created = case_submit(
            item=form.version.item.code, applicant=applicant, channel=Channel.WINDOW,
            submitted_by=clerk, materials=d["materials"], form=form.item_form(),
            as_agent=d.get("as_agent", False), ip=ip,
        )  # fmt: skip
        if case.agent_id == clerk.pk:  # applied as the agent: a colleague decides (回避)
            messages.info(request, _("已作为代办人提交，由本机构其他受理员受理"))
        else:
            if decision == "accept":
                params = {"promised_supplement_by": d["promised_supplement_by"]}
            elif decision == "request_supplement":
                params = {"missing_materials": d["missing_materials"]}
            else:
                params = {"reason": d["reason"]}
            case = case_act(number=case.number, action=decision, actor=clerk, ip=ip, **params)
        if d.get("consultation"):
            consultation = Consultation.objects.filter(pk=d["consultation"]).first()
            if consultation:
                consultation_link_case(consultation=consultation, case=case, actor=clerk)
    return case


# --- The case page and its actions ---------------------------------------------------------


def _case_context(user, case: Case) -> dict:
    version = case.item_version
    names = {m["code"]: m for m in version.materials}
    events = list(case.events.select_related("actor", "office").order_by("at", "id"))
    if any(e.action == Action.TRANSFER for e in events):
        offices = list(Office.objects.filter(external=False).values_list("pk", "code", "name"))
        by_pk = {pk: name for pk, _code, name in offices}
        by_code = {code: name for _pk, code, name in offices}
        for e in events:
            if e.action == Action.TRANSFER:
                e.from_office_name = by_pk.get(e.data.get("from_office"), "")
                e.to_office_name = by_code.get(e.data.get("to_office"), e.data.get("to_office"))
    for e in events:
        if e.data.get("missing_materials"):
            e.missing_names = [names[c]["name"] for c in e.data["missing_materials"] if c in names]
    days = queues.deadline_marks([case])[case.pk]
    asked = {e.action for e in events}  # what was ever asked: no query for the others
    extensions = (
        list(case.extensions.select_related("requested_by", "decided_by"))
        if Action.REQUEST_EXTENSION in asked else []
    )  # fmt: skip
    return {
        "case": case,
        "version": version,
        "form_shown": form_masked(version.form, case.form),
        "decision_shown": fields_shown(version.decision, case.decision),
        # 即办件 accepted and finished at once: no time limit ran, nothing was due.
        "on_the_spot": version.is_instant
        and case.completed_at is not None
        and case.completed_at == case.accepted_at,
        # The decision's fields (办结结果) on the approval form of the last review step.
        "decision_fields": _decision_fields(ActionForm(version=version))
        if version.decision
        and case.status == Status.ACCEPTED
        and case.step + 1 >= len(version.steps)
        else [],
        "events": events,
        "mark": days,
        "clock_stops": list(case.clock_stops.all()),
        "notices": list(case.notices.all()),
        "cards": list(case.warnings.order_by("raised_at")),
        "rating": case.evaluations.first(),
        "rateable": rating_window(case) is not None,
        "extensions": extensions,
        "pending_extension": next((e for e in extensions if e.status == "pending"), None),
        "extension_max_days": settings.TONGBAN_EXTENSION_MAX_DAYS,
        "procedures": list(case.special_procedures.all()) if case.procedures else [],
        "procedure_kinds": SpecialProcedure.Kind.choices,
        "turn": _turn(case),
        # 特殊群体: a clerk marks what they checked on the person's documents.
        "groups_form": GroupsForm(initial=_groups_initial(case.applicant))
        if user.role == Role.CLERK and case.applicant.kind == "person"
        else None,
        # The window decides 容缺 knowing the applicant's record of kept promises.
        "broken_promises": broken_promises(applicant_id=case.applicant_id)
        if case.status == Status.SUBMITTED or case.missing_materials
        else 0,
        "attachments": list(case.attachments.order_by("material", "uploaded_at")),
        "materials": [
            {
                **m,
                "supplied": m["code"] in case.supplied_materials,
                "missing": m["code"] in case.missing_materials,
            }
            for m in version.materials
        ],  # fmt: skip
        "actions": actions_available(user, case),
        "transfer_offices": [
            (code, name)
            for code, name in office_choices(include_external=False)
            if code != getattr(case.handling_office, "code", None)
        ],  # fmt: skip
        "main_codes": version.main_material_codes,
        "today": timezone.localdate(),
        "partner": partner_panel(user, case),
    }


def _decision_fields(form: ActionForm) -> list:
    return [form[name] for name in form.fields if name.startswith(DECISION_PREFIX)]


def _turn(case: Case) -> dict | None:
    """Whose turn the current review step is: its role, office and department."""
    step = case.current_step
    if step is None:
        return None
    office = office_by_code(step["office"]) if step.get("office") else case.handling_office
    return {"name": step["name"], "role": Role(step["role"]).label,
            "office": office.name if office else "", "department": step.get("department", "")}  # fmt: skip


@desk_view
def case_detail(request, number: str):
    case = case_for_page(request.user, number)
    return render(request, "desk/case_detail.html", _case_context(request.user, case))


@require_POST
@desk_view
def case_personal(request, number: str):
    """The case page with the applicant's ID number, phone and bank account in full: asked
    for with a button, audited each time (cases.services.case_personal_data)."""
    case = case_for_page(request.user, number)
    context = _case_context(request.user, case)
    personal = case_personal_data(case=case, user=request.user, ip=client_ip(request))
    context.update(personal=personal, form_shown=personal["form"],
                   decision_shown=fields_shown(case.item_version.decision, personal["decision"], masked=False))  # fmt: skip
    return render(request, "desk/case_detail.html", context)


def _groups_initial(applicant) -> dict:
    # Never the certificate's number: the page shows it masked (Applicant.masked_certificate).
    return {"left_behind": applicant.left_behind, "in_need": applicant.in_need,
            "in_need_note": applicant.in_need_note}  # fmt: skip


@require_POST
@desk_view
def case_groups(request, number: str):
    """A clerk records the applicant's special groups from the case page
    (people.services.applicant_groups_set); a bad certificate number re-renders the page."""
    case = case_for_page(request.user, number)
    form = GroupsForm(request.POST)
    if form.is_valid():
        d = dict(form.cleaned_data)
        remove = d.pop("remove_certificate")
        # Left empty: the certificate recorded stays; ticked: it goes.
        d["disability_certificate"] = "" if remove else d["disability_certificate"] or None
        try:
            applicant_groups_set(applicant=case.applicant, by=request.user, ip=client_ip(request),
                                 **d)  # fmt: skip
        except DomainError as e:
            if e.status != 400:
                raise
            form_add_domain_error(form, e)
        else:
            messages.success(request, _("已保存特殊群体标记"))
            return redirect("desk:case-detail", number)
    context = _case_context(request.user, case)
    context["groups_form"] = form
    return render(request, "desk/case_detail.html", context, status=400)


@require_POST
@desk_view
def case_action(request, number: str, action: str):
    """Take one action from the case page; a bad input re-renders the page with the error."""
    case = case_for_page(request.user, number)
    if action not in ACTION_PARAMS:
        raise Http404("没有这个办理动作")
    form = ActionForm(request.POST, version=case.item_version)
    error = None
    if form.is_valid():
        d = form.cleaned_data
        params = {p: d[p] for p in ACTION_PARAMS[action]}
        try:
            case_act(number=number, action=action, actor=request.user, ip=client_ip(request),
                     expected_version=d["expected_version"], **params)  # fmt: skip
        except NotFound:
            raise
        except Conflict as e:
            messages.error(request, e.message)
            return redirect("desk:case-detail", number)
        except DomainError as e:
            error = e
        else:
            messages.success(request, _("已办理：%(action)s") % {"action": Action(action).label})
            return redirect("desk:case-detail", number)
    context = _case_context(request.user, case)
    if action == Action.APPROVE and context["decision_fields"]:
        if error and (error.field or "").startswith("decision."):
            form.add_error(DECISION_PREFIX + error.field.removeprefix("decision."), error.message)
        context["decision_fields"] = _decision_fields(form)
    context.update(failed_action=action, action_form=form,
                   action_error=error.message if error else "",
                   action_error_field=(error.field or "") if error else "")  # fmt: skip
    return render(request, "desk/case_detail.html", context, status=400)


# --- The item guide (the enquiries and the policy library: consultations.py) -------------


@desk_view
def item_guide(request, code: str):
    version = _version_or_404(code)
    return render(request, "desk/item_guide.html", {
        "item": version.item, "version": version,
        "policies": list(policy_search(item=version.item)),
        "can_apply": request.user.role == Role.CLERK and Channel.WINDOW in version.channels,
    })  # fmt: skip
