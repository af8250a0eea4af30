from datetime import date

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.lib import sql
from tongban.lib.errors import InvalidInput

from .models import ItemVersion, ServiceItem

# The version of an item in force on a day: the one with the latest effective date on or
# before it, the highest number among versions of that date (an item's versions are numbered
# in order). Written here twice, in the same order: the prepared statement below for the
# lookup every application makes, versions_in_force() for lists.
_IN_FORCE_ORDER = ("-effective_from", "-number")


def item_version_in_force(*, code: str, on: date | None = None) -> ItemVersion | None:
    """The version of item `code` in force on `on` (today), with its item loaded, whatever the
    item's status; None for an unknown item or one with no version in force yet. One query."""
    on = on or timezone.localdate()
    with sql.cursor() as cursor:  # every application asks: prepared SQL (lib.sql)
        cursor.execute(_IN_FORCE_SQL, [code, on])
        row = cursor.fetchone()
    if row is None:
        return None
    version = _VERSION.build(row)
    version.item = _ITEM.build(row, _VERSION.width)
    return version


def item_version_current(*, code: str, on: date | None = None) -> ItemVersion:
    """item_version_in_force() of an item open for applications.

    Raises InvalidInput (field "item") for an unknown, suspended or retired item."""
    version = item_version_in_force(code=code, on=on)
    if version is None:
        raise InvalidInput(
            _("事项 %(code)r 不存在") % {"code": code}, code="unknown_item", field="item"
        )
    item = version.item
    if item.status != ServiceItem.Status.ACTIVE:
        raise InvalidInput(
            _("事项“%(item)s”%(status)s，暂不受理")
            % {"item": item.name, "status": item.get_status_display()},
            code=f"item_{item.status}",
            field="item",
        )
    return version


_VERSION, _ITEM = sql.Columns(ItemVersion, "v"), sql.Columns(ServiceItem, "i")
_IN_FORCE_SQL = (
    f"SELECT {_VERSION.sql}, {_ITEM.sql} FROM {sql.table(ItemVersion)} v "
    f"JOIN {sql.table(ServiceItem)} i ON i.id = v.item_id "
    "WHERE i.code = %s AND v.effective_from <= %s "
    "ORDER BY v.effective_from DESC, v.number DESC LIMIT 1"  # _IN_FORCE_ORDER
)


def versions_in_force(*, on: date | None = None) -> QuerySet:
    """The versions in force on `on` (today) of the item at OuterRef("pk"): a queryset whose
    first row is the one, for Subquery() in a list of items."""
    on = on or timezone.localdate()
    return ItemVersion.objects.filter(item=OuterRef("pk"), effective_from__lte=on).order_by(
        *_IN_FORCE_ORDER
    )


def item_choices() -> list[tuple[str, str]]:
    """(code, "code name") of every active item, by code: a form's choice of items."""
    active = ServiceItem.objects.filter(status=ServiceItem.Status.ACTIVE).order_by("code")
    return [(code, f"{code} {name}") for code, name in active.values_list("code", "name")]


def items_active(*, on: date | None = None):
    """Active items, each annotated with the pk of its version in force (`current_version_id`)."""
    return (
        ServiceItem.objects.filter(status=ServiceItem.Status.ACTIVE)
        .annotate(current_version_id=Subquery(versions_in_force(on=on).values("pk")[:1]))
        .exclude(current_version_id=None)
        .order_by("code")
    )


def versions_by_pk(pks) -> dict[int, ItemVersion]:
    return {v.pk: v for v in ItemVersion.objects.filter(pk__in=list(pks))}


# Versions never change once written (a change is a new version), so a process may keep
# them: the case actions read one per request. Tests that edit a version in place clear it.
_VERSIONS: dict[int, ItemVersion] = {}


def item_version_cached(pk: int) -> ItemVersion:
    version = _VERSIONS.get(pk)
    if version is None:
        version = _VERSIONS[pk] = ItemVersion.objects.get(pk=pk)
    return version


def item_versions_cache_clear() -> None:
    _VERSIONS.clear()
