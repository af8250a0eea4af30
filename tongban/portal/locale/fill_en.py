"""Fill the portal's English catalogue from the table below, then compile it:

    cd tongban/portal && ../../.venv/bin/python ../../manage.py makemessages -l en \
        && ../../.venv/bin/python locale/fill_en.py \
        && ../../.venv/bin/python ../../manage.py compilemessages

(Run from tongban/portal so only the portal's strings are collected into its own locale/.)
A plural msgid maps to a (singular, plural) pair. Strings not in the table stay
untranslated (shown in Chinese) and are listed on stdout."""

import re
import sys
from pathlib import Path

# fmt: off
EN = {
    # forms.py
    "用户名或密码不正确。": "Incorrect username or password.",
    '工作人员请从<a href="{}">办事窗口系统</a>登录。': 'Staff, please sign in through the <a href="{}">service desk system</a>.',
    "工作人员请从办事窗口系统（/desk/）登录。": "Staff, please sign in through the service desk system (/desk/).",
    "请选择": "Please choose",
    "请上传此材料": "Please upload this document",
    "申请人证件号码": "Applicant's ID number",
    "居民身份证号码或统一社会信用代码": "Resident ID card number or unified social credit code",
    "申请人姓名/单位名称": "Applicant's name / employer name",
    "联系电话": "Phone",
    "参保地": "Insured in",
    "撤回原因（可不填）": "Reason for withdrawing (optional)",
    "办件编号": "Case number",
    "如 371500-20250307-000001": "e.g. 371500-20250307-000001",
    "非常满意": "Very satisfied",
    "满意": "Satisfied",
    "基本满意": "Fairly satisfied",
    "不满意": "Dissatisfied",
    "非常不满意": "Very dissatisfied",
    "评价等级": "Rating",
    "请选择评价等级": "Please choose a rating",
    "评价内容（可不填）": "Comments (optional)",
    "说说办理过程中的感受或建议": "Tell us how it went, or how we could do better",
    # dates
    "Y年n月j日": "j M Y",
    "Y年n月j日 H:i": "j M Y H:i",
    "n月j日": "j M",
    # _deadline.html, _status.html, _rating.html
    "该年度节假日安排尚未公布，期限按普通工作日暂算，公布后据实调整": "This year's public holidays have not been announced yet: the deadline counts ordinary working days for now and will be adjusted once they are.",
    "暂定": "provisional",
    "补正期间暂停计时": "Paused while awaiting the supplement",
    "受理后开始计算": "Starts once the application is accepted",
    "本办件已评价：": "This case has been rated: ",
    "你的评价：": "Your rating: ",
    "%(score)s 星": "%(score)s stars",
    "感谢你的评价。": "Thank you for your feedback.",
    "请为本次服务打分，%(until)s前可评价。": "Please rate this service (open until %(until)s).",
    "请为本次服务打分。": "Please rate this service.",
    "提交评价": "Submit rating",
    "已办结 · 不予批准": "Completed · Denied",
    "已办结 · 准予": "Completed · Approved",
    "待补正": "Supplement needed",
    "不予受理": "Not accepted",
    "已撤回": "Withdrawn",
    "已受理 · 办理中": "Accepted · In progress",
    "已申请 · 待受理": "Submitted · Awaiting acceptance",
    # base.html
    "医保网上办事大厅": "Medical Insurance Online Services",
    "办事指南": "Service guides",
    "我的办件": "My cases",
    "办件查询": "Track a case",
    "退出": "Sign out",
    "登录": "Sign in",
    # apply.html
    "在线申请": "Apply online",
    "在线申请：%(name)s": "Apply online: %(name)s",
    "即办件：受理时材料齐全的，当场办结。": "Instant item: completed on the spot if all documents are in order when accepted.",
    "承诺件：受理后 %(days)s 个工作日内办结。": (
        "Promised-time item: completed within %(days)s working day of acceptance.",
        "Promised-time item: completed within %(days)s working days of acceptance.",
    ),
    '带 <span class="req">*</span> 的为必填项。': ' Fields marked <span class="req">*</span> are required.',
    "申请未提交：请按提示修改标红的项目，并重新选择要上传的文件。": "Your application was not submitted: please correct the items marked in red and choose the files to upload again.",
    "申请未提交：请按提示修改标红的项目。": "Your application was not submitted: please correct the items marked in red.",
    "代办：申请人信息": "Applying on behalf of: applicant details",
    "你以帮办代办员身份为他人申请，请核对申请人的证件。": "You are applying for someone else as an authorised agent; please check the applicant's ID.",
    "申请人": "Applicant",
    "申请表": "Application form",
    "申请材料": "Required documents",
    "PDF、JPG 或 PNG，每个文件不超过 10 MB；可用手机直接拍照上传。": "PDF, JPG or PNG, up to 10 MB per file; you can take a photo with your phone and upload it directly.",
    "原件": "Original",
    "复印件": "Copy",
    "可容缺，可受理后补交": "May be supplied later, after acceptance",
    "提交申请": "Submit application",
    "返回指南": "Back to the guide",
    # case_detail.html
    "办件 %(number)s": "Case %(number)s",
    "请补正材料": "Please supplement your documents",
    "经办机构已一次性告知，需补正以下全部 %(n)s 项材料，请于 <b>%(due)s</b> 前提交。": (
        "The office has listed, in one notice, the %(n)s document you need to supplement. Please submit it by <b>%(due)s</b>.",
        "The office has listed, in one notice, all %(n)s documents you need to supplement. Please submit them by <b>%(due)s</b>.",
    ),
    "经办机构已一次性告知，需补正以下全部 %(n)s 项材料。": (
        "The office has listed, in one notice, the %(n)s document you need to supplement.",
        "The office has listed, in one notice, all %(n)s documents you need to supplement.",
    ),
    "补正期间暂停计算办结时限。": " The processing time limit is paused until you supplement.",
    "说明：": "Note: ",
    "PDF、JPG 或 PNG，每个文件不超过 10 MB。": "PDF, JPG or PNG, up to 10 MB per file.",
    "提交补正材料": "Submit supplement",
    "申请时间": "Submitted",
    "受理时间": "Accepted",
    "经办机构": "Handling office",
    "受理答复": "Acceptance decision",
    "%(date)s前": "by %(date)s",
    "办结期限": "Deadline",
    "当前环节": "Current step",
    "容缺补交": "Documents to follow",
    "%(date)s前补交：": "to be supplied by %(date)s: ",
    "、": ", ",
    "撤回时间": "Withdrawn",
    "决定时间": "Decided",
    "办结时间": "Completed",
    "理由": "Reason",
    "评价本次服务": "Rate this service",
    "通知书": "Notices",
    "办理进度": "Progress",
    "提交申请（%(channel)s）": "Application submitted (%(channel)s)",
    "需补正：": "To supplement: ",
    "容缺后补：": "To follow later: ",
    "材料：": "Documents: ",
    "已上传的材料": "Uploaded documents",
    "撤回申请": "Withdraw application",
    # home.html
    "聊城市医保经办事项全市通办：不论参保在哪个县（市、区），都可以在网上申请，或到任一医保服务大厅办理。": "Liaocheng medical insurance services can be handled anywhere in the city: wherever you are insured, you can apply online or at any medical insurance service hall.",
    "搜索事项": "Search services",
    "事项名称或编码，如“报销”": "Service name or code",
    "搜索": "Search",
    "进度、补正、撤回、评价": "Progress, supplement, withdraw, rate",
    "凭办件编号和证件号码": "With the case number and ID number",
    "“%(q)s”的搜索结果：%(count)s 个事项。": (
        "Results for “%(q)s”: %(count)s service. ",
        "Results for “%(q)s”: %(count)s services. ",
    ),
    '换个关键词试试，或 <a href="%(all_url)s">查看全部事项</a>。': 'Try another keyword, or <a href="%(all_url)s">see all services</a>.',
    "即办件": "Instant item",
    "承诺件 · %(days)s 个工作日": (
        "Promised-time item · %(days)s working day",
        "Promised-time item · %(days)s working days",
    ),
    # item.html
    "聊城市医疗保障局 · 医保全市通办 · 办事指南": "Liaocheng Healthcare Security Administration · Citywide services · Service guide",
    "事项编码 %(code)s · %(department)s · 第 %(number)s 版，%(date)s起施行": "Service code %(code)s · %(department)s · version %(number)s, in force from %(date)s",
    "该事项%(status)s：%(reason)s，暂不受理申请。": "This service is %(status)s (%(reason)s); applications are not being accepted.",
    "该事项%(status)s，暂不受理申请。": "This service is %(status)s; applications are not being accepted.",
    "打印指南": "Print the guide",
    "基本信息": "Basic information",
    "办件类型": "Type",
    "即办件（材料齐全当场办结）": "Instant item (completed on the spot when the documents are complete)",
    "承诺件": "Promised-time item",
    "法定办结时限": "Statutory time limit",
    "%(days)s 个工作日": ("%(days)s working day", "%(days)s working days"),
    "即时办结": "Completed immediately",
    "承诺办结时限": "Promised time limit",
    "%(days)s 个工作日（自受理之日的次日起算）": (
        "%(days)s working day (counted from the day after acceptance)",
        "%(days)s working days (counted from the day after acceptance)",
    ),
    "收费标准": "Fees",
    "办理渠道": "Channels",
    "网上办（网上办事大厅）": "Online (this portal)",
    "掌上办（手机）": "Mobile (phone)",
    "窗口办（本市任一医保服务大厅）": "In person (any medical insurance service hall in the city)",
    "；": "; ",
    "通办范围": "Where it can be handled",
    "全市通办：不限参保地，本市任一经办机构均可受理、办结": "Citywide: any office in the city can accept and complete it, wherever you are insured",
    "属地办理：%(office)s": "Locally only: %(office)s",
    "申请对象": "Who can apply",
    "参保个人": "Insured individuals",
    "参保单位、定点医药机构": "Insured employers, designated medical institutions and pharmacies",
    "申请条件": "Eligibility",
    "序号": "No.",
    "材料名称": "Document",
    "形式": "Form",
    "说明": "Note",
    "可容缺": "May be supplied later",
    "必交": "Required",
    "可容缺：主要材料齐全时，此材料可以承诺后补，不影响受理（容缺受理）。网上申请可上传 PDF、JPG、PNG，每个文件不超过 10 MB。": "May be supplied later: when the main documents are complete, you can promise to hand this one in later without delaying acceptance. Online applications accept PDF, JPG and PNG, up to 10 MB per file.",
    "办理流程": "Process",
    "网上申请后 %(days)s 个工作日内答复是否受理；材料不全的，一次性告知需要补正的全部材料。": (
        "After you apply online we tell you within %(days)s working day whether your application is accepted; if documents are missing, we list everything you need to supplement in one notice.",
        "After you apply online we tell you within %(days)s working days whether your application is accepted; if documents are missing, we list everything you need to supplement in one notice.",
    ),
    "设定依据": "Legal basis",
    "温馨提示": "Good to know",
    "打印自聊城市医保网上办事大厅 · 咨询电话 12393": "Printed from the Liaocheng Medical Insurance Online Services · Helpline 12393",
    # login.html
    "登录网上办事大厅": "Sign in to Online Services",
    "申请人和帮办代办员使用。工作人员请从办事窗口系统登录。": "For applicants and authorised agents. Staff, please sign in through the service desk system.",
    '不登录也可以<a href="%(lookup_url)s">查询办件进度</a>。': 'You can also <a href="%(lookup_url)s">track a case</a> without signing in.',
    # lookup.html
    "申请日期": "Submitted on",
    "受理日期": "Accepted on",
    "撤回日期": "Withdrawn on",
    "决定日期": "Decided on",
    "办结日期": "Completed on",
    '查看通知书、补正材料，请<a href="%(login_url)s">登录</a>后在“我的办件”中操作。': 'To see notices or supplement documents, <a href="%(login_url)s">sign in</a> and go to “My cases”.',
    "查询其他办件": "Track another case",
    "无需登录：输入办件编号和申请人的证件号码（居民身份证号码或统一社会信用代码）。通知书上的二维码也会带你来这里。": "No sign-in needed: enter the case number and the applicant's ID number (resident ID card number or unified social credit code). The QR code on a notice also brings you here.",
    "查询": "Track",
    # my_cases.html
    "你以帮办代办员身份提交的办件。": "Cases you submitted as an authorised agent.",
    "申请于 %(date)s": "Submitted %(date)s",
    "办结期限 %(date)s": "Due %(date)s",
    "（暂定）": " (provisional)",
    "申请人 %(name)s": "Applicant %(name)s",
    "需要补正 %(n)s 项材料 ›": (
        "%(n)s document to supplement ›",
        "%(n)s documents to supplement ›",
    ),
    "上一页": "Previous",
    "第 %(number)s / %(pages)s 页": "Page %(number)s of %(pages)s",
    "下一页": "Next",
    "还没有办件。": "You have no cases yet.",
    "查看办事指南，在线申请": "See the service guides and apply online",
    # receipt.html
    "申请回执 %(number)s": "Receipt %(number)s",
    "申请已提交": "Application submitted",
    "请记下办件编号，凭它和申请人证件号码可随时查询进度。": "Please note the case number: with it and the applicant's ID number you can track progress at any time.",
    "申请事项": "Service",
    "提交时间": "Submitted",
    "%(date)s前答复是否受理；逾期未答复的，自收到申请之日起视为受理": "We will tell you by %(date)s whether it is accepted; without an answer by then, it counts as accepted from the day we received it",
    "全市任一医保经办机构都可受理你的申请，不受参保地限制。受理、补正、办结时，我们会出具书面通知书，你可在“我的办件”中下载。": "Any medical insurance office in the city can accept your application, wherever you are insured. When it is accepted, needs a supplement or is completed, we issue a written notice that you can download under “My cases”.",
    "查看办件": "View case",
    "打印回执": "Print receipt",
    # staff_elsewhere.html, withdraw.html
    "请使用办事窗口系统": "Please use the service desk system",
    "这里是申请人的网上办事大厅": "This is the applicants' online services portal",
    '你以工作人员身份（%(role)s）登录。办件受理、审核请使用<a href="/desk/">办事窗口系统</a>。': 'You are signed in as staff (%(role)s). To accept and review cases, please use the <a href="/desk/">service desk system</a>.',
    "撤回申请 %(number)s": "Withdraw application %(number)s",
    "撤回": "Withdraw",
    "撤回申请？": "Withdraw this application?",
    "撤回后，办件 <b>%(number)s</b>（%(name)s）将终止办理，不能恢复；如需办理，请重新申请。": "Once withdrawn, case <b>%(number)s</b> (%(name)s) is closed and cannot be reopened; to go ahead later, you will need to apply again.",
    "确认撤回": "Withdraw",
    "不撤回": "Keep it",
    # views.py
    "受理即办结": "Accepted and completed at once",
    "受理": "Accepted",
    "办结": "Completed",
    "该事项%(status)s，暂不受理网上申请": "This service is %(status)s; online applications are not being accepted",
    "你的账号尚未关联申请人信息，请到任一医保服务大厅窗口办理": "Your account is not linked to an applicant yet; please visit any medical insurance service hall",
    "补正材料已提交，我们会尽快审查。": "Your supplement has been submitted; we will review it shortly.",
    "申请已撤回。": "Your application has been withdrawn.",
    "感谢你的评价！": "Thank you for your feedback!",
    "查询失败次数过多，请 10 分钟后再试。": "Too many failed look-ups; please try again in 10 minutes.",
    "没有找到与该办件编号和证件号码相符的办件，请核对后再试。": "No case matches that case number and ID number; please check them and try again.",
}
# fmt: on

STR = r'(?:"(?:[^"\\]|\\.)*"\s*)+'
ENTRY = re.compile(
    rf"^msgid (?P<id>{STR})(?:msgid_plural (?P<pl>{STR}))?"
    rf"(?:msgstr (?P<str>{STR})|msgstr\[0\] (?P<s0>{STR})msgstr\[1\] (?P<s1>{STR}))",
    re.M,
)


def _unquote(block: str) -> str:
    raw = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block))
    return raw.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def fill(path: Path) -> int:
    text = path.read_text(encoding="utf-8")
    text = text.replace('#, fuzzy\nmsgid ""', 'msgid ""', 1).replace(
        '"Language: \\n"', '"Language: en\\n"', 1
    )
    missing = []

    def repl(m):
        msgid = _unquote(m.group("id"))
        if not msgid:
            return m.group(0)
        en = EN.get(msgid)
        if en is None:
            missing.append(msgid)
            return m.group(0)
        head = f"msgid {m.group('id')}"
        if m.group("pl"):
            one, many = en if isinstance(en, tuple) else (en, en)
            return f"{head}msgid_plural {m.group('pl')}msgstr[0] {_quote(one)}\nmsgstr[1] {_quote(many)}\n"
        assert isinstance(en, str), msgid
        return f"{head}msgstr {_quote(en)}\n"

    text = ENTRY.sub(repl, text)
    text = re.sub(r"^#, fuzzy.*\n(?=(?:#.*\n)*msgid)", "", text, flags=re.M)
    path.write_text(text, encoding="utf-8")
    for m in missing:
        print("untranslated:", m)
    return len(missing)


if __name__ == "__main__":
    sys.exit(1 if fill(Path(__file__).parent / "en" / "LC_MESSAGES" / "django.po") else 0)
