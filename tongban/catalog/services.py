"""The catalog's rules: what a valid item version is, how a change becomes a new version,
and how an application's form is checked against its item."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.audit.services import record
from tongban.lib.errors import Conflict, InvalidInput
from tongban.lib.identifiers import account_mask
from tongban.lib.text import shown, text_clean
from tongban.offices.selectors import office_by_code

from .models import Channel, HandlingType, ItemVersion, ServiceItem
from .selectors import item_version_in_force

STEP_ROLES = ("reviewer", "second_reviewer")
FORM_TYPES = ("text", "number", "date", "choice", "bool", "account")
# A bank account (收款账号): digits, sealed with the rest of the form and shown masked to staff
# until one of them asks for the full value (cases.services.case_personal_data).
ACCOUNT_DIGITS = (8, 32)
APPLICANT_KINDS = ("person", "employer")
VERSION_FIELDS = (
    "handling_type", "legal_days", "promised_days", "channels", "citywide", "applicant_kinds",
    "materials", "steps", "form", "conditions", "legal_basis", "fees", "notes",
)  # fmt: skip


def _bad(field: str, message: str, code: str = "invalid_item_version"):
    raise InvalidInput(f"{field}: {message}", code=code, field=field)


def version_data_clean(data: dict) -> dict:
    """Check one version's rules as a whole and return them normalized.

    Raises InvalidInput naming the first field at fault (e.g. "materials[2].code")."""
    unknown = set(data) - set(VERSION_FIELDS)
    if unknown:
        _bad(sorted(unknown)[0], _("不是事项版本的字段"))
    out = {}
    handling_type = data.get("handling_type")
    if handling_type not in HandlingType.values:
        _bad(
            "handling_type",
            _("应为 instant 或 promised，而不是 %(value)r") % {"value": handling_type},
        )
    out["handling_type"] = handling_type
    for name in ("legal_days", "promised_days"):
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 365:
            _bad(name, _("应为 0–365 的整数工作日，而不是 %(value)r") % {"value": value})
        out[name] = value
    if out["promised_days"] > out["legal_days"]:
        _bad("promised_days", _("承诺时限不得长于法定时限"))
    if handling_type == HandlingType.INSTANT and out["promised_days"] != 0:
        _bad("promised_days", _("即办件的承诺时限应为 0"))

    channels = data.get("channels") or []
    if not isinstance(channels, list) or not channels or set(channels) - set(Channel.values):
        _bad(
            "channels",
            _("应为 web、mobile、window 中的一个或多个，而不是 %(value)r") % {"value": channels},
        )
    out["channels"] = [c for c in Channel.values if c in channels]
    out["citywide"] = bool(data.get("citywide", True))
    kinds = data.get("applicant_kinds") or list(APPLICANT_KINDS)
    if not isinstance(kinds, list) or set(kinds) - set(APPLICANT_KINDS):
        _bad("applicant_kinds", _("应为 person、employer，而不是 %(value)r") % {"value": kinds})
    out["applicant_kinds"] = [k for k in APPLICANT_KINDS if k in kinds]

    materials = data.get("materials") or []
    if not isinstance(materials, list):
        _bad("materials", _("应为列表"))
    seen = set()
    out["materials"] = []
    for i, m in enumerate(materials):
        where = f"materials[{i}]"
        if (
            not isinstance(m, dict)
            or not str(m.get("code") or "").strip()
            or not str(m.get("name") or "").strip()
        ):
            _bad(where, _("每项材料需要 code 和 name"))
        code = str(m["code"]).strip()
        if code in seen:
            _bad(f"{where}.code", _("材料编码 %(code)s 重复") % {"code": code})
        seen.add(code)
        form = m.get("form", "original")
        if form not in ("original", "copy"):
            _bad(
                f"{where}.form",
                _("应为 original（原件）或 copy（复印件），而不是 %(value)r") % {"value": form},
            )
        out["materials"].append(
            {
                "code": code,
                "name": str(m["name"]).strip(),
                "form": form,
                "secondary": bool(m.get("secondary")),
            }
        )

    steps = data.get("steps") or []
    if not isinstance(steps, list):
        _bad("steps", _("应为列表"))
    out["steps"] = []
    for i, s in enumerate(steps):
        if isinstance(s, str):
            s = {"name": s, "role": STEP_ROLES[min(i, 1)]}
        if (
            not isinstance(s, dict)
            or not str(s.get("name") or "").strip()
            or s.get("role") not in STEP_ROLES
        ):
            _bad(
                f"steps[{i}]",
                _("每个环节需要 name 和 role（%(roles)s）") % {"roles": "、".join(STEP_ROLES)},
            )
        step = {"name": str(s["name"]).strip(), "role": s["role"]}
        # 清联办: a step may be taken by another office (its code) and/or a department (科室)
        # of its office; left out, the case's handling office takes it.
        if s.get("office"):
            office = office_by_code(str(s["office"]))
            if office is None or office.external:
                _bad(
                    f"steps[{i}].office",
                    _("%(office)r 不是本市的经办机构") % {"office": s["office"]},
                )
            step["office"] = office.code
        if s.get("department"):
            department = str(s["department"]).strip()
            if len(department) > 50:
                _bad(f"steps[{i}].department", _("科室名称最多 50 字"))
            step["department"] = department
        out["steps"].append(step)
    if handling_type == HandlingType.PROMISED and not out["steps"]:
        _bad("steps", _("承诺件至少需要一个审核环节"))

    form_fields = data.get("form") or []
    if not isinstance(form_fields, list):
        _bad("form", _("应为列表"))
    out["form"] = []
    names = set()
    for i, f in enumerate(form_fields):
        where = f"form[{i}]"
        if not isinstance(f, dict) or not str(f.get("name") or "").strip():
            _bad(where, _("每个字段需要 name"))
        if f["name"] in names:
            _bad(f"{where}.name", _("字段名 %(name)s 重复") % {"name": f["name"]})
        names.add(f["name"])
        ftype = f.get("type", "text")
        if ftype not in FORM_TYPES:
            _bad(
                f"{where}.type",
                _("应为 %(types)s 之一，而不是 %(value)r")
                % {"types": "、".join(FORM_TYPES), "value": ftype},
            )
        choices = f.get("choices") or []
        if ftype == "choice" and (not isinstance(choices, list) or not choices):
            _bad(f"{where}.choices", _("选择字段需要 choices 列表"))
        out["form"].append(
            {
                "name": str(f["name"]).strip(),
                "label": str(f.get("label") or f["name"]).strip(),
                "type": ftype,
                "required": bool(f.get("required")),
                **({"choices": [str(c) for c in choices]} if ftype == "choice" else {}),
            }
        )
    for name in ("conditions", "legal_basis", "notes"):
        out[name] = str(data.get(name) or "").strip()
    out["fees"] = str(data.get("fees") or "不收费").strip()
    return out


def form_clean(*, version: ItemVersion, form) -> dict:
    """Check an application's form against its item version; return it normalized.

    Raises InvalidInput with field "form.<name>" for an unknown, missing or mistyped field."""
    if form is None:
        form = {}
    if not isinstance(form, dict):
        raise InvalidInput(_("form 应为对象"), code="invalid_form", field="form")
    spec = {f["name"]: f for f in version.form}
    for name in form:
        if name not in spec:
            raise InvalidInput(
                _("事项“%(item)s”的申请表没有字段 %(name)r")
                % {"item": version.item.name, "name": shown(name)},
                code="invalid_form",
                field=f"form.{name}",
            )
    out = {}
    for name, f in spec.items():
        value = form.get(name)
        if value is None or value == "":
            if f["required"]:
                raise InvalidInput(
                    _("申请表字段“%(label)s”必填") % {"label": f["label"]},
                    code="invalid_form",
                    field=f"form.{name}",
                )
            continue
        out[name] = _form_value(f, value)
    return out


def form_masked(spec: list[dict], form: dict) -> dict:
    """An application form as staff see it until they ask for the full values: bank accounts
    (type "account") masked; the rest as it is."""
    accounts = {f["name"] for f in spec if f["type"] == "account"}
    if not accounts.intersection(form):
        return form
    return {k: account_mask(v) if k in accounts else v for k, v in form.items()}


def _form_value(f: dict, value):
    def bad(expected):
        raise InvalidInput(
            _("申请表字段“%(label)s”应为%(expected)s，而不是 %(value)r")
            % {"label": f["label"], "expected": expected, "value": shown(value)},
            code="invalid_form",
            field=f"form.{f['name']}",
        )

    match f["type"]:
        case "text":
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                bad(_("不超过 2000 字的文本"))
            return text_clean(
                str(value),
                field=f"form.{f['name']}",
                label=_("申请表字段“%(label)s”") % {"label": f["label"]},
            )
        case "number":
            if isinstance(value, bool):
                bad(_("数字"))
            try:
                number = Decimal(str(value))
            except InvalidOperation:
                bad(_("数字"))
            if not number.is_finite():
                bad(_("数字"))
            return str(number)
        case "date":
            try:
                return date.fromisoformat(str(value)).isoformat()
            except ValueError:
                bad(_("日期 YYYY-MM-DD"))
        case "choice":
            if str(value) not in f["choices"]:
                bad(_("%(choices)s 之一") % {"choices": "、".join(f["choices"])})
            return str(value)
        case "bool":
            if not isinstance(value, bool):
                bad(_("true 或 false"))
            return value
        case "account":
            digits = (
                str(value).replace(" ", "").replace("-", "") if isinstance(value, str | int) else ""
            )
            low, high = ACCOUNT_DIGITS
            if isinstance(value, bool) or not (digits.isascii() and digits.isdigit()
                                               and low <= len(digits) <= high):  # fmt: skip
                bad(_("%(low)d–%(high)d 位数字的银行账号") % {"low": low, "high": high})
            return digits


@transaction.atomic
def catalog_item_save(*, code: str, name: str, category: str, department: str = "医疗保障局",
                      home_office, version: dict, effective_from: date | None = None,
                      actor=None) -> ItemVersion:  # fmt: skip
    """Create an item, or give an existing one a new version effective from `effective_from`.

    A version already in force is never edited: open cases keep the one they were applied
    under. A new version identical to the latest one is not created (the latest is returned).
    Raises InvalidInput for a bad version, Conflict for a retired item."""
    data = version_data_clean(version)
    effective_from = effective_from or timezone.localdate()
    if home_office.external:
        raise InvalidInput(_("%(office)s 是市外协作地区，不能作为事项的属地机构") % {"office": home_office},
                           code="external_office",
                           field="home_office")  # fmt: skip
    item, created = ServiceItem.objects.select_for_update().get_or_create(
        code=code,
        defaults={
            "name": name,
            "category": category,
            "department": department,
            "home_office": home_office,
        },
    )
    identity = (name, category, department, home_office.pk)
    latest = item.versions.order_by("-number").first()
    unchanged = latest and all(getattr(latest, k) == v for k, v in data.items())
    if unchanged and identity == (item.name, item.category, item.department, item.home_office_id):
        return latest
    if item.status == ServiceItem.Status.RETIRED:
        raise Conflict(_("事项 %(code)s 已废止，不能再修订") % {"code": code}, code="item_retired")
    changed_identity = (item.name, item.category, item.department, item.home_office_id) != (
        name, category, department, home_office.pk,
    )  # fmt: skip
    if changed_identity:
        item.name, item.category, item.department, item.home_office = (
            name,
            category,
            department,
            home_office,
        )
        item.save(update_fields=["name", "category", "department", "home_office"])
    if unchanged:
        return latest
    if latest and effective_from < latest.effective_from:
        raise InvalidInput(
            _("新版本生效日期 %(new)s 早于现行版本 v%(number)s 的 %(current)s")
            % {"new": effective_from, "number": latest.number, "current": latest.effective_from},
            code="invalid_effective_date",
            field="effective_from",
        )
    new = ItemVersion.objects.create(
        item=item, number=(latest.number + 1) if latest else 1, effective_from=effective_from,
        created_by=actor, **data,
    )  # fmt: skip
    record(event="catalog.item_created" if created else "catalog.item_revised", user=actor,
           target=code, version=new.number, effective_from=effective_from.isoformat())  # fmt: skip
    return new


@transaction.atomic
def catalog_item_set_status(
    *, item: ServiceItem, status: str, reason: str = "", actor=None
) -> ServiceItem:
    """Suspend, resume or retire an item. Retiring is final; items are never deleted."""
    if status not in ServiceItem.Status.values:
        raise InvalidInput(
            _("未知状态 %(status)r") % {"status": status}, code="invalid_status", field="status"
        )
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    if (item.status, item.status_reason) == (status, reason):
        return item
    if item.status == ServiceItem.Status.RETIRED and status != item.status:
        raise Conflict(
            _("事项 %(code)s 已废止，状态不能再改变") % {"code": item.code}, code="item_retired"
        )
    item.status, item.status_reason = status, reason
    item.save(update_fields=["status", "status_reason"])
    record(event=f"catalog.item_{status}", user=actor, target=item.code, reason=reason)
    return item


# --- Bundles (一表申请 / 一件事) ------------------------------------------------------------
# A bundle's one form and one list of materials are merged from its items' versions in force,
# here and nowhere else: the admin shows and checks them, the desk and the portal put them on
# a page, the API lists them, and cases.services.bundle_apply splits what was handed in back
# into each item's form and materials (bundle_split).


@dataclass(frozen=True)
class BundleSpec:
    """What applying for a bundle asks. `form` is a list of fields like ItemVersion.form, each
    with `items` (the codes of the items that ask it); `materials` a list of {code, name, form,
    secondary, items: {item code: that item's material code}}. `form` doubles as the `.form`
    that catalog.forms.item_form_fields() reads, so a page builds the merged form as it builds
    an item's."""

    versions: tuple  # the ItemVersion in force of each item, by item code
    form: list
    materials: list
    applicant_kinds: list
    channels: list

    @property
    def item_codes(self) -> list[str]:
        return [v.item.code for v in self.versions]

    def material_codes_of(self, item_code: str) -> dict[str, str]:
        """{merged code: the item's material code} for one item."""
        return {m["code"]: m["items"][item_code] for m in self.materials if item_code in m["items"]}


def _conflict(message: str):
    raise InvalidInput(message, code="bundle_form_conflict", field="items")


def bundle_form(versions) -> list[dict]:
    """The merged form of several item versions: a field that several items ask (the same
    `name`) is asked once. It is required if any item requires it, and carries the label of
    the first item (by code) that asks it.

    Raises InvalidInput (code bundle_form_conflict, field "items") when two items give one
    name different types, or a choice field different choices: one answer cannot fill both,
    so the catalog administrator renames one field (a new item version) or leaves an item out."""
    merged: dict[str, dict] = {}
    for version in versions:
        code = version.item.code
        for spec in version.form:
            field = merged.get(spec["name"])
            if field is None:
                merged[spec["name"]] = {**spec, "items": [code]}
                continue
            if field["type"] != spec["type"]:
                _conflict(_("字段 %(name)s 在事项 %(a)s 中为 %(ta)s，在事项 %(b)s 中为 %(tb)s，不能合并为一个字段")
                          % {"name": spec["name"], "a": field["items"][0], "ta": field["type"],
                             "b": code, "tb": spec["type"]})  # fmt: skip
            if field["type"] == "choice" and field["choices"] != spec.get("choices"):
                _conflict(_("字段 %(name)s 在事项 %(a)s 与 %(b)s 中的选项不同，不能合并为一个字段")
                          % {"name": spec["name"], "a": field["items"][0], "b": code})  # fmt: skip
            field["required"] = field["required"] or spec["required"]
            field["items"].append(code)
    return list(merged.values())


def bundle_materials(versions) -> list[dict]:
    """The merged list of materials: a material several items ask (the same name) is handed in
    once. Each gets a code of the bundle (B01, B02, … in the order first asked, items by code)
    and `items`, its code in each item that asks it. It is secondary (容缺) only if every item
    that asks it says so, and wanted as an original if any item wants the original."""
    merged: dict[str, dict] = {}
    for version in versions:
        code = version.item.code
        for m in version.materials:
            entry = merged.get(m["name"])
            if entry is None:
                merged[m["name"]] = {"code": f"B{len(merged) + 1:02d}", "name": m["name"],
                                     "form": m["form"], "secondary": m["secondary"],
                                     "items": {code: m["code"]}}  # fmt: skip
                continue
            entry["items"].setdefault(code, m["code"])
            entry["secondary"] = entry["secondary"] and m["secondary"]
            if m["form"] == "original":
                entry["form"] = "original"
    return list(merged.values())


def bundle_spec(bundle=None, *, versions=None) -> BundleSpec:
    """The merged form and materials of `bundle` (its items' versions in force today), or of
    the given versions (the admin checks a bundle before it is saved).

    Raises InvalidInput: bundle_form_conflict (bundle_form()), bundle_empty (no item with a
    version in force), bundle_applicant_kinds / bundle_channels (no kind of applicant or no
    channel that every item accepts: nobody could apply for the whole bundle)."""
    if versions is None:
        codes = bundle.items.order_by("code").values_list("code", flat=True)
        versions = [v for v in (item_version_in_force(code=c) for c in codes) if v is not None]
    versions = tuple(sorted(versions, key=lambda v: v.item.code))
    if not versions:
        raise InvalidInput(_("一件事至少需要一个在办事项"), code="bundle_empty", field="items")
    kinds = [k for k in APPLICANT_KINDS if all(k in v.applicant_kinds for v in versions)]
    if not kinds:
        raise InvalidInput(_("所选事项没有共同的申请人类型（个人或单位），不能合并申请"),
                           code="bundle_applicant_kinds", field="items")  # fmt: skip
    channels = [c for c in Channel.values if all(c in v.channels for v in versions)]
    if not channels:
        raise InvalidInput(_("所选事项没有共同的办理渠道，不能合并申请"),
                           code="bundle_channels", field="items")  # fmt: skip
    return BundleSpec(versions=versions, form=bundle_form(versions),
                      materials=bundle_materials(versions), applicant_kinds=kinds,
                      channels=channels)  # fmt: skip


def bundle_split(spec: BundleSpec, *, form, materials) -> dict[str, tuple[dict, list[str]]]:
    """What one application of a bundle hands in (the merged form, the merged material codes),
    split into each item's form and material codes: {item code: (form, materials)}. Each
    item's part is then checked by its own rules (form_clean, in cases.services).

    Raises InvalidInput for a field or a material code the bundle does not have."""
    form = {} if form is None else form
    materials = [] if materials is None else materials
    if not isinstance(form, dict):
        raise InvalidInput(_("form 应为对象"), code="invalid_form", field="form")
    if not isinstance(materials, list) or not all(isinstance(c, str) for c in materials):
        raise InvalidInput(_("materials 应为材料编码的列表"), code="invalid_materials",
                           field="materials")  # fmt: skip
    names = {f["name"] for f in spec.form}
    for name in form:
        if name not in names:
            raise InvalidInput(_("一件事的申请表没有字段 %(name)r") % {"name": shown(name)},
                               code="invalid_form", field=f"form.{name}")  # fmt: skip
    known = {m["code"] for m in spec.materials}
    unknown = [c for c in materials if c not in known]
    if unknown:
        raise InvalidInput(_("一件事没有这些材料: %(unknown)s；可用的材料编码: %(codes)s")
                           % {"unknown": ", ".join(shown(c) for c in unknown[:10]),
                              "codes": ", ".join(sorted(known))},
                           code="unknown_material", field="materials")  # fmt: skip
    out = {}
    for version in spec.versions:
        code = version.item.code
        own = {f["name"] for f in version.form}
        codes = spec.material_codes_of(code)
        out[code] = ({k: v for k, v in form.items() if k in own},
                     [codes[c] for c in materials if c in codes])  # fmt: skip
    return out


def bundle_material_names(spec: BundleSpec, item_code: str, codes) -> list[dict]:
    """An item's material codes as the bundle's: [{code (merged), name}], for one list across
    the bundle's cases (a supplement notice names each material once)."""
    back = {m["items"][item_code]: m for m in spec.materials if item_code in m["items"]}
    return [{"code": back[c]["code"], "name": back[c]["name"]} for c in codes if c in back]
