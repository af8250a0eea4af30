from django.db import connection

from tongban.catalog.models import ServiceItem
from tongban.catalog.selectors import item_version_cached
from tongban.lib import sql
from tongban.offices.models import Office
from tongban.people.models import Applicant

from .models import Case

_CASE, _ITEM = sql.Columns(Case, "c"), sql.Columns(ServiceItem, "i")
_APPLICANT, _OFFICE = sql.Columns(Applicant, "a"), sql.Columns(Office, "o")
_SQL: dict[tuple[str, bool], str] = {}


def case_by_number(number: str, *, lock: bool = False) -> Case | None:
    """Case `number` with its item, item version, applicant and handling office loaded; with
    `lock`, its row locked until the transaction ends. One prepared statement, not the ORM:
    every action and every case page runs it (tongban.lib.sql says why)."""
    key = (connection.vendor, lock)
    if key not in _SQL:
        for_update = (
            " FOR UPDATE OF c" if lock and connection.features.has_select_for_update_of else ""
        )
        _SQL[key] = (
            f"SELECT {_CASE.sql}, {_ITEM.sql}, {_APPLICANT.sql}, {_OFFICE.sql} "
            f"FROM {sql.table(Case)} c JOIN {sql.table(ServiceItem)} i ON i.id = c.item_id "
            f"JOIN {sql.table(Applicant)} a ON a.id = c.applicant_id "
            f"LEFT JOIN {sql.table(Office)} o ON o.id = c.handling_office_id "
            f"WHERE c.number = %s{for_update}"
        )
    with connection.cursor() as cursor:
        cursor.execute(_SQL[key], [number])
        row = cursor.fetchone()
    if row is None:
        return None
    case = _CASE.build(row)
    at = _CASE.width
    Case.item.field.set_cached_value(case, _ITEM.build(row, at))
    at += _ITEM.width
    Case.applicant.field.set_cached_value(case, _APPLICANT.build(row, at))
    at += _APPLICANT.width
    Case.handling_office.field.set_cached_value(case, _OFFICE.build(row, at))
    # Versions never change once written: kept per process.
    Case.item_version.field.set_cached_value(case, item_version_cached(case.item_version_id))
    return case
