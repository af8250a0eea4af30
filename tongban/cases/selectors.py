import json
import re
from datetime import UTC, datetime

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext_lazy

from tongban.catalog.models import ServiceItem
from tongban.catalog.selectors import item_version_cached
from tongban.lib import sql
from tongban.lib.identifiers import IdentifierError, resident_id_validate, uscc_validate
from tongban.lib.sealed import blind_q
from tongban.offices.models import Office
from tongban.people.models import Applicant, User

from .models import Case, CaseEvent, Status

_CASE, _ITEM = sql.Columns(Case, "c"), sql.Columns(ServiceItem, "i")
_APPLICANT, _OFFICE = sql.Columns(Applicant, "a"), sql.Columns(Office, "o")
_SQL: dict[tuple[str, bool, bool], str] = {}

# A case's history as its answers show it, one tuple an event: (case pk, action, from status,
# to status, at, actor's username, office code, reason, step). Read here, and appended to by
# the services as they write each event (history_append).
_EVENT_COLUMNS = (
    "e.case_id, e.action, e.from_status, e.to_status, e.at, eu.username, eo.code, e.reason, e.step"
)
_EVENT_JOINS = (
    f"LEFT JOIN {sql.table(User)} eu ON eu.id = e.actor_id "
    f"LEFT JOIN {sql.table(Office)} eo ON eo.id = e.office_id"
)
_EVENT_ROW = sql.Row(None, None, None, None, CaseEvent._meta.get_field("at"))
# The same, aggregated into one JSON array on the case's own row (a row an event would repeat
# every column of the case, its item and applicant, and load them again each time), each
# event's id last, to put them in order (at, id).
_EVENTS_JSON = {
    "postgresql": "(SELECT json_agg(json_build_array({columns}, e.id))::text FROM {events} e "
    "{joins} WHERE e.case_id = c.id)",
    "sqlite": "(SELECT json_group_array(json_array({columns}, e.id)) FROM {events} e {joins} "
    "WHERE e.case_id = c.id)",
}


def _history_from_json(text: str | None) -> list[tuple]:
    events = json.loads(text or "[]")
    for event in events:
        at = datetime.fromisoformat(event[4])
        event[4] = at if at.tzinfo else at.replace(tzinfo=UTC)  # SQLite keeps UTC without offset
    events.sort(key=lambda event: (event[4], event[-1]))  # at, id
    return [tuple(event[:-1]) for event in events]


def case_by_number(number: str, *, lock: bool = False, history: bool = False) -> Case | None:
    """Case `number` with its item, item version, applicant and handling office loaded; with
    `lock`, its row locked until the transaction ends; with `history`, its events read into
    `case.history_rows` in the same statement. One prepared statement,
    not the ORM: every action and every case page runs it (tongban.lib.sql says why)."""
    key = (connection.vendor, lock, history)
    if key not in _SQL:
        for_update = (
            " FOR UPDATE OF c" if lock and connection.features.has_select_for_update_of else ""
        )
        events = ""
        if history:
            events = ", " + _EVENTS_JSON[connection.vendor].format(
                columns=_EVENT_COLUMNS, events=sql.table(CaseEvent), joins=_EVENT_JOINS
            )
        _SQL[key] = (
            f"SELECT {_CASE.sql}, {_ITEM.sql}, {_APPLICANT.sql}, {_OFFICE.sql}{events} "
            f"FROM {sql.table(Case)} c JOIN {sql.table(ServiceItem)} i ON i.id = c.item_id "
            f"JOIN {sql.table(Applicant)} a ON a.id = c.applicant_id "
            f"LEFT JOIN {sql.table(Office)} o ON o.id = c.handling_office_id "
            f"WHERE c.number = %s{for_update}"
        )
    with sql.cursor() as cursor:
        cursor.execute(_SQL[key], [number])
        row = cursor.fetchone()
    if row is None:
        return None
    case = _CASE.build(row)
    if history:
        case.history_rows = _history_from_json(row[-1])
    at = _CASE.width
    Case.item.field.set_cached_value(case, _ITEM.build(row, at))
    at += _ITEM.width
    Case.applicant.field.set_cached_value(case, _APPLICANT.build(row, at))
    at += _APPLICANT.width
    Case.handling_office.field.set_cached_value(case, _OFFICE.build(row, at))
    # Versions never change once written: kept per process.
    Case.item_version.field.set_cached_value(case, item_version_cached(case.item_version_id))
    return case


def broken_promises(*, applicant_id: int) -> int:
    """How many of an applicant's cases ended because a 容缺 promise was not kept (the lapse
    marks its event). Read when a window considers 容缺 for them, and shown to it."""
    return CaseEvent.objects.filter(
        case__applicant_id=applicant_id, action="deny", data__lapse="promise"
    ).count()


def case_notice(case: Case, notice_id: int):
    """Notice `notice_id` of `case`, or None (an id past bigint too: a path's <int:> takes any
    run of digits, and PostgreSQL would fail rather than miss)."""
    return case.notices.filter(pk=notice_id).first() if notice_id < 2**63 else None


def histories(cases) -> dict[int, list[tuple]]:
    """The history rows (as in case_by_number) of `cases`, per case pk: those read with their
    case as they are, the others in one query."""
    out = {case.pk: case.history_rows for case in cases if hasattr(case, "history_rows")}
    unread = [case.pk for case in cases if case.pk not in out]
    if unread:
        out.update((pk, []) for pk in unread)
        query = (
            f"SELECT {_EVENT_COLUMNS} FROM {sql.table(CaseEvent)} e {_EVENT_JOINS} "
            f"WHERE e.case_id IN ({', '.join(['%s'] * len(unread))}) ORDER BY e.at, e.id"
        )
        for row in _EVENT_ROW.fetch(query, unread):
            out[row[0]].append(row)
    return out


def history_append(case: Case, event_row: tuple) -> None:
    """Add an event just written to `case.history_rows`, when the case was read with them: the
    case's lock keeps anyone else from writing one in between."""
    if hasattr(case, "history_rows"):
        case.history_rows.append(event_row)


# A case number is <office code>-<yyyymmdd>-<sequence> (services._next_number); the
# beginning of one is the office code, then as much of the rest as typed.
_NUMBER = re.compile(r"\d{6}-\d{8}-\d{6}")
_NUMBER_START = re.compile(r"\d{6}(-(\d{8}(-\d{0,6})?|\d{0,7}))?")
NAME_MATCHES_MAX = 200


def cases_search(q: str) -> Q:
    """The cases a person means by `q` in a search box, the same in every list (the API's
    `q=`, the desk's queues):

    - a valid resident ID number or unified social credit code: that applicant's cases;
    - a case number, or its beginning (an office code, then as much of the date and sequence as
      typed): the cases whose number starts so;
    - anything else: the cases of applicants of that full name (names are sealed at rest and
      found by their blind index, so a part of a name finds nothing; the first
      NAME_MATCHES_MAX such applicants).

    Which one is told by the shape of `q`, never asked of the database with an OR: with the OR,
    PostgreSQL walked a million cases newest-first to find a few (450 ms against 2 ms)."""
    q = q.strip()
    for validate in (resident_id_validate, uscc_validate):
        try:
            number = validate(q)
        except IdentifierError:
            continue
        return Q(
            applicant__in=Applicant.objects.filter(blind_q(Applicant, "id_number", number)).values(
                "pk"
            )
        )
    if _NUMBER.fullmatch(q.upper()):
        return Q(number=q.upper())
    if _NUMBER_START.fullmatch(q.upper()):
        return _number_range(q.upper())
    ids = list(
        Applicant.objects.filter(blind_q(Applicant, "name", q)).values_list("pk", flat=True)[
            :NAME_MATCHES_MAX
        ]
    )
    return Q(applicant_id__in=ids)


def search_order(q: str) -> tuple[str, ...]:
    """The order the cases `q` finds are listed in, newest first. A number's beginning lists by
    number, last first: an office's numbers are handed out per day in the order of submission
    (services._next_number), and the number's own index then gives the first page without
    sorting every case of an office's day (2,170 at ten million cases: 57 ms against 0.3)."""
    if _NUMBER_START.fullmatch(q.strip().upper()):  # a whole number too
        return ("-number",)
    return ("-submitted_at", "-pk")


def _number_range(start: str) -> Q:
    """The numbers that begin with `start`, as a range of the number's index: from `start` up
    to the next beginning of the same length (371522-2026 → 371522-2027, 371599 → 371600).
    Every number has the same shape, so this holds in any collation, also those that skip the
    hyphens. (LIKE 'start%' made PostgreSQL read the pattern index and sort what it found.)"""
    start = start.rstrip("-")
    digits = start.replace("-", "")
    if set(digits) == {"9"}:
        return Q(number__gte=start)
    following = iter(f"{int(digits) + 1:0{len(digits)}d}")
    end = "".join(c if c == "-" else next(following) for c in start)
    return Q(number__gte=start, number__lt=end)


# --- Bundles -------------------------------------------------------------------------------

FINAL = (Status.COMPLETED, Status.REJECTED, Status.WITHDRAWN)


def bundle_status(cases) -> dict:
    """A bundle application's status, from its cases: `state` is
    - `finished` when every case is finished (completed, refused or withdrawn),
      `withdrawn` when every one was withdrawn;
    - `awaiting_supplement` when any case waits for materials,
    - `submitted` when any waits for acceptance (and none for materials),
    - `in_progress` when all are accepted and some are still in review;
    `waiting` lists the cases not finished, each with its status and missing materials, and
    `finished`/`total` count them."""
    cases = list(cases)
    open_ = [c for c in cases if c.status not in FINAL]
    statuses = {c.status for c in open_}
    if not open_:
        state = (
            "withdrawn"
            if cases and all(c.status == Status.WITHDRAWN for c in cases)
            else "finished"
        )
    elif Status.AWAITING_SUPPLEMENT in statuses:
        state = "awaiting_supplement"
    elif Status.SUBMITTED in statuses:
        state = "submitted"
    else:
        state = "in_progress"
    waiting = []
    for c in open_:
        names = {m["code"]: m["name"] for m in c.item_version.materials}
        waiting.append({"number": c.number, "item": c.item.name, "status": c.status,
                        "missing_materials": [names.get(m, m) for m in c.missing_materials]})  # fmt: skip
    return {"state": state, "label": str(BUNDLE_STATES[state]), "finished": len(cases) - len(open_),
            "total": len(cases), "waiting": waiting}  # fmt: skip


BUNDLE_STATES = {
    "finished": gettext_lazy("全部办结"),
    "withdrawn": gettext_lazy("已撤回"),
    "awaiting_supplement": gettext_lazy("部分办件待补正"),
    "submitted": gettext_lazy("待受理"),
    "in_progress": gettext_lazy("审核中"),
}
