"""Supervisors' pages under /desk/supervision/: the deadline cards, bad ratings through
rectification, call-back and closing, appeals, the notification record, the window rating
tablet, and (on the demo only) the demo clock. Each view parses, calls one service, renders."""

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tongban.cases.models import Status
from tongban.crossregion.selectors import (
    partner_message_counts,
    partner_message_visible,
    partner_messages_visible,
    partner_refusals_visible,
)
from tongban.evaluations.models import Appeal, Evaluation, score_scale
from tongban.evaluations.services import (
    appeal_decide,
    appeal_file,
    appeals_visible,
    evaluation_submit,
    rating_window,
    rectification_close,
    rectification_record_callback,
    rectification_verify,
    rectifications_visible,
)
from tongban.exchange.models import Message
from tongban.exchange.services import message_retry
from tongban.lib.errors import DomainError
from tongban.lib.identifiers import phone_mask
from tongban.lib.paging import page_number, page_rows
from tongban.lib.replica import reads_from_replica
from tongban.offices.selectors import offices_handling
from tongban.supervision.demo import demo_clock_advance, demo_enabled
from tongban.supervision.heartbeat import jobs_heartbeat
from tongban.supervision.models import Level, ScheduledJob, Warning
from tongban.supervision.notifications import notifications_visible
from tongban.supervision.services import warnings_visible
from tongban.workdays import services as workdays

from . import access, forms

PAGE_SIZE = 50


def _offices():
    return list(offices_handling().values_list("code", "name"))


def _remaining(cases, today: date) -> dict[int, int]:
    """Working days left per case pk, with one calendar query for the whole page."""
    days = workdays.span_of([today, *(c.deadline for c in cases)])
    return {c.pk: days.left(today, c.deadline) for c in cases if c.deadline}


def _tabs(request, active: str) -> dict:
    user = request.user
    return {
        "tab": active,
        "demo": demo_enabled(),
        "pending_appeals": appeals_visible(user).filter(status=Appeal.Status.PENDING).count(),
        "open_rectifications": rectifications_visible(user).filter(closed_at=None).count(),
        # When the background jobs last ran; without them no SMS, card or §32 acceptance.
        "jobs_beat": jobs_heartbeat() if user.is_city_supervisor else None,
    }


@access.supervisors_only
@reads_from_replica
def board(request):
    """The cards: an open case shows its highest card; "all" lists every card ever raised."""
    user = request.user
    scope = "all" if request.GET.get("scope") == "all" else "open"
    level = request.GET.get("level", "")
    office = request.GET.get("office", "") if user.is_city_supervisor else ""
    cards = warnings_visible(user)
    if office:
        cards = cards.filter(case__handling_office__code=office)
    open_cards = cards.filter(case__status=Status.ACCEPTED).exclude(
        Q(level=Level.YELLOW)
        & Exists(Warning.objects.filter(case=OuterRef("case"), level=Level.RED))
    )
    counts = open_cards.aggregate(
        red=Count("pk", filter=Q(level=Level.RED)), yellow=Count("pk", filter=Q(level=Level.YELLOW))
    )
    rows = open_cards if scope == "open" else cards
    if level in Level.values:
        rows = rows.filter(level=level)
    rows = rows.order_by("level", "case__deadline", "pk") if scope == "open" else rows  # red first
    page = page_number(request.GET.get("page"))
    rows, has_next = page_rows(rows, page, PAGE_SIZE)
    today = timezone.localdate()
    left = _remaining([w.case for w in rows], today)
    for w in rows:
        w.left = left.get(w.case_id)
        w.late = -w.left if w.left is not None and w.left < 0 else 0
    query = "&".join(
        f"{k}={v}" for k, v in (("scope", scope), ("level", level), ("office", office)) if v
    )
    return render(request, "supervision/board.html", {
        **_tabs(request, "board"), "rows": rows, "counts": counts, "scope": scope, "level": level,
        "office": office, "offices": _offices() if user.is_city_supervisor else [], "page": page,
        "has_next": has_next, "query": query, "today": today,
        "share": int(settings.TONGBAN_YELLOW_SHARE * 100),
        "jobs": ScheduledJob.objects.order_by("name"), "clock_form": forms.DemoClockForm(),
    })  # fmt: skip


@access.supervisors_only
@reads_from_replica
def rectification_list(request):
    user = request.user
    state = request.GET.get("state", "open")
    office = request.GET.get("office", "") if user.is_city_supervisor else ""
    qs = rectifications_visible(user).annotate(
        appeal_status=Appeal.objects.filter(evaluation_id=OuterRef("evaluation_id")).values(
            "status"
        )[:1]
    )
    if state == "open":
        qs = qs.filter(closed_at__isnull=True)
    elif state == "closed":
        qs = qs.filter(closed_at__isnull=False)
    if office:
        qs = qs.filter(office__code=office)
    page = page_number(request.GET.get("page"))
    rows, has_next = page_rows(qs.order_by("closed_at", "due", "pk"), page, PAGE_SIZE)
    today = timezone.localdate()
    for r in rows:
        r.overdue = r.is_overdue(today)
    return render(request, "supervision/rectification_list.html", {
        **_tabs(request, "rectifications"), "rows": rows, "state": state, "office": office,
        "offices": _offices() if user.is_city_supervisor else [], "page": page,
        "has_next": has_next, "query": f"state={state}&office={office}",
    })  # fmt: skip


def _rectification_or_404(user, pk: int):
    return get_object_or_404(
        rectifications_visible(user).select_related(
            "evaluation__case__handling_office", "verified_by", "callback_by", "closed_by"
        ),
        pk=pk,
    )


RECTIFICATION_STEPS = {
    # action: (form, service call, success message)
    "verify": (
        forms.VerifyForm,
        lambda r, by, d: rectification_verify(rectification=r, by=by, verification=d["text"]),
        _("已记录核实与整改情况"),
    ),
    "callback": (
        forms.CallbackForm,
        lambda r, by, d: rectification_record_callback(
            rectification=r, by=by, outcome=d["text"], satisfied=d["satisfied"]
        ),
        _("已记录回访情况"),
    ),
    "close": (
        forms.CloseForm,
        lambda r, by, d: rectification_close(rectification=r, by=by, note=d["text"]),
        _("整改已办结"),
    ),
    "appeal": (
        forms.AppealForm,
        lambda r, by, d: appeal_file(evaluation=r.evaluation, by=by, reason=d["text"]),
        _("申诉已提交，等待市局审核"),
    ),
    "decide": (
        forms.DecideForm,
        lambda r, by, d: appeal_decide(
            appeal=r.evaluation.appeals.get(), by=by, upheld=d["upheld"], note=d["text"]
        ),
        _("已审核申诉"),
    ),
}


@access.supervisors_only
def rectification_detail(request, pk: int):
    user = request.user
    r = _rectification_or_404(user, pk)
    bound = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in RECTIFICATION_STEPS:
            raise Http404("没有这个操作")
        form_class, call, done = RECTIFICATION_STEPS[action]
        form = form_class(request.POST)
        if form.is_valid():
            try:
                call(r, user, form.cleaned_data)
            except (DomainError, Appeal.DoesNotExist) as e:
                messages.error(request, getattr(e, "message", "没有待审核的申诉"))
            else:
                messages.success(request, done)
                return redirect("supervision:rectification", pk=r.pk)
        bound[action] = form
    appeal = r.evaluation.appeals.select_related("filed_by", "decided_by").first()
    case = r.evaluation.case
    own_office = user.office_id == r.office_id
    return render(request, "supervision/rectification_detail.html", {
        **_tabs(request, "rectifications"), "r": r, "e": r.evaluation, "case": case,
        "appeal": appeal, "today": timezone.localdate(),
        "can_file": own_office and appeal is None and r.closed_at is None,
        "can_decide": bool(appeal and appeal.status == Appeal.Status.PENDING
                           and user.is_city_supervisor and appeal.filed_by_id != user.pk),
        "forms": {name: bound.get(name) or cls() for name, (cls, _, _) in RECTIFICATION_STEPS.items()},
    })  # fmt: skip


@access.supervisors_only
@reads_from_replica
def appeal_list(request):
    user = request.user
    status = request.GET.get("status", "pending")
    qs = appeals_visible(user).select_related("evaluation__rectification", "decided_by")
    if status in Appeal.Status.values:
        qs = qs.filter(status=status)
    page = page_number(request.GET.get("page"))
    rows, has_next = page_rows(qs, page, PAGE_SIZE)
    return render(request, "supervision/appeal_list.html", {
        **_tabs(request, "appeals"), "rows": rows, "status": status,
        "statuses": Appeal.Status.choices, "page": page, "has_next": has_next,
        "query": f"status={status}",
    })  # fmt: skip


def _mask(recipient: str) -> str:
    return recipient if "@" in recipient else phone_mask(recipient)  # staff addresses: shown


@access.supervisors_only
@reads_from_replica
def notification_list(request):
    qs = notifications_visible(request.user)
    channel = request.GET.get("channel", "")
    if channel in ("sms", "email"):
        qs = qs.filter(channel=channel)
    page = page_number(request.GET.get("page"))
    rows, has_next = page_rows(qs, page, PAGE_SIZE)
    for n in rows:
        n.shown_to = _mask(n.recipient)
    return render(request, "supervision/notification_list.html", {
        **_tabs(request, "notifications"), "rows": rows, "channel": channel, "page": page,
        "has_next": has_next, "query": f"channel={channel}",
    })  # fmt: skip


@access.staff_only
def rate(request, number: str):
    """The window's rating tablet: the clerk opens it, the applicant taps one of five levels."""
    case = access.case_for_window_rating(request.user, number)
    done = Evaluation.objects.filter(case=case).first()
    if request.method == "POST" and done is None:
        form = forms.RateForm(request.POST)
        if form.is_valid():
            try:
                done = evaluation_submit(case=case, score=form.cleaned_data["score"],
                                         comment=form.cleaned_data["comment"], channel="window",
                                         by=request.user)  # fmt: skip
            except DomainError as e:
                messages.error(request, e.message)
            else:
                return redirect("supervision:rate", number=case.number)
    window = rating_window(case)
    last_day = window.date if window else None
    return render(request, "supervision/rate.html", {
        "case": case, "done": done, "last_day": last_day,
        "last_day_provisional": bool(window and window.provisional),
        "closed": window is not None and timezone.localdate() > last_day and not window.provisional,
        "scores": score_scale(),
    })  # fmt: skip


@require_POST
@access.supervisors_only
def demo_clock(request):
    if not demo_enabled():
        raise Http404("演示时钟只在演示环境提供")
    form = forms.DemoClockForm(request.POST)
    if form.is_valid():
        days = form.cleaned_data["days"]
        result = demo_clock_advance(days=days, by=request.user)
        messages.success(
            request,
            _("演示时钟前进 %(days)s 个工作日：%(cases)s 件在办件的日期已前移；新增黄牌 %(yellow)s 张、红牌 %(red)s 张，视为受理 %(deemed)s 件，记录通知 %(notifications)s 条。")
            % {"days": days, "cases": result["cases"], "yellow": result["yellow"], "red": result["red"],
               "deemed": result["deemed_accepted"], "notifications": result["notifications"]},
        )  # fmt: skip
    return redirect("supervision:board")


@access.supervisors_only
def partner_messages(request):
    """跨区通办: the messages to partner platforms (waiting, failed, delivered) and those refused
    from them, of the agreements of the supervisor's office (the city's: every one). A
    waiting or failed message is sent again with the retry button."""
    user = request.user
    state = request.GET.get("state", "")
    if request.method == "POST":
        message = partner_message_visible(user, request.POST.get("message", ""))
        if message is None or not message_retry(message_id=message.message_id):
            messages.error(request, _("该报文不存在或已送达"))
        else:
            messages.success(request, _("已重新排队发送，后台任务将在数秒内发送"))
        return redirect(f"{request.path}?state={state}" if state else request.path)
    qs = partner_messages_visible(user)
    if state in Message.State.values:
        qs = qs.filter(state=state)
    page = page_number(request.GET.get("page"))
    rows, has_next = page_rows(qs.select_related("agreement__partner"), page, PAGE_SIZE)
    return render(request, "supervision/partner_messages.html", {
        **_tabs(request, "partner"), "rows": rows, "state": state, "states": Message.State.choices,
        "counts": partner_message_counts(user), "refused": list(partner_refusals_visible(user)[:20]),
        "page": page, "has_next": has_next, "query": f"state={state}",
    })  # fmt: skip
