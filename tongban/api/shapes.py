"""What the API returns, built as plain dicts (tongban.api.schemas documents each shape).

The field names of the API contract (docs/api.md) are fixed: outside clients rely on them.
Every function here reads only what its caller has loaded (select_related); none queries.
Times are ISO 8601 in the city's zone (+08:00); dates are YYYY-MM-DD.
"""

from datetime import date, datetime

from django.urls import reverse
from django.utils import timezone
from rest_framework.utils.urls import replace_query_param

from tongban.cases.access import actions_available
from tongban.cases.models import Action, Case, Notice
from tongban.cases.selectors import bundle_status
from tongban.catalog.services import bundle_spec, form_masked
from tongban.lib.errors import DomainError
from tongban.lib.paging import page_rows
from tongban.offices.selectors import agent_point_codes
from tongban.people.models import User


def time_iso(value: datetime | None) -> str | None:
    # The city's zone; no request activates another (timezone.localtime would look it up).
    return value.astimezone(timezone.get_default_timezone()).isoformat() if value else None


def _date(value: date | None) -> str | None:
    return value.isoformat() if value else None


PAGE_SIZE = 50  # every list of the API


def page(results: list, count: int, next_url: str | None) -> dict:
    return {"count": count, "next": next_url, "results": results}


def paginate(request, qs, page_no: int, count=None) -> tuple[list, int, str | None]:
    """One page of `qs`: (rows, count, next URL). The count (`count()`, or qs.count()) costs a
    query only when the page does not tell it (a full page, or a page past the end)."""
    rows, more = page_rows(qs, page_no, PAGE_SIZE)
    if not more and (rows or page_no == 1):
        count = (page_no - 1) * PAGE_SIZE + len(rows)
    else:
        count = count() if count is not None else qs.count()
    next_url = (
        replace_query_param(request.build_absolute_uri(), "page", page_no + 1) if more else None
    )
    return rows, count, next_url


def office_data(office) -> dict:
    return {
        "code": office.code,
        "name": office.name,
        "level": office.level,
        "parent": office.parent.code if office.parent_id else None,
        "external": office.external,
    }


def item_data(version) -> dict:
    """An item's guide: the item (version.item, loaded) as its version in force describes it."""
    item = version.item
    return {
        "code": item.code,
        "name": item.name,
        "category": item.category,
        "department": item.department,
        "handling_type": version.handling_type,
        "legal_days": version.legal_days,
        "promised_days": version.promised_days,
        "channels": list(version.channels),
        "citywide": version.citywide,
        "materials": [
            {
                "code": m["code"],
                "name": m["name"],
                "form": m.get("form", "original"),
                "secondary": bool(m.get("secondary")),
            }
            for m in version.materials
        ],
        "steps": [s["name"] for s in version.steps],
        "version": version.number,
        "effective_from": _date(version.effective_from),
        "form": version.form,
        "conditions": version.conditions,
        "legal_basis": version.legal_basis,
        "fees": version.fees,
        "applicant_kinds": list(version.applicant_kinds),
        "notes": version.notes,
    }


# What case_summary() and case_data() read through the case: loaded with it (select_related).
# Office codes come apart, in one small query for a whole page (views._office_codes): cheaper
# than three more joins of the offices.
CASE_RELATED = ("item", "item_version", "applicant")
OFFICE_FIELDS = ("insured_region_id", "accepting_office_id", "handling_office_id")


def case_summary(case: Case, today: date, offices: dict[int, str],
                 agents: dict[int, str] | None = None) -> dict:  # fmt: skip
    """The light case shape of work queues: everything on the case row, no history.
    `offices` maps office pks to codes, `agents` the agents' pks to user names (agent_names)."""
    applicant = case.applicant
    return {
        "number": case.number,
        "status": case.status,
        "result": case.result or None,
        "item": {
            "code": case.item.code,
            "name": case.item.name,
            # Work queues annotate just the number instead of loading the version's JSON.
            "version": getattr(case, "item_version_number", None) or case.item_version.number,
        },
        "channel": case.channel,
        # 帮办代办: who acted for the applicant, beside the applicant; null when nobody did.
        "agent": (agents or {}).get(case.agent_id) or case.agent.username if case.agent_id else None,
        # The 代办点 it came through (its code), null for none.
        "agent_point": agent_point_codes([case.agent_point_id])[case.agent_point_id]
        if case.agent_point_id else None,
        "applicant": applicant_shape(applicant),
        "insured_region": offices[case.insured_region_id],
        "accepting_office": offices.get(case.accepting_office_id),
        "handling_office": offices.get(case.handling_office_id),
        "submitted_at": time_iso(case.submitted_at),
        "accepted_at": time_iso(case.accepted_at),
        "completed_at": time_iso(case.completed_at),
        "deadline": _date(case.deadline),
        "deadline_provisional": case.deadline_provisional,
        "overdue": case.is_overdue(today),
        "prereview_due": _date(case.prereview_due),
        "prereview_due_provisional": case.prereview_due_provisional,
        "missing_materials": list(case.missing_materials),
        "supplied_materials": list(case.supplied_materials),
        "promised_supplement_by": _date(case.promised_supplement_by),
        "supplement_due": _date(case.supplement_due),
        "supplement_due_provisional": case.supplement_due_provisional,
        "in_procedure": case.in_procedure,
        "extension_pending": case.extension_pending,
        "extended_days": case.extended_days,
        "version": case.version,
    }


def applicant_shape(applicant) -> dict:
    """An applicant as a case shows them to whoever may see the case: masked, with the
    special groups (特殊群体) they belong to."""
    groups = applicant.groups
    return {
        "name": applicant.name,
        "masked_id": applicant.masked_id,
        "kind": applicant.kind,
        "elderly": "elderly" in groups,
        "groups": groups,
    }


def history_entry(row: tuple) -> dict:
    """One CaseEvent, read as a tuple: (case pk, action, from status, to status, at, actor's
    username, office code, reason, step)."""
    _case_id, action, from_status, to_status, at, actor, office, reason, step = row
    return {
        "action": action,
        "from": from_status or None,
        "to": to_status,
        "at": time_iso(at),
        "actor": actor,
        "office": office,
        "reason": reason,
        "step": step,
    }


def agent_names(cases) -> dict[int, str]:
    """User names of the agents of `cases`: one query, none when no case has an agent."""
    ids = {c.agent_id for c in cases if c.agent_id}
    return dict(User.objects.filter(pk__in=ids).values_list("pk", "username")) if ids else {}


def case_data(case: Case, history: list[tuple], user, offices: dict[int, str],
              agents: dict[int, str] | None = None) -> dict:  # fmt: skip
    """The whole case as `user` sees it: its history and what they may do next."""
    data = case_summary(case, timezone.localdate(), offices, agents)
    step = case.current_step
    done = {row[1] for row in history}  # what the history shows was ever asked
    data.update(
        step=step["name"] if step else None,
        reason=case.reason,
        # Staff see bank accounts masked; the full form is GET …/personal-data (audited).
        form=case.form if user.applicant_id == case.applicant_id
        else form_masked(case.item_version.form, case.form),
        history=[history_entry(row) for row in history],
        # Read only for the cases that have some: no query for the others (every action's answer).
        extensions=[extension_data(e) for e in case.extensions.select_related("requested_by", "decided_by")]
        if Action.REQUEST_EXTENSION in done else [],
        procedures=[procedure_data(p) for p in case.special_procedures.all()]
        if Action.START_PROCEDURE in done else [],
        actions=[str(a) for a in actions_available(user, case)],
    )  # fmt: skip
    return data


def extension_data(e) -> dict:
    return {
        "days": e.days,
        "reason": e.reason,
        "status": e.status,
        "requested_at": time_iso(e.requested_at),
        "requested_by": e.requested_by.username,
        "deadline_before": _date(e.deadline_before),
        "decided_at": time_iso(e.decided_at),
        "decided_by": e.decided_by.username if e.decided_by else None,
        "decision_note": e.decision_note,
        "deadline_after": _date(e.deadline_after),
        "deadline_after_provisional": e.deadline_after_provisional,
    }


def procedure_data(p) -> dict:
    return {
        "kind": p.kind,
        "reason": p.reason,
        "started_on": _date(p.started_on),
        "ended_on": _date(p.ended_on),
        "outcome": p.outcome,
    }


def notice_data(notice: Notice, number: str) -> dict:
    return {
        "id": notice.pk,
        "kind": notice.kind,
        "issued_at": time_iso(notice.issued_at),
        "url": reverse("api:notice-pdf", kwargs={"number": number, "notice_id": notice.pk}),
    }


def agreement_data(agreement) -> dict:
    return {
        "title": agreement.title,
        "partner": agreement.partner.code,
        "partner_name": agreement.partner.name,
        "mode": agreement.mode,
        "items": [i.code for i in agreement.items.all()],
        "valid_from": _date(agreement.valid_from),
        "valid_to": _date(agreement.valid_to),
    }


def bundle_data(bundle) -> dict:
    """A bundle with its one merged form and list of materials (catalog.services.bundle_spec);
    a bundle whose items cannot be merged today (an item suspended, a field retyped by a new
    version) lists its items with an empty form: applying for it is refused, saying why."""
    try:
        spec = bundle_spec(bundle)
    except DomainError:
        spec = None
    return {
        "code": bundle.code,
        "name": bundle.name,
        "description": bundle.description,
        "items": [i.code for i in bundle.items.all()],
        "form": spec.form if spec else [],
        "materials": spec.materials if spec else [],
        "applicant_kinds": spec.applicant_kinds if spec else [],
        "channels": spec.channels if spec else [],
    }


def _bundle_head(application, cases) -> dict:
    return {
        "number": application.number,
        "bundle": application.bundle.code,
        "bundle_name": application.bundle.name,
        "channel": application.channel,
        "office": application.office.code if application.office_id else None,
        "submitted_at": time_iso(application.submitted_at),
        "status": bundle_status(cases),
    }


def bundle_application_summary(application, cases) -> dict:
    """A bundle application in a list: its status and its case numbers, a link to the whole."""
    return {
        **_bundle_head(application, cases),
        "case_numbers": [c.number for c in cases],
        "url": reverse("api:bundle-application-detail", kwargs={"number": application.number}),
    }


def bundle_application_data(application, cases, case_bodies, notices) -> dict:
    """A bundle application as its applicant and its clerk follow it: its status (all
    finished, or which cases wait and on what), its cases, its notices (the receipt, the one
    supplement notice)."""
    return {
        **_bundle_head(application, cases),
        "cases": case_bodies,
        "notices": [
            {"id": n.pk, "kind": n.kind, "issued_at": time_iso(n.issued_at),
             "url": reverse("api:bundle-notice-pdf", kwargs={"number": application.number, "notice_id": n.pk})}
            for n in notices
        ],
    }  # fmt: skip
