"""The catalog's rules: what a valid item version is, how a change becomes a new version,
and how an application's form is checked against its item."""

import contextlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from tongban.audit.services import record
from tongban.lib.errors import Conflict, InvalidInput
from tongban.lib.identifiers import account_mask
from tongban.lib.text import phone_clean, shown, text_clean
from tongban.offices.selectors import office_by_code

from .models import Channel, HandlingType, ItemKind, ItemVersion, ServiceItem
from .selectors import item_version_in_force

STEP_ROLES = ("reviewer", "second_reviewer")
FORM_TYPES = ("text", "number", "money", "date", "choice", "bool", "account", "phone")
# The options each type of field takes beside name, label, type and required. The same fields
# make an application form (ItemVersion.form) and a decision (ItemVersion.decision).
FIELD_OPTIONS = {
    "number": ("min", "max"),
    "money": ("min", "max", "total"),  # total: counted in the figures' amounts
    "date": ("min_days", "max_days"),  # days from today, either way
    "choice": ("choices",),
    "account": ("luhn",),
}
TOTALS = {"form": "claimed", "decision": "paid"}  # what a money field's total counts, by where
# An amount in yuan (元): positive, at most two decimals (角, 分), below the item's bound.
MONEY_SHAPE = re.compile(r"[0-9]+(\.[0-9]{1,2})?")
MONEY_MIN, MONEY_MAX = Decimal("0.01"), Decimal("99999999.99")
# A date nobody means outside these, unless its field says nearer (min_days / max_days).
DATE_EARLIEST = date(1900, 1, 1)
DATE_LATEST_DAYS = 366
# A bank account (收款账号): digits, sealed with the rest of the form and shown masked to staff
# until one of them asks for the full value (cases.services.case_personal_data). Bank card
# numbers (16–19 digits) carry a Luhn check digit; other accounts (passbooks, corporate
# accounts) do not, so the check is the field's option "luhn", not a rule for every account.
ACCOUNT_DIGITS = (8, 32)
LUHN_DIGITS = (16, 19)
APPLICANT_KINDS = ("person", "employer")
VERSION_FIELDS = (
    "handling_type", "legal_days", "promised_days", "channels", "citywide", "applicant_kinds",
    "materials", "steps", "form", "decision", "conditions", "legal_basis", "fees", "notes",
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

    out["form"] = _fields_clean(data.get("form") or [], "form")
    out["decision"] = _fields_clean(data.get("decision") or [], "decision")
    if handling_type == HandlingType.INSTANT and any(f["required"] for f in out["decision"]):
        # finished the moment it is accepted (即办件): nobody is there to fill one in
        _bad("decision", _("即办件当场办结，办结结果不能有必填字段"))
    for name in ("conditions", "legal_basis", "notes"):
        out[name] = str(data.get(name) or "").strip()
    out["fees"] = str(data.get("fees") or "不收费").strip()
    return out


def _fields_clean(fields, where: str) -> list[dict]:
    """The fields of an application form or of a decision, checked and normalized: each with
    a name, a label, a type (FORM_TYPES) and the options its type takes (FIELD_OPTIONS)."""
    if not isinstance(fields, list):
        _bad(where, _("应为列表"))
    out, names = [], set()
    for i, f in enumerate(fields):
        at = f"{where}[{i}]"
        if not isinstance(f, dict) or not str(f.get("name") or "").strip():
            _bad(at, _("每个字段需要 name"))
        name = str(f["name"]).strip()
        if name in names:
            _bad(f"{at}.name", _("字段名 %(name)s 重复") % {"name": name})
        names.add(name)
        ftype = f.get("type", "text")
        if ftype not in FORM_TYPES:
            _bad(
                f"{at}.type",
                _("应为 %(types)s 之一，而不是 %(value)r")
                % {"types": "、".join(FORM_TYPES), "value": ftype},
            )
        spec = {
            "name": name,
            "label": str(f.get("label") or name).strip(),
            "type": ftype,
            "required": bool(f.get("required")),
        }
        if ftype == "choice":
            choices = f.get("choices") or []
            if not isinstance(choices, list) or not choices:
                _bad(f"{at}.choices", _("选择字段需要 choices 列表"))
            spec["choices"] = [str(c).strip() for c in choices]
        allowed = {"name", "label", "type", "required", *FIELD_OPTIONS.get(ftype, ())}
        unknown = {k for k, v in f.items() if k not in allowed and v not in (None, "", [], False)}
        if unknown:
            _bad(f"{at}.{sorted(unknown)[0]}", _("%(type)s 字段不接受这个选项") % {"type": ftype})
        for bound in ("min", "max"):
            if f.get(bound) is None:
                continue
            if ftype in ("number", "money"):
                number = _decimal(f[bound])
                if number is None or (ftype == "money" and number < 0):
                    _bad(
                        f"{at}.{bound}", _("应为金额或数字，而不是 %(value)r") % {"value": f[bound]}
                    )
                spec[bound] = str(number)
        for bound in ("min_days", "max_days"):
            value = f.get(bound)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or abs(value) > 36600:
                _bad(
                    f"{at}.{bound}",
                    _("应为相对今天的天数（整数），而不是 %(value)r") % {"value": value},
                )
            spec[bound] = value
        if "min_days" in spec and "max_days" in spec and spec["min_days"] > spec["max_days"]:
            _bad(f"{at}.min_days", _("min_days 不得大于 max_days"))
        if "min" in spec and "max" in spec and Decimal(spec["min"]) > Decimal(spec["max"]):
            _bad(f"{at}.min", _("min 不得大于 max"))
        if "luhn" in f:
            spec["luhn"] = bool(f["luhn"])
        if f.get("total") is not None:
            if f["total"] != TOTALS[where]:
                _bad(f"{at}.total", _("这里只能是 %(value)r") % {"value": TOTALS[where]})
            spec["total"] = f["total"]
        out.append(spec)
    return out


def _decimal(value) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def form_clean(*, version: ItemVersion, form) -> dict:
    """Check an application's form against its item version; return it normalized.

    Raises InvalidInput with field "form.<name>" for an unknown, missing or mistyped field."""
    return _fields_values(version, version.form, form, where="form")


def decision_clean(*, version: ItemVersion, decision) -> dict:
    """Check what a reviewer fills in when finishing a case (办结结果: the amount approved, the
    account paid to…) against its item version's decision fields; return it normalized. The
    same typed-field rules as the application form (form_clean).

    Raises InvalidInput with field "decision.<name>"."""
    return _fields_values(version, version.decision, decision, where="decision")


def fields_total(spec: list[dict], values: dict) -> Decimal | None:
    """The sum of the money fields marked with a total ("claimed" in a form, "paid" in a
    decision) among `values` (as cleaned); None when the spec has none (the figures then
    leave the case out of their amounts)."""
    names = [f["name"] for f in spec if f.get("total")]
    if not names:
        return None
    return sum((Decimal(values[n]) for n in names if values.get(n)), Decimal("0.00"))


def _fields_values(version: ItemVersion, spec_list: list[dict], values, *, where: str) -> dict:
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise InvalidInput(
            _("%(where)s 应为对象") % {"where": where}, code=f"invalid_{where}", field=where
        )
    spec = {f["name"]: f for f in spec_list}
    for name in values:
        if name not in spec:
            raise InvalidInput(
                _("事项“%(item)s”的%(what)s没有字段 %(name)r")
                % {"item": version.item.name, "what": _what(where), "name": shown(name)},
                code=f"invalid_{where}",
                field=f"{where}.{name}",
            )
    out = {}
    for name, f in spec.items():
        value = values.get(name)
        if isinstance(value, str):  # the spaces a person types, folded once, here
            value = value.strip()  # str.strip: every Unicode space, 全角 too
        if value is None or value == "":
            if f["required"]:
                raise InvalidInput(
                    _("%(what)s字段“%(label)s”必填") % {"what": _what(where), "label": f["label"]},
                    code=f"invalid_{where}",
                    field=f"{where}.{name}",
                )
            continue
        out[name] = _field_value(f, value, where=where)
    return out


def form_masked(spec: list[dict], form: dict) -> dict:
    """An application form (or a decision) as staff see it until they ask for the full
    values: bank accounts (type "account") masked; the rest as it is."""
    accounts = {f["name"] for f in spec if f["type"] == "account"}
    if not accounts.intersection(form):
        return form
    return {k: account_mask(v) if k in accounts else v for k, v in form.items()}


def fields_shown(spec: list[dict], values: dict, *, masked: bool = True) -> list[dict]:
    """The filled-in fields in the spec's order as [{"name", "label", "value"}] for a page or
    a notice: yes/no in words, amounts with 元, dates as the reader writes them (2026年12月3日),
    accounts masked unless `masked` is False."""
    out = []
    for f in spec:
        value = values.get(f["name"])
        if value is None or value == "":
            continue
        if f["type"] == "bool":
            value = _("是") if value else _("否")
        elif f["type"] == "account" and masked:
            value = account_mask(value)
        elif f["type"] == "money":
            value = _("%(amount)s 元") % {"amount": value}
        elif f["type"] == "date":
            with contextlib.suppress(TypeError, ValueError):  # as stored: ISO; shown: the reader's
                value = date_format(date.fromisoformat(value), "DATE_FORMAT")
        out.append({"name": f["name"], "label": f["label"], "value": value})
    return out


def _compact(value: str) -> str:
    """A number as typed with an input method in full-width mode, spaces inside: ASCII, none."""
    return "".join(unicodedata.normalize("NFKC", value).split())


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check of a bank card number (ISO/IEC 7812)."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _what(where: str) -> str:
    return _("申请表") if where == "form" else _("办结结果")


def _label(where: str, f: dict) -> str:
    return _("%(what)s字段“%(label)s”") % {"what": _what(where), "label": f["label"]}


# Translated only when a message needs it: a valid value costs no gettext (every submission).
_label_lazy = lazy(_label, str)


def _field_value(f: dict, value, *, where: str):
    field = f"{where}.{f['name']}"
    label = _label_lazy(where, f)

    def bad(expected):
        raise InvalidInput(
            _("%(field)s应为%(expected)s，而不是 %(value)r")
            % {"field": label, "expected": expected, "value": shown(value)},
            code=f"invalid_{where}",
            field=field,
        )

    def refuse(message):
        raise InvalidInput(f"{label!s}{message}", code=f"invalid_{where}", field=field)

    number_like = isinstance(value, str | int | float) and not isinstance(value, bool)
    match f["type"]:
        case "text":
            if not number_like:
                bad(_("不超过 2000 字的文本"))
            return text_clean(str(value), field=field, label=label)
        case "number":
            number = _decimal(_compact(value)) if number_like and isinstance(value, str) else (
                _decimal(value) if number_like else None)  # fmt: skip
            if number is None:
                bad(_("数字"))
            _bounds(f, number, refuse)
            return str(number)
        case "money":
            text = _compact(str(value)).replace(",", "") if number_like else ""
            if text.startswith("-") and MONEY_SHAPE.fullmatch(text[1:]):
                refuse(_("不能为负数：请填写大于 0 的金额（元）"))
            if not MONEY_SHAPE.fullmatch(text):
                if (
                    MONEY_SHAPE.fullmatch(text.split(".")[0])
                    and "." in text
                    and text.split(".")[1].isdigit()
                ):
                    refuse(
                        _("最多两位小数（元、角、分），而不是 %(value)r") % {"value": shown(value)}
                    )
                bad(_("金额（元），如 1234.50"))
            amount = Decimal(text).quantize(Decimal("0.01"))
            low = Decimal(f.get("min") or MONEY_MIN)
            if amount < low:
                refuse(_("应大于 0 元") if low == MONEY_MIN else
                       _("不得少于 %(min)s 元") % {"min": low})  # fmt: skip
            high = Decimal(f.get("max") or MONEY_MAX)
            if amount > high:
                refuse(_("不得超过 %(max)s 元") % {"max": high})
            return str(amount)
        case "date":
            if isinstance(value, date):
                day = value
            else:
                try:
                    day = date.fromisoformat(_compact(str(value)))
                except ValueError:
                    bad(_("日期 YYYY-MM-DD"))
            today = timezone.localdate()
            low = today + timedelta(days=f["min_days"]) if "min_days" in f else DATE_EARLIEST
            high = today + timedelta(days=f.get("max_days", DATE_LATEST_DAYS))
            if not low <= day <= high:
                refuse(_("应在 %(low)s 至 %(high)s 之间，而不是 %(value)s")
                       % {"low": low.isoformat(), "high": high.isoformat(), "value": day.isoformat()})  # fmt: skip
            return day.isoformat()
        case "choice":
            if not number_like or str(value).strip() not in f["choices"]:
                bad(_("%(choices)s 之一") % {"choices": "、".join(f["choices"])})
            return str(value).strip()
        case "bool":
            if not isinstance(value, bool):
                bad(_("true 或 false"))
            return value
        case "phone":
            if not number_like:
                bad(_("电话号码"))
            return phone_clean(_compact(str(value)), field=field, label=label, required=True)
        case "account":
            digits = _compact(str(value)).replace("-", "") if number_like else ""
            low, high = LUHN_DIGITS if f.get("luhn") else ACCOUNT_DIGITS
            if not (digits.isascii() and digits.isdigit() and low <= len(digits) <= high):
                bad(_("%(low)d–%(high)d 位数字的银行账号") % {"low": low, "high": high})
            if f.get("luhn") and not luhn_valid(digits):
                refuse(_("不是有效的银行卡号（校验位不符），请核对后重新填写"))
            return digits


def _bounds(f: dict, number: Decimal, refuse) -> None:
    if "min" in f and number < Decimal(f["min"]):
        refuse(_("不得小于 %(min)s") % {"min": f["min"]})
    if "max" in f and number > Decimal(f["max"]):
        refuse(_("不得大于 %(max)s") % {"max": f["max"]})


@transaction.atomic
def catalog_item_save(*, code: str, name: str, category: str, department: str = "医疗保障局",
                      home_office, version: dict, effective_from: date | None = None,
                      kind: str | None = None, actor=None) -> ItemVersion:  # fmt: skip
    """Create an item, or give an existing one a new version effective from `effective_from`.
    `kind` (ItemKind) left out keeps the item's (a new item: a public service).

    A version already in force is never edited: open cases keep the one they were applied
    under. A new version identical to the latest one is not created (the latest is returned).
    Raises InvalidInput for a bad version, Conflict for a retired item."""
    data = version_data_clean(version)
    effective_from = effective_from or timezone.localdate()
    if kind is not None and kind not in ItemKind.values:
        _bad("kind", _("应为 %(kinds)s 之一，而不是 %(value)r")
             % {"kinds": "、".join(ItemKind.values), "value": kind}, code="invalid_item")  # fmt: skip
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
            "kind": kind or ItemKind.PUBLIC_SERVICE,
        },
    )
    kind = kind or item.kind
    identity = (name, category, department, home_office.pk, kind)
    latest = item.versions.order_by("-number").first()
    unchanged = latest and all(getattr(latest, k) == v for k, v in data.items())
    held = (item.name, item.category, item.department, item.home_office_id, item.kind)
    if unchanged and identity == held:
        return latest
    if item.status == ServiceItem.Status.RETIRED:
        raise Conflict(_("事项 %(code)s 已废止，不能再修订") % {"code": code}, code="item_retired")
    if identity != held:
        item.name, item.category, item.department, item.home_office, item.kind = (
            name, category, department, home_office, kind,
        )  # fmt: skip
        item.save(update_fields=["name", "category", "department", "home_office", "kind"])
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
