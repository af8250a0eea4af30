"""好差评: rating a finished case, rectifying a bad rating, and appealing a rating.

docs/domain.md, "Evaluation (好差评)": five levels; one rating per case within TONGBAN_RATING_DAYS working
days of the handling day; a bad rating (below TONGBAN_GOOD_RATING_MIN) is verified and
rectified by the office that handled the case within TONGBAN_RECTIFY_DAYS working days, with
a call-back to the applicant before a supervisor closes it (回访率 100%); an office may appeal
a rating and an upheld appeal takes it out of the figures.
"""

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.audit.services import record
from tongban.cases.access import case_is_own
from tongban.cases.models import Case, Status
from tongban.lib.errors import Conflict, Forbidden, InvalidInput
from tongban.lib.text import text_clean
from tongban.offices.models import Office
from tongban.people.models import STAFF_ROLES, Role, User
from tongban.workdays import services as workdays

from .models import Appeal, Evaluation, RatingChannel, Rectification, Score, good_rating_min

RATEABLE = (Status.COMPLETED, Status.REJECTED)
MAX_TEXT = 2000


def _score(value) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value not in Score.values:
        raise InvalidInput(
            _("评价等级应为 1 到 5：5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意"),
            code="invalid_score",
            field="score",
        )
    return value


def rating_window(case: Case) -> workdays.Due | None:
    """The last day on which `case` may be rated (TONGBAN_RATING_DAYS working days after the
    day it ended), with whether that day is a guess into a year not loaded; None while it may
    not be rated yet."""
    if case.status not in RATEABLE or case.completed_at is None:
        return None
    return workdays.add(timezone.localdate(case.completed_at), settings.TONGBAN_RATING_DAYS)


def _check_rater(case: Case, channel: str, by: User | None) -> None:
    if channel == RatingChannel.WINDOW:
        # The clerk hands the window's rating tablet to the applicant in front of them.
        offices = {case.handling_office_id, case.accepting_office_id} - {None}
        if by is None or by.role not in STAFF_ROLES or by.office_id not in offices:
            raise Forbidden(_("只能在办理该办件的经办机构窗口评价"), code="not_this_office")
        return
    if channel == RatingChannel.QR and by is None:
        return  # the portal checked the notice's code before calling
    if by is None or not case_is_own(by, case):
        raise Forbidden(_("只有该办件的申请人可以评价"), code="not_the_applicant")


def evaluation_submit(*, case: Case, score, comment: str = "", channel: str,
                      by: User | None = None, now: datetime | None = None) -> Evaluation:  # fmt: skip
    """Rate a finished case (一事一评). A bad rating opens a rectification for the office that
    handled the case, due in TONGBAN_RECTIFY_DAYS working days.

    `by` is the applicant (or their agent) on the portal, the clerk whose window tablet is
    used, or None from the QR code of a notice. Raises InvalidInput (invalid_score,
    invalid_channel, too_long), Forbidden (not_the_applicant, not_this_office), Conflict
    (case_not_ended, rating_window_closed, already_rated)."""
    now = now or timezone.now()
    if channel not in RatingChannel.values:
        raise InvalidInput(
            _("评价渠道应为 portal、qr 或 window，而不是 %(channel)r") % {"channel": channel},
            code="invalid_channel",
            field="channel",
        )
    score = _score(score)
    comment = text_clean(
        comment, field="comment", required=False, max_length=MAX_TEXT, label=_("评价内容")
    )
    _check_rater(case, channel, by)
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
        window = rating_window(case)
        if window is None:
            raise Conflict(_("办件办结后才能评价"), code="case_not_ended")
        last_day = window.date
        # A window closed only by a guess (a year not loaded yet) is not closed.
        if timezone.localdate(now) > last_day and not window.provisional:
            raise Conflict(
                _("评价期限已过：应在办结后 %(days)s 个工作日内（%(last_day)s 前）评价")
                % {"days": settings.TONGBAN_RATING_DAYS, "last_day": f"{last_day:%Y-%m-%d}"},
                code="rating_window_closed",
            )
        if Evaluation.objects.filter(case=case).exists():
            raise Conflict(_("该办件已评价，每件只能评价一次"), code="already_rated")
        try:
            with transaction.atomic():
                evaluation = Evaluation.objects.create(
                    case=case, score=score, comment=comment, channel=channel, created_at=now,
                    rated_by=by if by and by.pk else None,
                )  # fmt: skip
        except IntegrityError:
            raise Conflict(_("该办件已评价，每件只能评价一次"), code="already_rated") from None
        if score < good_rating_min():
            office = case.handling_office or case.accepting_office or _city_office()
            due = workdays.add(timezone.localdate(now), settings.TONGBAN_RECTIFY_DAYS)
            Rectification.objects.create(evaluation=evaluation, office=office, opened_at=now,
                                         due=due.date, due_provisional=due.provisional)  # fmt: skip
        record(event="evaluation.submitted", user=by, target=case.number, score=score,
               channel=channel)  # fmt: skip
    return evaluation


def rectification_dues_recompute(*, year: int | None = None) -> int:
    """Count the open rectifications' due dates again after a calendar year is loaded or
    changed (from `year` - 1 on); returns how many moved."""
    rows = Rectification.objects.filter(closed_at__isnull=True)
    if year is not None:
        rows = rows.filter(due__year__gte=year - 1)
    moved = 0
    for r in rows.only("pk", "opened_at", "due", "due_provisional"):
        due = workdays.add(timezone.localdate(r.opened_at), settings.TONGBAN_RECTIFY_DAYS)
        if (due.date, due.provisional) != (r.due, r.due_provisional):
            moved += Rectification.objects.filter(pk=r.pk, closed_at__isnull=True).update(
                due=due.date, due_provisional=due.provisional
            )
    return moved


def _city_office() -> Office:
    return Office.objects.get(code=settings.TONGBAN_CITY_CODE)


# --- Rectification -------------------------------------------------------------------------


def _may_supervise(user: User, office_id: int) -> bool:
    return user.role == Role.SUPERVISOR and (user.is_city_supervisor or user.office_id == office_id)


def _locked_open(rectification: Rectification, by: User) -> Rectification:
    r = (
        Rectification.objects.select_for_update()
        .select_related("evaluation__case")
        .get(pk=rectification.pk)
    )
    if not _may_supervise(by, r.office_id):
        raise Forbidden(_("只有该经办机构或市局的科长/监察可以办理整改"), code="not_supervisor")
    if r.closed_at is not None:
        raise Conflict(_("整改已办结"), code="rectification_closed")
    return r


@transaction.atomic
def rectification_verify(*, rectification: Rectification, by: User, verification: str,
                         now: datetime | None = None) -> Rectification:  # fmt: skip
    """Record what the office found and did about the bad rating (核实整改).

    Raises Forbidden (not_supervisor), Conflict (rectification_closed), InvalidInput."""
    r = _locked_open(rectification, by)
    r.verification = text_clean(
        verification,
        field="verification",
        required=True,
        max_length=MAX_TEXT,
        label=_("核实与整改情况"),
    )
    r.verified_at, r.verified_by = now or timezone.now(), by
    r.save(update_fields=["verification", "verified_at", "verified_by"])
    record(event="rectification.verified", user=by, target=r.evaluation.case.number,
           rectification=r.pk)  # fmt: skip
    return r


@transaction.atomic
def rectification_record_callback(*, rectification: Rectification, by: User, outcome: str,
                                  satisfied: bool | None = None,
                                  now: datetime | None = None) -> Rectification:  # fmt: skip
    """Record the call-back to the applicant (回访), after the office has rectified.

    Raises Forbidden (not_supervisor), Conflict (rectification_closed, not_verified)."""
    r = _locked_open(rectification, by)
    if r.verified_at is None:
        raise Conflict(_("请先核实整改，再回访申请人"), code="not_verified")
    r.callback_outcome = text_clean(
        outcome, field="outcome", required=True, max_length=MAX_TEXT, label=_("回访情况")
    )
    r.callback_satisfied = satisfied
    r.callback_at, r.callback_by = now or timezone.now(), by
    r.save(update_fields=["callback_outcome", "callback_satisfied", "callback_at", "callback_by"])
    record(event="rectification.callback", user=by, target=r.evaluation.case.number,
           rectification=r.pk, satisfied=satisfied)  # fmt: skip
    return r


@transaction.atomic
def rectification_close(*, rectification: Rectification, by: User, note: str = "",
                        now: datetime | None = None) -> Rectification:  # fmt: skip
    """A supervisor closes the rectification; it needs the call-back first (回访率 100%).

    Raises Forbidden (not_supervisor), Conflict (rectification_closed, callback_required)."""
    r = _locked_open(rectification, by)
    if r.callback_at is None:
        raise Conflict(_("办结前须回访申请人并记录回访情况"), code="callback_required")
    r.closing_note = text_clean(
        note, field="note", required=False, max_length=MAX_TEXT, label=_("办结意见")
    )
    r.closed_at, r.closed_by = now or timezone.now(), by
    r.save(update_fields=["closing_note", "closed_at", "closed_by"])
    record(event="rectification.closed", user=by, target=r.evaluation.case.number,
           rectification=r.pk, in_time=r.closed_in_time)  # fmt: skip
    return r


def rectifications_visible(user: User):
    qs = Rectification.objects.select_related(
        "evaluation__case__item", "office", "evaluation__case__applicant"
    )
    if user.role != Role.SUPERVISOR:
        return qs.none()
    if user.is_city_supervisor:
        return qs
    return qs.filter(office_id=user.office_id)


# --- Appeals -------------------------------------------------------------------------------


@transaction.atomic
def appeal_file(*, evaluation: Evaluation, by: User, reason: str,
                now: datetime | None = None) -> Appeal:  # fmt: skip
    """The office that handled the case appeals a bad rating it believes mistaken or
    malicious. One appeal per rating, while its rectification is open.

    Raises Forbidden (not_office_supervisor), Conflict (not_bad, rectification_closed,
    already_appealed), InvalidInput."""
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    r = Rectification.objects.filter(evaluation=evaluation).first()
    if r is None:
        raise Conflict(_("只有差评可以申诉"), code="not_bad")
    if by.role != Role.SUPERVISOR or by.office_id != r.office_id:
        raise Forbidden(_("由办理该办件的经办机构科长提出申诉"), code="not_office_supervisor")
    if r.closed_at is not None:
        raise Conflict(_("整改已办结，不能再申诉"), code="rectification_closed")
    if Appeal.objects.filter(evaluation=evaluation).exists():
        raise Conflict(_("该评价已申诉过"), code="already_appealed")
    appeal = Appeal.objects.create(
        evaluation=evaluation, office_id=r.office_id, filed_by=by, filed_at=now or timezone.now(),
        reason=text_clean(reason, field="reason", required=True, max_length=MAX_TEXT, label=_("申诉理由")),
    )  # fmt: skip
    record(event="appeal.filed", user=by, target=evaluation.case.number, appeal=appeal.pk)
    return appeal


@transaction.atomic
def appeal_decide(*, appeal: Appeal, by: User, upheld: bool, note: str,
                  now: datetime | None = None) -> Appeal:  # fmt: skip
    """A supervisor of the city decides an appeal. Upheld: the rating is excluded from the
    figures and its rectification closed as void.

    Raises Forbidden (city_supervisors_only, own_appeal), Conflict (already_decided)."""
    now = now or timezone.now()
    appeal = Appeal.objects.select_for_update().select_related("evaluation__case").get(pk=appeal.pk)
    if not by.is_city_supervisor:
        raise Forbidden(_("申诉由市局科长/监察审核"), code="city_supervisors_only")
    if appeal.filed_by_id == by.pk:
        raise Forbidden(_("不能审核自己提出的申诉"), code="own_appeal")
    if appeal.status != Appeal.Status.PENDING:
        raise Conflict(_("该申诉已审核"), code="already_decided")
    appeal.note = text_clean(
        note, field="note", required=True, max_length=MAX_TEXT, label=_("审核意见")
    )
    appeal.status = Appeal.Status.UPHELD if upheld else Appeal.Status.REJECTED
    appeal.decided_at, appeal.decided_by = now, by
    appeal.save(update_fields=["note", "status", "decided_at", "decided_by"])
    if upheld:
        Evaluation.objects.filter(pk=appeal.evaluation_id).update(excluded=True)
        Rectification.objects.filter(evaluation_id=appeal.evaluation_id, closed_at=None).update(
            void=True, closed_at=now, closed_by=by, closing_note=f"申诉成立：{appeal.note}"
        )
    record(event="appeal.decided", user=by, target=appeal.evaluation.case.number,
           appeal=appeal.pk, upheld=upheld)  # fmt: skip
    return appeal


def appeals_visible(user: User):
    qs = Appeal.objects.select_related("evaluation__case__item", "office", "filed_by")
    if user.role != Role.SUPERVISOR:
        return qs.none()
    if user.is_city_supervisor:
        return qs
    return qs.filter(office_id=user.office_id)
