"""Seed the catalog from the reference list of medical-insurance items (data/*.json), and the
county-level approvals of other departments that key investment projects need
(data/department_items.json, whose `_about` says where its limits come from).

The reference gives names, materials and limits (from 江苏's 2022 guide, the provincial
implementation of the national list). What it does not give is filled in here, plainly:
codes (YB + category and item number), channels (all three), review steps (审核 → 复审 for
promised items), a small form per kind of item, and which materials may be supplied later
(容缺: lists, records and certificates beside the main identity and invoice documents).
Items whose time limits the reference does not know are loaded suspended, saying so."""

import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction

from tongban.lib.signing import SigningKeyError, platform_public_key
from tongban.offices.models import Office

from .models import Agreement, Bundle, ItemKind, ServiceItem
from .services import bundle_spec, catalog_item_save, catalog_item_set_status

ITEMS_FILE = Path(__file__).parent / "data" / "medical_insurance_items.json"
DEPARTMENT_ITEMS_FILE = Path(__file__).parent / "data" / "department_items.json"
BUNDLES_FILE = Path(__file__).parent / "data" / "bundles.json"
AGREEMENTS_FILE = Path(__file__).parent / "data" / "agreements.json"
# Items that both a person and an employer apply for although the name alone says one of them:
# 职工参保登记 is made by the employer for its staff (the form carries its seal) and by a flexible
# worker (灵活就业人员) for themselves; its materials name both.
BOTH_KINDS = ("职工参保登记",)
EFFECTIVE_FROM = date(2025, 1, 1)
SECONDARY_WORDS = ("清单", "病历", "诊断", "小结")
EMPLOYER_WORDS = ("单位", "医药机构", "医疗机构", "零售药店")
LEGAL_BASIS = "《中华人民共和国社会保险法》；《医疗保障基金使用监督管理条例》；《山东省医疗保障经办政务服务事项清单》"


MONEY_WORDS = ("报销", "支付", "支取", "津贴", "补助", "补贴")
# The most one application of an item may claim (元), above which a typing slip is more likely
# than a real bill: a clinic bill, a hospital stay, a year's maternity allowance, a personal
# account's balance. An office's own list wins over these.
MONEY_MAX = {"门诊费用报销": "50000.00", "住院费用报销": "500000.00", "生育津贴支付": "200000.00",
             "一次性营养补助支付": "10000.00", "产前检查费支付": "10000.00"}  # fmt: skip
MONEY_MAX_DEFAULT = "200000.00"
# What the reviewer who finishes a money item fills in (办结结果): the amount approved (counted
# as paid in the figures), what is not covered and why, the account paid to, and when.
MONEY_DECISION = [
    {"name": "amount_approved", "label": "核准支付金额（元）", "type": "money", "required": True,
     "total": "paid"},
    {"name": "amount_not_covered", "label": "不予支付金额（元）", "type": "money", "required": False,
     "min": "0"},
    {"name": "not_covered_reason", "label": "不予支付原因", "type": "text", "required": False},
    {"name": "paid_to_account", "label": "支付至银行账号", "type": "account", "required": True},
    {"name": "payment_date", "label": "预计支付日期", "type": "date", "required": True,
     "min_days": 0, "max_days": 90},
]  # fmt: skip


def _money_item(name: str) -> bool:
    """An item that pays money out: not a 认定 (国谈药“双通道”…单独支付药品待遇认定 recognises
    a right to a benefit, it pays nothing itself)."""
    return any(w in name for w in MONEY_WORDS) and "认定" not in name


def _decision_for(name: str) -> list[dict]:
    return MONEY_DECISION if _money_item(name) else []


def _form_for(name: str) -> list[dict]:
    if _money_item(name):
        return [
            {"name": "amount", "label": "申请金额（元）", "type": "money", "required": True,
             "max": MONEY_MAX.get(name, MONEY_MAX_DEFAULT), "total": "claimed"},
            {"name": "bank_account", "label": "收款银行账号", "type": "account", "required": True},
        ]  # fmt: skip
    if "备案" in name:
        return [
            {"name": "destination", "label": "就医地", "type": "text", "required": True},
            {
                "name": "start_date",
                "label": "开始日期",
                "type": "date",
                "required": True,
                "min_days": -180,
                "max_days": 366,
            },
        ]
    return [{"name": "note", "label": "申请说明", "type": "text", "required": False}]


def item_versions_from_reference(path: Path = ITEMS_FILE) -> list[dict]:
    """The reference items as catalog_item_save() arguments (without home_office)."""
    entries = json.loads(Path(path).read_text(encoding="utf-8"))
    categories: dict[str, int] = {}
    out = []
    for n, entry in enumerate(entries, 1):
        cat = categories.setdefault(entry["category"], len(categories) + 1)
        promised, legal = entry["time_limit_workdays"], entry["time_limit_max_workdays"]
        known = promised is not None and legal is not None
        instant = bool(entry.get("is_instant"))
        materials = [
            {"code": f"M{i}", "name": text, "form": "original" if i == 1 else "copy",
             "secondary": i > 1 and any(w in text for w in SECONDARY_WORDS)}
            for i, text in enumerate(entry["materials"], 1)
        ]  # fmt: skip
        if not materials:
            materials = [{"code": "M1", "name": "申请表", "form": "original", "secondary": False}]
        employer = any(w in entry["name"] for w in EMPLOYER_WORDS)
        out.append({
            "code": f"YB{cat:02d}{n:03d}",
            "name": entry["name"],
            "category": entry["category"],
            "suspended_reason": "" if known else "参考清单未给出办理时限，待事项管理员核定后启用",
            "version": {
                "handling_type": "instant" if instant else "promised",
                "legal_days": legal if known else 20,
                "promised_days": 0 if instant else (promised if known else 20),
                "channels": ["web", "mobile", "window"],
                "citywide": True,
                "applicant_kinds": ["person", "employer"] if entry["name"] in BOTH_KINDS
                                   else ["employer"] if employer else ["person"],
                "materials": materials,
                "steps": [] if instant else [{"name": "审核", "role": "reviewer"},
                                             {"name": "复审", "role": "second_reviewer"}],
                "form": _form_for(entry["name"]),
                "decision": _decision_for(entry["name"]),
                "conditions": "本市参保单位或参保人员，不限参保地（全市通办）",
                "legal_basis": LEGAL_BASIS,
                "fees": "不收费",
                "notes": entry.get("notes", ""),
            },
        })  # fmt: skip
    return out


def department_item_versions(path: Path = DEPARTMENT_ITEMS_FILE) -> list[dict]:
    """Other departments' items as catalog_item_save() arguments (without home_office).

    What the data file does not give is filled in here: the review steps are taken by that
    department's staff at the handling office (审查 by a reviewer, 审批 by a second reviewer,
    each step naming the department: cases.access.takes_step), applied for on the web or at a
    window, by employers (and persons too where `person_too`: individual businesses), with one
    optional form field naming the project or premises. Instant items (备案) have no step."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for dept in data["departments"]:
        department = dept["department"]
        for entry in dept["items"]:
            instant = bool(entry.get("instant"))
            materials = [
                {"code": f"M{i}", "name": text, "form": "original" if i == 1 else "copy",
                 "secondary": False}
                for i, text in enumerate(entry["materials"], 1)
            ]  # fmt: skip
            out.append({
                "code": entry["code"],
                "name": entry["name"],
                "category": entry["category"],
                "kind": ItemKind.LICENCE if entry["category"] == ItemKind.LICENCE.label else ItemKind.OTHER,
                "department": department,
                "suspended_reason": "",
                "version": {
                    "handling_type": "instant" if instant else "promised",
                    "legal_days": entry["legal_days"],
                    "promised_days": entry["promised_days"],
                    "channels": ["web", "window"],
                    "citywide": True,
                    "applicant_kinds": ["person", "employer"] if entry.get("person_too") else ["employer"],
                    "materials": materials,
                    "steps": [] if instant else [
                        {"name": "审查", "role": "reviewer", "department": department},
                        {"name": "审批", "role": "second_reviewer", "department": department},
                    ],
                    "form": [{"name": "project_name", "label": "项目或经营场所名称",
                              "type": "text", "required": False}],
                    "conditions": "",
                    "legal_basis": entry["legal_basis"],
                    "fees": "不收费",
                    "notes": entry.get("note", ""),
                },
            })  # fmt: skip
    return out


def departments(path: Path = DEPARTMENT_ITEMS_FILE) -> dict[str, str]:
    """The other departments of the data file: {prefix of their item codes: department}."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {d["prefix"]: d["department"] for d in data["departments"]}


def bundles_seed(path: Path = BUNDLES_FILE) -> int:
    """The bundles of data/bundles.json over the items already loaded, each checked as one
    merged form (bundle_spec); safe to run again. Returns how many the file holds."""
    entries = json.loads(Path(path).read_text(encoding="utf-8"))["bundles"]
    for entry in entries:
        bundle, _created = Bundle.objects.update_or_create(
            code=entry["code"],
            defaults={"name": entry["name"], "description": entry["description"]},
        )
        bundle.items.set(ServiceItem.objects.filter(code__in=entry["items"]))
        bundle_spec(bundle)  # a bundle nobody could apply for is a mistake in the file
    return len(entries)


def agreement_code(office: str, partner: str) -> str:
    """The code both platforms name an agreement by: KQ-<our office>-<partner>, the same
    two codes whichever side writes it first (the collecting office comes first)."""
    return f"KQ-{office}-{partner}"


def agreements_seed(path: Path = AGREEMENTS_FILE) -> int:
    """莘县's agreements (data/agreements.json) with its partner counties, over the items and the
    external offices already loaded; safe to run again (a partner's platform address and key,
    set when it was connected, are kept). Returns how many agreements the file makes (none on
    a platform where its office is an external region: a partner's)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    office = Office.objects.filter(code=data["office"], external=False).first()
    if office is None:  # a partner platform (ops.crossregion): it holds its own side's
        return 0
    items = list(ServiceItem.objects.filter(code__in=data["items"]))
    if len(items) != len(data["items"]):
        missing = set(data["items"]) - {i.code for i in items}
        raise ValueError(f"{path}: items not in the catalog: {', '.join(sorted(missing))}")
    try:
        our_key = platform_public_key()
    except SigningKeyError:  # production without its key yet: connect-partner records it later
        our_key = ""
    for code in data["partners"]:
        partner = Office.objects.get(code=code, external=True)
        agreement, _created = Agreement.objects.update_or_create(
            code=agreement_code(office.code, partner.code),
            defaults={
                "title": f"{office.name.removesuffix('医疗保障局')}—{partner.name.removesuffix('医疗保障局')}"
                         "农业审批跨区通办协议",
                "office": office, "partner": partner, "mode": data["mode"],
                "valid_from": date.fromisoformat(data["valid_from"]),
                "valid_to": date.fromisoformat(data["valid_to"]),
                "duties_ours": data["duties_ours"], "duties_partner": data["duties_partner"],
                "our_key": our_key,
            },
        )  # fmt: skip
        agreement.items.set(items)
    return len(data["partners"])


@transaction.atomic
def catalog_seed(*, path: Path = ITEMS_FILE,
                 departments_path: Path | None = DEPARTMENT_ITEMS_FILE,
                 bundles_path: Path | None = BUNDLES_FILE) -> int:  # fmt: skip
    """Load the reference catalog, the other departments' items and the bundles (一件事) over
    them; safe to run again (unchanged items get no new version). Returns how many items the
    files hold."""
    city = Office.objects.get(code=settings.TONGBAN_CITY_CODE)
    entries = item_versions_from_reference(path)
    if departments_path is not None:
        entries += department_item_versions(departments_path)
    for entry in entries:
        version = catalog_item_save(code=entry["code"], name=entry["name"], category=entry["category"],
                                    department=entry.get("department", "医疗保障局"),
                                    kind=entry.get("kind", ItemKind.PUBLIC_SERVICE),
                                    home_office=city, version=entry["version"], effective_from=EFFECTIVE_FROM)  # fmt: skip
        if entry["suspended_reason"] and version.item.status == ServiceItem.Status.ACTIVE:
            catalog_item_set_status(item=version.item, status=ServiceItem.Status.SUSPENDED,
                                    reason=entry["suspended_reason"])  # fmt: skip
    if bundles_path is not None and departments_path is not None:
        bundles_seed(bundles_path)
    if departments_path is not None and Office.objects.filter(external=True).exists():
        agreements_seed()
    return len(entries)
