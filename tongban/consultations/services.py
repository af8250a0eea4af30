"""Consultations (咨询) and the policy library (政策解读).

A clerk logs an enquiry in a few seconds: who asked, about which item, what was answered,
and whether it turned into a case. The staff member who logs it is its first responder
(首问负责) and stays recorded as such."""

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from tongban.cases import access as case_access
from tongban.cases.models import Case
from tongban.catalog.models import ServiceItem
from tongban.lib.errors import Forbidden, InvalidInput
from tongban.people.models import STAFF_ROLES, User

from .models import Consultation, PolicyQA

MAX_TEXT = 2000


def _text(value, field: str, label: str, *, required: bool, max_length: int) -> str:
    value = value.strip() if isinstance(value, str) else ""
    if required and not value:
        raise InvalidInput(f"{label}必填", code="required", field=field)
    if len(value) > max_length:
        raise InvalidInput(f"{label}最多 {max_length} 字", code="too_long", field=field)
    return value


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
        raise InvalidInput(f"事项 {code!r} 不存在", code="unknown_item", field="item")
    return found


def _case(number, clerk: User) -> Case | None:
    number = number.strip() if isinstance(number, str) else ""
    if not number:
        return None
    case = Case.objects.filter(number=number).first()
    if case is None or not case_access.case_visible(clerk, case):
        raise InvalidInput(f"办件 {number} 不存在", code="case_not_found", field="turned_into_case")
    return case


def consultation_log(*, clerk: User, question: str, answer: str, item=None, asker_name: str = "",
                     asker_phone: str = "", channel: str = Consultation.Channel.WINDOW,
                     case_number: str = "", asked_at: datetime | None = None) -> Consultation:  # fmt: skip
    """Record one enquiry taken by `clerk` (首问负责) at their office.

    `item` is a ServiceItem or its code; `case_number` the case it turned into, if any, which
    the clerk must be able to see. Raises Forbidden for a user without an office's case work,
    InvalidInput naming the field for anything else."""
    if clerk.role not in STAFF_ROLES or clerk.office_id is None:
        raise Forbidden("只有经办机构工作人员可以登记咨询", code="staff_only")
    if channel not in Consultation.Channel.values:
        raise InvalidInput(f"咨询方式应为窗口或电话，而不是 {channel!r}", field="channel")
    phone = _text(asker_phone, "asker_phone", "联系电话", required=False, max_length=20)
    if phone and not phone.replace("-", "").isdigit():
        raise InvalidInput(
            "联系电话只能包含数字和连字符", code="invalid_phone", field="asker_phone"
        )
    return Consultation.objects.create(
        office_id=clerk.office_id,
        clerk=clerk,
        asked_at=asked_at or timezone.now(),
        channel=channel,
        asker_name=_text(asker_name, "asker_name", "咨询人", required=False, max_length=100),
        asker_phone=phone,
        item=_item(item),
        question=_text(question, "question", "咨询内容", required=True, max_length=MAX_TEXT),
        answer=_text(answer, "answer", "答复", required=True, max_length=MAX_TEXT),
        turned_into_case=_case(case_number, clerk),
    )


def consultation_link_case(*, consultation: Consultation, case: Case, actor: User) -> Consultation:
    """Mark an enquiry as having turned into `case`. Only staff of the enquiry's office may,
    and only with a case they can see. The first responder is not changed."""
    if actor.office_id != consultation.office_id or not case_access.case_visible(actor, case):
        raise Forbidden("不能关联此咨询记录", code="consultation_forbidden")
    Consultation.objects.filter(pk=consultation.pk, turned_into_case__isnull=True).update(
        turned_into_case=case
    )
    consultation.refresh_from_db(fields=["turned_into_case"])
    return consultation


def consultations_for_office(*, office_id: int, q: str = "") -> QuerySet:
    """One office's enquiries, newest first; `q` searches question, answer, asker and item."""
    qs = Consultation.objects.filter(office_id=office_id).select_related(
        "clerk", "item", "turned_into_case"
    )
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(question__icontains=q) | Q(answer__icontains=q) | Q(asker_name__icontains=q)
            | Q(item__name__icontains=q) | Q(item__code__iexact=q)
        )  # fmt: skip
    return qs.order_by("-asked_at", "-id")


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
