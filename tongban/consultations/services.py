"""Consultations (咨询) and the policy library (政策解读).

A clerk logs an enquiry in a few seconds: who asked, about which item, what was answered,
and whether it turned into a case. The staff member who logs it is its first responder
(首问负责) and stays recorded as such."""

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.cases import access as case_access
from tongban.cases.models import Case
from tongban.catalog.models import ServiceItem
from tongban.lib.errors import Forbidden, InvalidInput, NotFound
from tongban.lib.text import text_clean
from tongban.people.models import STAFF_ROLES, User

from .models import Consultation, PolicyQA

MAX_TEXT = 2000


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
                     case_number: str = "", asked_at: datetime | None = None) -> Consultation:  # fmt: skip
    """Record one enquiry taken by `clerk` (首问负责) at their office.

    `item` is a ServiceItem or its code; `case_number` the case it turned into, if any, which
    the clerk must be able to see. Raises Forbidden for a user without an office's case work,
    InvalidInput naming the field for anything else."""
    if clerk.role not in STAFF_ROLES or clerk.office_id is None:
        raise Forbidden(_("只有经办机构工作人员可以登记咨询"), code="staff_only")
    if channel not in Consultation.Channel.values:
        raise InvalidInput(
            _("咨询方式应为窗口或电话，而不是 %(channel)r") % {"channel": channel}, field="channel"
        )
    phone = text_clean(
        asker_phone, field="asker_phone", label=_("联系电话"), required=False, max_length=20
    )
    if phone and not phone.replace("-", "").isdigit():
        raise InvalidInput(
            _("联系电话只能包含数字和连字符"), code="invalid_phone", field="asker_phone"
        )
    return Consultation.objects.create(
        office_id=clerk.office_id,
        clerk=clerk,
        asked_at=asked_at or timezone.now(),
        channel=channel,
        asker_name=text_clean(
            asker_name, field="asker_name", label=_("咨询人"), required=False, max_length=100
        ),
        asker_phone=phone,
        item=_item(item),
        question=text_clean(
            question, field="question", label=_("咨询内容"), required=True, max_length=MAX_TEXT
        ),
        answer=text_clean(
            answer, field="answer", label=_("答复"), required=True, max_length=MAX_TEXT
        ),
        turned_into_case=_case(case_number, clerk),
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
