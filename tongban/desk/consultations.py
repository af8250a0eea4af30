"""The desk's enquiry pages (咨询) and the policy library (政策解读).

咨询登记 logs an enquiry and lists the office's; 我的咨询 lists the enquiries the signed-in
user owns (首问负责), with a form to hand each open one on to a named colleague and one to
close it. Supervisors see the figures of enquiries on 咨询登记. Who sees and who may do
what is tongban.consultations.access; the rules are in tongban.consultations.services."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.catalog.models import ServiceItem
from tongban.consultations.access import consultation_for, is_staff, may_hand_on
from tongban.consultations.selectors import (
    colleagues,
    consultation_figures,
    consultations_for_office,
    consultations_owned,
)
from tongban.consultations.services import (
    consultation_close,
    consultation_hand_on,
    consultation_log,
    policy_search,
)
from tongban.lib.errors import Conflict, DomainError, InvalidInput
from tongban.lib.forms import form_add_domain_error
from tongban.lib.http import client_ip
from tongban.lib.paging import page_number as page_number_of
from tongban.lib.paging import page_rows
from tongban.offices.models import Office
from tongban.people.models import Role
from tongban.stats.access import figures_scope
from tongban.stats.selectors import period_parse

from .access import desk_view
from .forms import CloseForm, ConsultationForm, HandOnForm, colleague_choices, office_choices
from .queues import PAGE_SIZE

# The pages an enquiry's forms are on; a form posts back which one (`next`).
PAGES = {"mine": "desk:my-consultations", "office": "desk:consultations"}


def _staff_only(user) -> None:
    if not is_staff(user):
        raise Http404("没有所属经办机构")


def _items():
    return (
        ServiceItem.objects.filter(status=ServiceItem.Status.ACTIVE)
        .order_by("code")
        .values_list("code", "name")
    )


def _query(request, *drop: str) -> str:
    query = request.GET.copy()
    for name in ("page", *drop):
        query.pop(name, None)
    return query.urlencode()


def _with_forms(rows, user, choices, failed=None) -> None:
    """Give each open enquiry of `rows` that `user` may act on its forms (`hand_on_form`,
    `close_form`); `failed` is (pk, name, bound form) of a form that came back with an
    error, shown in place of a fresh one."""
    for c in rows:
        c.hand_on_form = c.close_form = None
        if c.closed_at is not None:
            continue
        auto_id = f"id_c{c.pk}_%s"
        initial = {"owner": c.owner_id}
        if may_hand_on(user, c):
            c.hand_on_form = HandOnForm(colleagues=choices, auto_id=auto_id, initial=initial)
        if c.owner_id == user.pk:
            c.close_form = CloseForm(auto_id=auto_id, initial=initial)
        if failed and failed[0] == c.pk:
            setattr(c, failed[1], failed[2])


# --- 咨询登记: log, the office's list, the figures ----------------------------------------------


def _figures(request) -> dict | None:
    """The figures of enquiries for a supervisor: their office's, or for a supervisor of the
    city the whole city's or one office's (`?office=`). None for everyone else."""
    user = request.user
    if user.role != Role.SUPERVISOR:
        return None
    scope = figures_scope(user)  # who reads which figures: the same rule as the dashboard
    try:
        period = period_parse(request.GET.get("from"), request.GET.get("to"))
    except InvalidInput as e:
        messages.error(request, e.message)
        period = period_parse(None, None)
    office, offices = scope, []
    if scope is None:
        offices = office_choices(include_external=False)
        code = request.GET.get("office", "")
        office = Office.objects.filter(code=code, external=False).first() if code else None
    return {
        "values": consultation_figures(start=period.start, end=period.end, office=office),
        "period": period,
        "office": office,
        "offices": offices,
    }


def _office_page(request, form, *, failed=None, status=200):
    user = request.user
    q = request.GET.get("q", "").strip()
    page_number = page_number_of(request.GET.get("page"))
    rows, has_next = page_rows(consultations_for_office(office_id=user.office_id, q=q),
                               page_number, PAGE_SIZE)  # fmt: skip
    if user.role == Role.SUPERVISOR:  # a supervisor hands on for an owner who is away
        _with_forms(rows, user, colleague_choices(colleagues()), failed)
    return render(request, "desk/consultations.html", {
        "form": form, "rows": rows, "q": q, "page": page_number, "has_next": has_next,
        "query": _query(request), "items": _items(), "figures": _figures(request),
    }, status=status)  # fmt: skip


@desk_view
def consultations(request):
    """Log an enquiry in a few seconds, and list or search my office's enquiries."""
    user = request.user
    _staff_only(user)
    if request.method == "POST":
        form = ConsultationForm(request.POST)
        if form.is_valid():
            try:
                c = consultation_log(clerk=user, **form.service_arguments())
            except DomainError as e:
                form_add_domain_error(form, e, {"turned_into_case": "case_number"})
            else:
                name = user.get_full_name() or user.username
                if c.closed_at is None:
                    messages.success(request, _("咨询已登记，留在我的咨询中待答复（首问负责人：%(name)s）") % {"name": name})  # fmt: skip
                    return redirect("desk:my-consultations")
                messages.success(request, _("咨询已登记（首问负责人：%(name)s）") % {"name": name})
                return redirect("desk:consultations")
    else:
        form = ConsultationForm(initial={"item": request.GET.get("item", "")})
    return _office_page(request, form, status=400 if form.errors else 200)


# --- 我的咨询 -----------------------------------------------------------------------------------


def _mine_page(request, *, failed=None, status=200):
    user = request.user
    state = "closed" if request.GET.get("state") == "closed" else "open"
    page_number = page_number_of(request.GET.get("page"))
    rows, has_next = page_rows(consultations_owned(user, state), page_number, PAGE_SIZE)
    if failed and failed[0] not in {c.pk for c in rows}:  # on another page: shown first
        rows[:0] = consultations_owned(user, "all").filter(pk=failed[0])
    _with_forms(rows, user, colleague_choices(colleagues().exclude(pk=user.pk)), failed)
    return render(request, "desk/consultations_mine.html", {
        "rows": rows, "state": state, "page": page_number, "has_next": has_next,
        "open_count": consultations_owned(user, "open").count(),
    }, status=status)  # fmt: skip


@desk_view
def my_consultations(request):
    """The enquiries I own now, open first: hand each on or close it."""
    _staff_only(request.user)
    return _mine_page(request)


def _act(request, pk: int, form_class, name: str, service, done: str, **kwargs):
    """Post one enquiry's form to `service`, then back to the page it came from (`next`)
    with `done` told. A refused input re-renders that page with the error on its field
    (400); a conflict (closed, or handed on meanwhile) is told there after a redirect; an
    enquiry the user may not see is 404, an act their role may not do 403."""
    user = request.user
    _staff_only(user)
    consultation = consultation_for(user, pk)
    back = request.POST.get("next") if request.POST.get("next") in PAGES else "mine"
    form = form_class(request.POST, auto_id=f"id_c{pk}_%s", **kwargs)
    if form.is_valid():
        data = dict(form.cleaned_data)
        if seen := data.pop("owner", None):
            # The owner the page showed: if it has changed since, the service says so
            # (Conflict owner_changed) rather than act on a page that is out of date.
            consultation.owner_id = seen
        try:
            service(consultation=consultation, by=user, ip=client_ip(request), **data)
        except Conflict as e:
            messages.error(request, e.message)
            return redirect(PAGES[back])
        except InvalidInput as e:
            form_add_domain_error(form, e)
        else:
            messages.success(request, done)
            return redirect(PAGES[back])
    failed = (pk, name, form)
    if back == "office":
        return _office_page(request, ConsultationForm(), failed=failed, status=400)
    return _mine_page(request, failed=failed, status=400)


@require_POST
@desk_view
def hand_on(request, pk: int):
    return _act(request, pk, HandOnForm, "hand_on_form", consultation_hand_on,
                _("已转交，对方成为该咨询的责任人"), colleagues=colleague_choices(colleagues()))  # fmt: skip


@require_POST
@desk_view
def close(request, pk: int):
    return _act(request, pk, CloseForm, "close_form", consultation_close, _("咨询已办结"))


# --- The policy library --------------------------------------------------------------------


@desk_view
def policies(request):
    q = request.GET.get("q", "").strip()
    item = request.GET.get("item", "").strip() or None
    return render(request, "desk/policies.html", {
        "q": q, "item": item, "policies": list(policy_search(q=q, item=item)[:100]),
        "items": _items(),
    })  # fmt: skip
