"""Fill the consultations app's English catalogue from the table below, then compile it:

    cd tongban/consultations && django-admin makemessages -l en --no-obsolete \
        && python locale/fill_en.py \
        && msgfmt -o locale/en/LC_MESSAGES/django.mo locale/en/LC_MESSAGES/django.po

Strings that are not in the table stay untranslated (shown in Chinese)."""

import sys
from pathlib import Path

EN = {
    "%(label)s必填": "%(label)s is required",
    "%(label)s最多 %(max)s 字": "%(label)s: at most %(max)s characters",
    "事项 %(code)r 不存在": "Item %(code)r does not exist",
    "办件 %(number)s 不存在": "Case %(number)s does not exist",
    "只有经办机构工作人员可以登记咨询": "Only office staff may log an enquiry",
    "咨询方式应为窗口或电话，而不是 %(channel)r": "The enquiry channel must be window or phone, not %(channel)r",
    "联系电话": "Phone",
    "联系电话只能包含数字和连字符": "A phone number may contain only digits and hyphens",
    "咨询人": "Asked by",
    "咨询内容": "Question",
    "答复": "Answer",
    "不能关联此咨询记录": "You cannot link this enquiry",
}


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the project root
    from tongban.lib.po_fill import po_fill

    sys.exit(1 if po_fill(Path(__file__).parent / "en" / "LC_MESSAGES" / "django.po", EN) else 0)
