"""The demo's 帮办代办 (`tongban demo`): an elderly person without an account who authorised the
莘县 agent at the window for every item, and applicant-1 who authorised the 临清 agent online
for one item, so that agent-371522 and agent-371581 can apply for someone at once; then
(assistance_demo) people of the special groups, a clerk at the 燕店 market point who holds an
authorisation, a case that came through the point, and home visits at each stage."""

from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tongban.catalog.models import Bundle, ItemVersion
from tongban.catalog.selectors import items_active
from tongban.lib.files import pdf_page
from tongban.lib.identifiers import synthetic_resident_id, synthetic_uscc
from tongban.people.models import Applicant, User
from tongban.people.services import applicant_groups_set, applicant_upsert

from .authorisations import authorisation_make
from .models import Authorisation, BundleApplication, HomeVisit
from .services import bundle_accept, bundle_apply, case_submit
from .visits import visit_assign, visit_close, visit_request

# Born 1945: 80 years old, the kind of person an agent point serves.
ELDER = {"id_number": synthetic_resident_id(region="371522", birth=date(1945, 3, 8), seq=1),
         "name": "赵奶奶（演示）", "phone": "13800000031", "insured_region": "371522"}  # fmt: skip


def _letter() -> SimpleUploadedFile:
    return SimpleUploadedFile("weituoshu.pdf", pdf_page("Authorisation letter (demo)"),
                              "application/pdf")  # fmt: skip


def authorisations_demo() -> list[str]:
    """Make the demo's authorisations once; returns a line about each one made."""
    users = {u.username: u for u in User.objects.filter(
        username__in=["clerk-371522", "agent-371522", "agent-371581", "applicant-1"])}  # fmt: skip
    if len(users) < 4 or Authorisation.objects.exists():
        return []
    today = timezone.localdate()
    elder = applicant_upsert(**ELDER, by=users["clerk-371522"])
    authorisation_make(applicant=elder, agent=users["agent-371522"], items=[], valid_from=today,
                       valid_to=today + timedelta(days=365), letter=_letter(),
                       by=users["clerk-371522"], identities_checked=True)  # fmt: skip
    authorisation_make(applicant=users["applicant-1"].applicant, agent=users["agent-371581"],
                       items=["YB07019"], valid_from=today, valid_to=today + timedelta(days=90),
                       letter=_letter(), by=users["applicant-1"])  # fmt: skip
    return [f"agent-371522 for {ELDER['name']} ({ELDER['id_number']}), every item",
            "agent-371581 for applicant-1, 门诊费用报销 (YB07019)"]  # fmt: skip


# A man with a 残疾人证 (肢体四级) and a left-behind woman of 76, both of 莘县.
DISABLED = {"id_number": synthetic_resident_id(region="371522", birth=date(1962, 7, 19), seq=2),
            "name": "钱叔（演示）", "phone": "13800000032", "insured_region": "371522"}  # fmt: skip
LEFT_BEHIND = {"id_number": synthetic_resident_id(region="371522", birth=date(1950, 11, 2), seq=3),
               "name": "孙婆婆（演示）", "phone": "13800000033", "insured_region": "371522"}  # fmt: skip


def _simple_item() -> ItemVersion | None:
    """An item a person may apply for online whose form asks nothing required: what the demo's
    agent applies for."""
    versions = ItemVersion.objects.in_bulk([i.current_version_id for i in items_active()])
    for version in sorted(versions.values(), key=lambda v: v.item.code):
        if ("web" in version.channels and "person" in version.applicant_kinds
                and version.item.department == "医疗保障局"
                and not any(f.get("required") for f in version.form)):  # fmt: skip
            return version
    return None


def assistance_demo() -> list[str]:
    """The demo's special groups, agent-point case and home visits, once; a line about each."""
    users = {u.username: u for u in User.objects.filter(
        username__in=["clerk-371522", "clerk-dd-371522", "agent-371522"])}  # fmt: skip
    if len(users) < 3 or HomeVisit.objects.exists():
        return []
    clerk, point_clerk, agent = users["clerk-371522"], users["clerk-dd-371522"], users["agent-371522"]
    today = timezone.localdate()
    lines = []
    disabled = applicant_upsert(**DISABLED, by=clerk)
    applicant_groups_set(applicant=disabled, by=clerk,
                         disability_certificate=disabled.id_number + "44")  # fmt: skip
    left = applicant_upsert(**LEFT_BEHIND, by=clerk)
    applicant_groups_set(applicant=left, by=clerk, left_behind=True)
    lines.append(f"{DISABLED['name']} 残疾人, {LEFT_BEHIND['name']} 留守人员 (and elderly)")
    authorisation_make(applicant=disabled, agent=point_clerk, items=[], valid_from=today,
                       valid_to=today + timedelta(days=365), letter=_letter(), by=clerk,
                       identities_checked=True)  # fmt: skip
    lines.append(f"clerk-dd-371522 (燕店 market point) holds {DISABLED['name']}'s authorisation")
    version = _simple_item()
    elder = Applicant.objects.filter(pk__in=Authorisation.objects.filter(agent=agent)
                                     .values("applicant")).first()  # fmt: skip
    if version is not None and elder is not None:
        case, _ = case_submit(item=version.item.code, channel="web", submitted_by=agent,
                              applicant=elder, materials=sorted(version.main_material_codes))  # fmt: skip
        lines.append(f"case {case.number}: agent-371522 for {elder.name} at the 燕店 market point")
    item_codes = [version.item.code] if version else []
    asked = visit_request(by=clerk, channel="phone", applicant=LEFT_BEHIND, address="莘县张鲁回族镇孙庄村 12 号",
                          phone=LEFT_BEHIND["phone"], preferred_date=today + timedelta(days=2),
                          preferred_period="morning", items=item_codes, note="腿脚不便，需代办门诊慢特病申请")  # fmt: skip
    sent = visit_request(by=clerk, channel="window", applicant=DISABLED, address="莘县燕店镇东街 8 号",
                         phone=DISABLED["phone"], preferred_date=today + timedelta(days=1),
                         items=item_codes, note="家属到窗口代为预约")  # fmt: skip
    visit_assign(visit=sent, agent=agent, by=clerk)
    done = visit_request(by=clerk, channel="phone", applicant=ELDER, address="莘县燕店镇西街 3 号",
                         phone=ELDER["phone"], preferred_date=today, items=item_codes)  # fmt: skip
    visit_assign(visit=done, agent=agent, by=clerk)
    visit_close(visit=done, done=True, note="已上门采集材料并代为提交申请", by=agent)
    lines.append(f"home visits: {asked.pk} asked, {sent.pk} sent to agent-371522, {done.pk} done")
    return lines


# An employer opening in 莘县 that registers and enrols its first staff in one visit.
EMPLOYER = {"id_number": "", "name": "莘县演示农资有限公司", "phone": "13800000041",
            "insured_region": "371522", "kind": "employer"}  # fmt: skip


def bundles_demo() -> list[str]:
    """一件事 in the demo, once: applicant-1's newborn bundle applied for online (in the intake,
    for a clerk to take whole and accept in one step), and an employer's 企业开办 bundle applied
    for and accepted at the 莘县 window (two instant items: finished on the spot)."""
    users = {u.username: u for u in User.objects.filter(username__in=["clerk-371522", "applicant-1"])}
    bundles = {b.code: b for b in Bundle.objects.filter(code__in=["YBS001", "YBS002"])}
    if len(users) < 2 or len(bundles) < 2 or BundleApplication.objects.exists():
        return []
    online, _ = bundle_apply(bundle=bundles["YBS002"], channel="web", submitted_by=users["applicant-1"],
                             materials=["B01", "B02", "B03", "B04", "B05"],
                             form={"note": "新生儿 王小宝（演示），2026年11月20日出生", "amount": "3260.00",
                                   "bank_account": "6222020200112233445"})  # fmt: skip
    employer = {**EMPLOYER, "id_number": synthetic_uscc(region="371522", seq=41)}
    window, _ = bundle_apply(bundle=bundles["YBS001"], channel="window", submitted_by=users["clerk-371522"],
                             applicant=employer, materials=["B01", "B02", "B03", "B04"],
                             form={"note": "首批参保职工 12 人"})  # fmt: skip
    bundle_accept(number=window.number, actor=users["clerk-371522"])
    return [f"{online.number} applicant-1, 新生儿出生医保一件事, online, waiting in the intake",
            f"{window.number} {EMPLOYER['name']}, 企业开办医保参保一件事, accepted at the 莘县 window"]  # fmt: skip
