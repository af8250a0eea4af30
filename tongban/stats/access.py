"""Who may read which figures. The dashboard, the API and the Excel export all ask here.

The city's supervisors read every office's figures; a county supervisor reads their own
office's only (the office filter is forced to it); the catalog administrator reads the
catalog's compression. Everyone else gets 403."""

from django.utils.translation import gettext as _

from tongban.lib.errors import Forbidden
from tongban.offices.models import Office
from tongban.people.models import Role


def figures_scope(user) -> Office | None:
    """The only office whose figures `user` may read, or None for every office.

    Raises Forbidden for anyone but a supervisor."""
    if user is None or not user.is_authenticated or user.role != Role.SUPERVISOR:
        raise Forbidden(_("只有科长/监察可以查看统计数据"), code="figures_forbidden")
    if user.is_city_supervisor:
        return None
    if user.office_id is None:
        raise Forbidden(_("该账号未关联经办机构"), code="figures_forbidden")
    return user.office


def compression_allowed(user) -> bool:
    """The catalog's compression figures: supervisors and the catalog administrator."""
    return (
        user is not None
        and user.is_authenticated
        and user.role in (Role.SUPERVISOR, Role.CATALOG_ADMIN)
    )


def compression_check(user) -> None:
    if not compression_allowed(user):
        raise Forbidden(
            _("只有科长/监察和事项管理员可以查看事项压缩情况"), code="figures_forbidden"
        )
