"""个人信息查阅复制 (PIPL §45): everything tongban holds about the signed-in person or employer,
as one JSON file. What staff wrote about a case (its events, notices, decisions) is the
person's too; other people's accounts appear only by their user name, never their details."""

import json

from django.db.models import Model, Q
from django.utils import timezone

from tongban.audit.models import AuditEntry
from tongban.audit.services import record
from tongban.cases.models import (
    Attachment,
    BundleApplication,
    Case,
    CaseEvent,
    ClockStop,
    Extension,
    Notice,
    SpecialProcedure,
)
from tongban.consultations.models import Consultation
from tongban.evaluations.models import Appeal, Evaluation
from tongban.lib.sealed import BlindIndexField, blind_q
from tongban.people.models import User
from tongban.supervision.models import Notification

# Never in an export: secrets, and how the product keeps itself (not data about the person).
_SKIP = {"password", "digest", "stamp", "key", "claimed_at", "attempts"}


def _row(obj: Model) -> dict:
    """The instance's own columns; a related row by its str (a user by user name)."""
    row = {}
    for field in obj._meta.concrete_fields:
        if field.name in _SKIP or isinstance(field, BlindIndexField):
            continue  # a blind index is a keyed hash for lookups: nothing about the person
        if field.is_relation:
            related = getattr(obj, field.name)
            value = None if related is None else (
                related.get_username() if isinstance(related, User) else str(related)
            )  # fmt: skip
        else:
            value = field.value_from_object(obj)
        row[field.name] = value
    return row


def _rows(queryset) -> list[dict]:
    """_row of each; every related row read with it (one query, not one per row and field)."""
    related = [f.name for f in queryset.model._meta.concrete_fields if f.is_relation]
    return [_row(obj) for obj in queryset.select_related(*related)]


def personal_data(user: User) -> dict:
    """What is held about `user` and the person or employer they are."""
    # The person's or employer's records once the identity service confirmed the account is
    # theirs; before that, only the account itself.
    applicant = user.applicant if user.verified_at else None
    cases = Case.objects.none()
    phones = {p for p in (user.phone, applicant.phone if applicant else "") if p}
    data = {"exported_at": timezone.now(), "account": _row(user)}
    if applicant is not None:
        # A version shows as "<item> v<n>": its item too (the rest: _rows).
        cases = Case.objects.filter(applicant=applicant).select_related("item_version__item")
        data["applicant"] = _row(applicant)
        data["bundle_applications"] = _rows(BundleApplication.objects.filter(applicant=applicant))
    case_ids = list(cases.values_list("pk", flat=True))
    asked, told = Q(pk__in=[]), Q(pk__in=[])
    for phone in phones:
        asked |= blind_q(Consultation, "asker_phone", phone)
        told |= blind_q(Notification, "recipient", phone)
    in_cases = Q(case_id__in=case_ids)
    data.update({
        "cases": _rows(cases.order_by("pk")),
        "case_events": _rows(CaseEvent.objects.filter(in_cases).select_related("case", "actor", "office").order_by("pk")),
        "notices": _rows(Notice.objects.filter(in_cases).order_by("pk")),
        "attachments": _rows(Attachment.objects.filter(in_cases).order_by("pk")),
        "extensions": _rows(Extension.objects.filter(in_cases).order_by("pk")),
        "special_procedures": _rows(SpecialProcedure.objects.filter(in_cases).order_by("pk")),
        "clock_stops": _rows(ClockStop.objects.filter(in_cases).order_by("pk")),
        "evaluations": _rows(Evaluation.objects.filter(in_cases).order_by("pk")),
        "appeals": _rows(Appeal.objects.filter(evaluation__case_id__in=case_ids).order_by("pk")),
        "consultations": _rows(Consultation.objects.filter(asked).order_by("pk")),
        "notifications": _rows(Notification.objects.filter(Q(user=user) | in_cases | told).order_by("pk")),
        "audit": _rows(AuditEntry.objects.filter(user=user).order_by("pk")),
    })  # fmt: skip
    return data


def personal_data_json(user: User, *, ip: str | None) -> bytes:
    """personal_data() as a JSON file; the export itself is audited."""
    data = personal_data(user)
    record(event="people.data_exported", user=user, ip=ip, target=user.pk,
           cases=len(data["cases"]))  # fmt: skip
    return json.dumps(data, ensure_ascii=False, indent=1, default=str).encode()
