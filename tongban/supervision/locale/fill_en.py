"""Fill the supervision pages' English catalogue from the table below, then compile it:

    cd tongban/supervision && django-admin makemessages -l en && python locale/fill_en.py \
        && msgfmt -o locale/en/LC_MESSAGES/django.mo locale/en/LC_MESSAGES/django.po

Strings that are not in the table stay untranslated (shown in Chinese)."""

import re
from pathlib import Path

EN = {
    "督办": "Supervision",
    "市局：全市各经办机构": "City bureau: every office of the city",
    "超期预警": "Deadline cards",
    "差评整改": "Bad ratings",
    "申诉": "Appeals",
    "通知记录": "Notifications",
    "上一页": "Previous",
    "第 %(page)s 页": "Page %(page)s",
    "下一页": "Next",
    "督办 · 差评申诉": "Supervision · Appeals",
    "申诉状态": "Appeal status",
    "全部": "All",
    "办件编号": "Case number",
    "申诉机构": "Office",
    "理由": "Reason",
    "状态": "Status",
    "去审核": "Decide",
    "没有申诉。": "No appeals.",
    "督办 · 超期预警": "Supervision · Deadline cards",
    "红牌 · 已超期": "Red cards · overdue",
    "黄牌 · 剩余时限不足 %(share)s%%": "Yellow cards · at most %(share)s%% of the time left",
    "差评整改待办结": "Rectifications open",
    "演示时钟": "Demo clock",
    "仅演示环境": "demo only",
    "这不是真实时间。点一下，所有在办件的受理日期、办结期限、预审和补正期限都前移相应的工作日（相当于时间过去了），随后立即运行超期扫描、预审超期视为受理、补正/容缺逾期和通知任务。今天仍是 %(today)s。": "This is not real time. Each click moves the acceptance dates, deadlines, pre-review and supplement limits of every open case back by that many working days (as if the time had passed), then runs the deadline scan, the pre-review and lapse rules and the notifications at once. Today is still %(today)s.",
    "前进 1 个工作日": "+1 working day",
    "前进 3 个工作日": "+3 working days",
    "前进 5 个工作日": "+5 working days",
    "范围": "Scope",
    "在办件的当前预警": "Current cards of open cases",
    "全部预警记录": "Every card raised",
    "级别": "Level",
    "黄牌和红牌": "Yellow and red",
    "红牌": "Red",
    "黄牌": "Yellow",
    "经办机构": "Office",
    "全市": "Whole city",
    "应用筛选": "Apply",
    "清除": "Clear",
    "预警": "Card",
    "事项": "Item",
    "办结期限": "Deadline",
    "剩余时限": "Time left",
    "预警时间": "Raised",
    "期限所在年度的节假日安排尚未公布，按周一至周五暂计": "The holidays of that year are not published yet: counted Monday to Friday for now",
    "超期 %(n)s 个工作日": "Overdue by %(n)s working day(s)",
    "今日到期": "Due today",
    "剩 %(n)s 个工作日": "Working days left: %(n)s",
    "没有符合条件的预警。": "No cards match.",
    "目前没有黄牌或红牌：所有在办件都在时限内。": "No yellow or red cards: every open case is within its time limit.",
    "后台任务": "Background jobs",
    "黄牌：剩余工作日不超过承诺时限的 %(share)s%%（至少 1 天）；红牌：超过办结期限。每件每级只预警一次。": "Yellow: at most %(share)s%% of the promised time limit left (at least 1 day); red: past the deadline. Each card is raised once per case.",
    "任务": "Job",
    "上次完成": "Last finished",
    "结果": "Result",
    "下次": "Next",
    "后台任务尚未运行（tongban worker）。": "The background jobs have not run yet (tongban worker).",
    "督办 · 通知记录": "Supervision · Notifications",
    "通知由后台任务发送，不在办理请求中发送；每个事件、渠道、接收人只记录和发送一次。": "Notifications are sent by background jobs, never from the request that caused them; each event, channel and recipient is recorded and sent once.",
    "短信（申请人）": "SMS (applicants)",
    "邮件（工作人员）": "E-mail (staff)",
    "时间": "Time",
    "事件": "Event",
    "接收人": "To",
    "内容": "Message",
    "还没有通知。": "No notifications yet.",
    "服务评价": "Rate our service",
    "服务评价 · 好差评": "Rate our service",
    "感谢您的评价！": "Thank you for your rating!",
    "您的评价：%(label)s": "Your rating: %(label)s",
    "我们会在规定时限内核实整改，并回访您。": "We will look into it within the time limit and call you back.",
    "办件办结后才能评价。": "A case can be rated once it is finished.",
    "评价期限已过（应在 %(last_day)s 前评价）。": "The time to rate has passed (until %(last_day)s).",
    "请您对本次服务作出评价": "How was our service?",
    "意见或建议（可选）": "Comments (optional)",
    "先填写意见，再点上面的评价按钮": "Write your comment first, then tap a rating above",
    "一事一评；您的评价将匿名用于改进服务。评价期限至 %(last_day)s。": "One rating per case; it is used anonymously to improve the service. Open until %(last_day)s.",
    "评价": "Rating",
    "已剔除，不计入统计": "Excluded from the figures",
    "（未填写评价内容）": "(no comment)",
    "办件": "Case",
    "评价渠道": "Rated via",
    "回访对象": "Call back",
    "（仅用于回访，请勿外传）": "(for the call-back only; do not pass on)",
    "整改单": "Rectification",
    "责任机构": "Responsible office",
    "整改期限": "Due",
    "已超期": "Overdue",
    "按时办结": "Closed in time",
    "逾期办结": "Closed late",
    "核实整改": "Verified and rectified",
    "回访申请人": "Applicant called back",
    "满意": "Satisfied",
    "不满意": "Not satisfied",
    "办结": "Closed",
    "记录核实与整改": "Record the verification",
    "记录回访": "Record the call-back",
    "办结整改": "Close the rectification",
    "申诉理由": "Reason for the appeal",
    "审核意见": "Decision note",
    "提交审核结论": "Decide",
    "等待市局科长/监察审核。": "Waiting for a supervisor of the city bureau.",
    "如认为该评价有误或属恶意评价，可以提出申诉；申诉成立后该评价不计入统计，整改单作废。": "If the rating is mistaken or malicious, appeal it; an upheld appeal takes it out of the figures and voids the rectification.",
    "提出申诉": "Appeal",
    "未申诉。由办理该办件的经办机构科长在整改办结前提出。": "Not appealed. The office that handled the case may appeal before the rectification is closed.",
    "督办 · 差评整改": "Supervision · Bad ratings",
    "未办结": "Open",
    "已办结": "Closed",
    "进度": "Progress",
    "申诉待审": "Appeal pending",
    "没有未办结的差评整改。": "No open rectifications.",
    "没有差评整改记录。": "No rectifications.",
    "核实与整改情况": "What was found and done",
    "核实了什么，采取了哪些整改措施": "What was checked, and what was changed",
    "回访情况": "Call-back",
    "回访方式、时间、申请人的意见": "How and when the applicant was called, and what they said",
    "申请人对整改是否满意": "Is the applicant satisfied with the rectification?",
    "未表态": "Did not say",
    "办结意见": "Closing note",
    "为何认为该评价有误或属恶意评价，附核实情况": "Why the rating is mistaken or malicious, with what was verified",
    "审核结论": "Decision",
    "申诉成立（该评价不计入统计）": "Upheld (the rating leaves the figures)",
    "申诉不成立": "Rejected",
    "已记录核实与整改情况": "Verification recorded",
    "已记录回访情况": "Call-back recorded",
    "整改已办结": "Rectification closed",
    "申诉已提交，等待市局审核": "Appeal filed; a supervisor of the city bureau decides",
    "已审核申诉": "Appeal decided",
}

ENTRY = re.compile(r'msgid ((?:"(?:[^"\\]|\\.)*"\s*)+)msgstr ""\n(?!")', re.M)


def _unquote(block: str) -> str:
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block))


def fill(path: Path) -> int:
    text = path.read_text(encoding="utf-8")
    missing = []

    def repl(m):
        msgid = _unquote(m.group(1))
        if not msgid:
            return m.group(0)
        if msgid not in EN:
            missing.append(msgid)
            return m.group(0)
        return f'msgid {m.group(1)}msgstr "{EN[msgid]}"\n'

    path.write_text(ENTRY.sub(repl, text), encoding="utf-8")
    for m in missing:
        print("untranslated:", m)
    return len(missing)


if __name__ == "__main__":
    fill(Path(__file__).parent / "en" / "LC_MESSAGES" / "django.po")
