"""Fill the evaluations app's English catalogue from the table below, then compile it:

    cd tongban/evaluations && django-admin makemessages -l en --no-obsolete \
        && python locale/fill_en.py \
        && msgfmt -o locale/en/LC_MESSAGES/django.mo locale/en/LC_MESSAGES/django.po

Strings that are not in the table stay untranslated (shown in Chinese)."""

import sys
from pathlib import Path

EN = {
    "请填写%(what)s": "%(what)s is required",
    "%(label)s最多 %(max)s 字": "%(label)s: at most %(max)s characters",
    "评价等级应为 1 到 5：5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意": "The rating must be 1 to 5: 5 very satisfied, 4 satisfied, 3 fairly satisfied, 2 dissatisfied, 1 very dissatisfied",
    "只能在办理该办件的经办机构窗口评价": "A rating at a window is made at the office that handled the case",
    "只有该办件的申请人可以评价": "Only the applicant of this case may rate it",
    "评价渠道应为 portal、qr 或 window，而不是 %(channel)r": "The rating channel must be portal, qr or window, not %(channel)r",
    "评价内容": "Comment",
    "办件办结后才能评价": "A case can be rated once it has ended",
    "评价期限已过：应在办结后 %(days)s 个工作日内（%(last_day)s 前）评价": "Too late to rate: a case is rated within %(days)s working days of its end (by %(last_day)s)",
    "该办件已评价，每件只能评价一次": "This case has been rated already; a case is rated once",
    "只有该经办机构或市局的科长/监察可以办理整改": "Only a supervisor of this office or of the city bureau may handle the rectification",
    "整改已办结": "Rectification closed",
    "核实与整改情况": "What was found and done",
    "请先核实整改，再回访申请人": "Record what was found and done first, then call the applicant back",
    "回访情况": "Call-back",
    "办结前须回访申请人并记录回访情况": "Call the applicant back and record the call-back before closing",
    "办结意见": "Closing note",
    "只有差评可以申诉": "Only a bad rating can be appealed",
    "由办理该办件的经办机构科长提出申诉": "An appeal is filed by a supervisor of the office that handled the case",
    "整改已办结，不能再申诉": "The rectification is closed: the rating can no longer be appealed",
    "该评价已申诉过": "This rating has been appealed already",
    "申诉理由": "Reason for the appeal",
    "申诉由市局科长/监察审核": "Appeals are decided by a supervisor of the city bureau",
    "不能审核自己提出的申诉": "You cannot decide your own appeal",
    "该申诉已审核": "This appeal has been decided already",
    "审核意见": "Decision note",
}


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the project root
    from tongban.lib.po_fill import po_fill

    sys.exit(1 if po_fill(Path(__file__).parent / "en" / "LC_MESSAGES" / "django.po", EN) else 0)
