"""跨区通办 on one machine: a second tongban platform playing a partner county, and the
connection of an agreement on both sides (the demo's `--partner`, the integration test).

A partner platform is a whole tongban of its own: its own data folder, database and signing
key, its city as TONGBAN_CITY_CODE (the partner's city, e.g. 濮阳市 410900 for 清丰县), its
county as the office that decides, 莘县 as an external region, the same catalog, and the
agreement as the partner holds it: the same code, the sides swapped, the city platform's
address and public key.
"""

import json
import tempfile
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from tongban.catalog.models import Agreement, ServiceItem
from tongban.catalog.seed import AGREEMENTS_FILE, agreement_code, catalog_seed
from tongban.lib import signing
from tongban.lib.errors import InvalidInput
from tongban.offices.models import Office
from tongban.offices.services import REGIONS_FILE, offices_load
from tongban.ops.calendar import calendar_load
from tongban.people.models import PasswordHistory, Role, User
from tongban.workdays.services import calendar_builtin_data


def partner_regions(partner: str, *, regions_path: Path = REGIONS_FILE,
                    agreements_path: Path = AGREEMENTS_FILE) -> dict:  # fmt: skip
    """The regions document of the partner platform of county `partner` (a regions.json
    external entry): its city and county, and our agreement's office as its external region."""
    ours = json.loads(Path(regions_path).read_text(encoding="utf-8"))
    entry = next((r for r in ours["external"] if r["code"] == partner), None)
    if entry is None:
        codes = ", ".join(r["code"] for r in ours["external"])
        raise InvalidInput(f"{partner} 不是协作地区；可用: {codes}", field="partner")
    office = json.loads(Path(agreements_path).read_text(encoding="utf-8"))["office"]
    county = next(c for c in ours["counties"] if c["code"] == office)
    return {
        "about": f"The partner platform of {entry['name']} ({partner}), built by tongban.ops.crossregion.",
        "city": {"code": partner[:4] + "00", "name": entry["city"], "province": entry["province"]},
        "counties": [{"code": partner, "name": entry["name"]}],
        "external": [{"code": office, "name": county["name"], "city": ours["city"]["name"],
                      "province": ours["city"]["province"]}],
    }  # fmt: skip


def agreement_connect(*, code: str, url: str, key: str) -> Agreement:
    """Record the partner platform's address and public key on agreement `code` (what the two
    sides exchange when the agreement is set up), and ours as given to it."""
    agreement = Agreement.objects.filter(code=code).first()
    if agreement is None:
        raise InvalidInput(f"没有编号为 {code} 的协议", code="unknown_agreement", field="code")
    if not url.startswith(("http://", "https://")):
        raise InvalidInput(f"对方平台地址应以 http:// 或 https:// 开头: {url!r}", field="url")
    try:
        agreement.partner_key = signing.public_key_check(key)
    except signing.SigningKeyError as e:
        raise InvalidInput(f"对方平台公钥无效: {e}", field="key") from None
    agreement.partner_url = url.rstrip("/")
    agreement.our_key = signing.platform_public_key()
    agreement.save(update_fields=["partner_url", "partner_key", "our_key"])
    return agreement


@transaction.atomic
def partner_platform_build(*, partner: str, city_url: str, city_key: str, password: str) -> dict:
    """Build this platform as partner county `partner` (settings.TONGBAN_CITY_CODE must be its
    city): offices, calendar, catalog, the agreement with 莘县 connected to the city platform
    at `city_url` with public key `city_key`, and its staff, every one with `password`:
    clerk-<code>, reviewer-<code>-ny and second-reviewer-<code>-ny (农业农村局), supervisor-<code>.
    Safe to run again. Returns what a newcomer needs to know."""
    regions = partner_regions(partner)
    if settings.TONGBAN_CITY_CODE != regions["city"]["code"]:
        raise InvalidInput(f"TONGBAN_CITY_CODE 应为 {regions['city']['code']}（{regions['city']['name']}），"
                           f"而不是 {settings.TONGBAN_CITY_CODE}", field="TONGBAN_CITY_CODE")  # fmt: skip
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as f:
        json.dump(regions, f, ensure_ascii=False)
        f.flush()
        offices_load(path=Path(f.name))
    calendar_load(data=calendar_builtin_data())
    catalog_seed()
    ours = json.loads(AGREEMENTS_FILE.read_text(encoding="utf-8"))
    office = Office.objects.get(code=partner)
    collecting = Office.objects.get(code=ours["office"], external=True)
    agreement, _created = Agreement.objects.update_or_create(
        code=agreement_code(collecting.code, partner),
        defaults={
            "title": f"{office.name.removesuffix('医疗保障局')}—{collecting.name.removesuffix('医疗保障局')}"
                     "农业审批跨区通办协议",
            "office": office, "partner": collecting, "mode": ours["mode"],
            "valid_from": date.fromisoformat(ours["valid_from"]),
            "valid_to": date.fromisoformat(ours["valid_to"]),
            # The same agreement seen from the other side: their duties are ours here.
            "duties_ours": ours["duties_partner"], "duties_partner": ours["duties_ours"],
        },
    )  # fmt: skip
    agreement.items.set(ServiceItem.objects.filter(code__in=ours["items"]))
    agreement_connect(code=agreement.code, url=city_url, key=city_key)
    hashed = make_password(password)
    users = []
    for username, role, department in (
        (f"clerk-{partner}", Role.CLERK, ""),
        (f"reviewer-{partner}-ny", Role.REVIEWER, "农业农村局"),
        (f"second-reviewer-{partner}-ny", Role.SECOND_REVIEWER, "农业农村局"),
        (f"supervisor-{partner}", Role.SUPERVISOR, ""),
    ):
        user, _created = User.objects.update_or_create(
            username=username,
            defaults={"role": role, "office": office, "department": department, "is_active": True,
                      "password": hashed},
        )  # fmt: skip
        users.append(user)
    PasswordHistory.objects.filter(user__in=users).delete()
    PasswordHistory.objects.bulk_create(
        PasswordHistory(user=u, password=hashed, created_at=timezone.now()) for u in users
    )
    return {"agreement": agreement.code, "office": office.name, "users": [u.username for u in users],
            "public_key": signing.platform_public_key()}  # fmt: skip
