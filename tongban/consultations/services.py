"""Consultations (咨询) and the policy library (政策解读).

A clerk logs an enquiry in a few seconds: who asked, about which item, what was answered,
and whether it turned into a case. 首问负责 (docs/domain.md): the staff member who logs it is
its first responder and stays recorded as such; they own it until it is closed
(consultation_close) or handed on to a named colleague (consultation_hand_on), who then owns
it. Most enquiries at a window are settled by the answer given on the spot, so an enquiry is
closed when logged unless the clerk keeps it open for a later reply (`close=False`)."""

import re
from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.audit.services import record
from tongban.cases import access as case_access
from tongban.cases.models import Case
from tongban.catalog.models import ServiceItem
from tongban.lib.errors import Conflict, Forbidden, InvalidInput, NotFound
from tongban.lib.text import name_clean, phone_clean, text_clean
from tongban.people.models import User

from .access import is_staff, may_close, may_hand_on
from .models import Consultation, ConsultationHandOff, PolicyQA
from .selectors import colleagues

MAX_TEXT = 2000
MAX_NOTE = 500
_USERNAME = re.compile(r"[\w.@+-]{1,150}")  # what Django's username validator lets in


def _item(item) -> ServiceItem | None:
    if item in (None, ""):
        return None
    if isinstance(item, ServiceItem):
        return item
    text = str(item).strip()
    code = text.split()[0]
    # The desk's autocomplete sends "YB01003 城乡居民参保登记"; a typed name works too.
    found = ServiceItem.objects.filter(Q(code=code) | Q(name=text)).first()
    if found is None:
        raise InvalidInput(
            _("事项 %(code)r 不存在") % {"code": code}, code="unknown_item", field="item"
        )
    return found


def _case(number, clerk: User) -> Case | None:
    number = number.strip() if isinstance(number, str) else ""
    if not number:
        return None
    try:
        return case_access.case_for(clerk, number)
    except NotFound as e:  # the form's field, not the page: the enquiry is still being logged
        raise InvalidInput(e.message, code=e.code, field="turned_into_case") from None


def consultation_log(*, clerk: User, question: str, answer: str, item=None, asker_name: str = "",
                     asker_phone: str = "", channel: str = Consultation.Channel.WINDOW,
                     case_number: str = "", asked_at: datetime | None = None,
                     close: bool = True) -> Consultation:  # fmt: skip
    """Record one enquiry taken by `clerk` (首问负责) at their office; `clerk` is its first
    responder and its owner.

    With `close` (the default: most window questions are settled on the spot) it is closed
    at once, at the time it was asked, with the answer as its reply; without, it stays open
    in the clerk's 我的咨询 until they close it or hand it on. `item` is a ServiceItem or its
    code; `case_number` the case it turned into, if any, which the clerk must be able to see.
    Raises Forbidden for a user without an office's case work, InvalidInput naming the field
    for anything else."""
    if not is_staff(clerk):
        raise Forbidden(_("只有经办机构工作人员可以登记咨询"), code="staff_only")
    if channel not in Consultation.Channel.values:
        raise InvalidInput(
            _("咨询方式应为窗口或电话，而不是 %(channel)r") % {"channel": channel}, field="channel"
        )
    phone = phone_clean(asker_phone, field="asker_phone")
    asked_at = asked_at or timezone.now()
    asker_name = name_clean(
        asker_name, field="asker_name", label=_("咨询人"), required=False, max_length=100
    )
    item = _item(item)
    question = text_clean(
        question, field="question", label=_("咨询内容"), required=True, max_length=MAX_TEXT
    )
    answer = text_clean(answer, field="answer", label=_("答复"), required=True, max_length=MAX_TEXT)
    return Consultation.objects.create(
        office_id=clerk.office_id,
        clerk=clerk,
        owner=clerk,
        asked_at=asked_at,
        channel=channel,
        asker_name=asker_name,
        asker_phone=phone,
        item=item,
        question=question,
        answer=answer,
        turned_into_case=_case(case_number, clerk),
        **({"closed_at": asked_at, "closed_by": clerk, "reply": answer} if close else {}),
    )


def consultation_link_case(*, consultation: Consultation, case: Case, actor: User) -> Consultation:
    """Mark an enquiry as having turned into `case`. Only staff of the enquiry's office may,
    and only with a case they can see. The first responder is not changed."""
    if actor.office_id != consultation.office_id or not case_access.case_visible(actor, case):
        raise Forbidden(_("不能关联此咨询记录"), code="consultation_forbidden")
    Consultation.objects.filter(pk=consultation.pk, turned_into_case__isnull=True).update(
        turned_into_case=case
    )
    consultation.refresh_from_db(fields=["turned_into_case"])
    return consultation


# --- 首问负责: hand on, close -----------------------------------------------------------------


def _locked(consultation: Consultation) -> Consultation:
    """The enquiry's row, locked until the transaction ends, after checking that it is still
    open and still owned by whom the caller saw (`consultation.owner_id`): of two hand-ons or
    closings at once, the second to get the lock gets a Conflict, never a silent overwrite."""
    locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if locked.closed_at is not None:
        raise Conflict(_("该咨询已办结"), code="consultation_closed")
    if locked.owner_id != consultation.owner_id:
        raise Conflict(_("该咨询刚已转交他人，请刷新后再办理"), code="owner_changed")
    return locked


def _colleague(to) -> User:
    username = to.username if isinstance(to, User) else to
    found = None
    if isinstance(username, str) and _USERNAME.fullmatch(username.strip()):
        found = colleagues().filter(username=username.strip()).first()
    if found is None:
        raise InvalidInput(
            _("%(to)r 不是本市经办机构的在岗工作人员") % {"to": username},
            code="unknown_colleague",
            field="to",
        )
    return found


@transaction.atomic
def consultation_hand_on(*, consultation: Consultation, by: User, to, note: str,
                         ip: str | None = None, now: datetime | None = None) -> Consultation:  # fmt: skip
    """Hand an open enquiry on to a named colleague (首问负责: the first responder owns it
    until it is handled or handed on to a named person), who owns it from now on.

    `by` is its owner, or a supervisor of its office or of the city. `to` is a User or a
    username among `selectors.colleagues()` (active staff of any office of the city), not the
    owner; `note` says why and what is left to do. A ConsultationHandOff row records it and
    the audit trail too. Raises Forbidden (not_the_owner), Conflict (consultation_closed,
    owner_changed), InvalidInput (unknown_colleague, already_the_owner, required,
    too_long)."""
    if not may_hand_on(by, consultation):
        raise Forbidden(_("只有该咨询的当前责任人或科长/监察可以转交"), code="not_the_owner")
    target = _colleague(to)
    note = text_clean(note, field="note", label=_("转交说明"), required=True, max_length=MAX_NOTE)
    locked = _locked(consultation)
    if target.pk == locked.owner_id:
        raise InvalidInput(_("该同事已是这条咨询的责任人"), code="already_the_owner", field="to")
    now = now or timezone.now()
    ConsultationHandOff.objects.create(
        consultation=locked, from_user_id=locked.owner_id, to_user=target, by=by, at=now, note=note
    )
    previous = locked.owner_id
    locked.owner = target
    locked.save(update_fields=["owner"])
    record(event="consultation.handed_on", user=by, target=f"consultation:{locked.pk}", ip=ip,
           from_user=previous, to_user=target.pk)  # fmt: skip
    return locked


@transaction.atomic
def consultation_close(*, consultation: Consultation, by: User, reply: str,
                       ip: str | None = None, now: datetime | None = None) -> Consultation:  # fmt: skip
    """The owner closes an open enquiry with the final reply given to the asker (required).

    Raises Forbidden (not_the_owner), Conflict (consultation_closed, owner_changed),
    InvalidInput (required, too_long)."""
    if not may_close(by, consultation):
        raise Forbidden(_("只有该咨询的当前责任人可以办结"), code="not_the_owner")
    reply = text_clean(
        reply, field="reply", label=_("办结答复"), required=True, max_length=MAX_TEXT
    )
    locked = _locked(consultation)
    locked.reply, locked.closed_at, locked.closed_by = reply, now or timezone.now(), by
    locked.save(update_fields=["reply", "closed_at", "closed_by"])
    record(event="consultation.closed", user=by, target=f"consultation:{locked.pk}", ip=ip)
    return locked


def policy_search(*, q: str = "", item=None, published_only: bool = True) -> QuerySet:
    """Policy Q&As matching every word of `q` in question, answer, source or item name.

    `item` (a ServiceItem or code) limits the search to that item's policies."""
    qs = PolicyQA.objects.select_related("item")
    if published_only:
        qs = qs.filter(published=True)
    if item is not None:
        qs = qs.filter(item__code=item) if isinstance(item, str) else qs.filter(item=item)
    for word in (q or "").split()[:5]:
        qs = qs.filter(
            Q(question__icontains=word) | Q(answer__icontains=word) | Q(source__icontains=word)
            | Q(item__name__icontains=word) | Q(item__code__iexact=word)
        )  # fmt: skip
    return qs.order_by("item__code", "id")
