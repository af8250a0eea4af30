"""Fill the cases app's English catalogue from the table below, then compile it:

    cd tongban/cases && django-admin makemessages -l en --no-obsolete \
        && python locale/fill_en.py \
        && msgfmt -o locale/en/LC_MESSAGES/django.mo locale/en/LC_MESSAGES/django.po

Strings that are not in the table stay untranslated (shown in Chinese)."""

import sys
from pathlib import Path

EN = {
    "即办件不适用容缺受理：请一次性告知补正，材料补齐后即时办结": "An instant item cannot be accepted with materials missing (容缺): ask for them in one notice; it is finished the moment they come",
    "申请人有 %(n)s 次容缺承诺未兑现，按规定不适用容缺受理": "The applicant has broken %(n)s 容缺 promise(s) and may not be accepted with materials missing",
    "办件已结束": "The case has ended",
    "%(field)s 应为 1 到 %(most)s 的整数": "%(field)s must be a whole number from 1 to %(most)s",
    "延期": "Extension",
    "已超过办结期限 %(deadline)s，不能再申请延期": "The deadline %(deadline)s has passed: an extension can no longer be asked for",
    "请选择批准或不予批准 (approve: true 或 false)": "Choose to approve or refuse (approve: true or false)",
    "已超过原办结期限，不能再批准延期（须在期限届满前告知申请人）": "The original deadline has passed: the extension can no longer be approved (the applicant must be told before it)",
    "不予批准延期": "Refusing an extension",
    "特别程序应为 %(kinds)s 之一": "The special procedure must be one of %(kinds)s",
    "特别程序": "Special procedure",
    "特别程序结果": "The procedure's outcome",
    # services.py: applying
    "%(field)s 应为材料编码的列表": "%(field)s must be a list of material codes",
    "事项“%(item)s”没有这些材料: %(unknown)s；可用的材料编码: %(codes)s": "Item “%(item)s” has no such materials: %(unknown)s; its material codes: %(codes)s",
    "无": "none",
    "Idempotency-Key 最长 100 个字符": "Idempotency-Key is at most 100 characters long",
    "申请人本人申请时不填 applicant": "Leave applicant out when applying for yourself",
    "此账号没有关联申请人信息": "This account has no applicant record",
    "代他人申请时必填 applicant": "applicant is required when applying for someone else",
    "applicant 应为对象": "applicant must be an object",
    "渠道应为 web、mobile 或 window，而不是 %(channel)r": "Channel must be web, mobile or window, not %(channel)r",
    "事项“%(item)s”不能通过%(channel)s申请，可用渠道: %(allowed)s": "Item “%(item)s” cannot be applied for by %(channel)s; its channels: %(allowed)s",
    "事项“%(item)s”不接受%(kind)s申请": "Item “%(item)s” takes no applications from a %(kind)s applicant",
    "只有窗口受理员可以登记窗口申请": "Only window clerks may register window applications",
    "窗口申请只能登记在本人所在的经办机构": "A window application can only be registered at your own office",
    "事项“%(item)s”仅限%(office)s属地办理": "Item “%(item)s” is handled only by %(office)s (not citywide)",
    "网上申请由申请人本人或帮办代办员提交": "Online applications are submitted by the applicant or an agent",
    "只有窗口申请（channel 为 window）填写 office": "Only a window application (channel window) gives an office",
    "Idempotency-Key 已用于办件 %(number)s（另一事项、申请人或渠道），请为新申请换一个键": "This Idempotency-Key was used for case %(number)s (another item, applicant or channel); use a new key for a new application",
    # services.py: acting on a case
    "没有这个办理动作: %(action)r": "No such action: %(action)r",
    "办件 %(number)s 不存在": "Case %(number)s does not exist",
    "该申请刚被其他窗口认领或受理（首问负责），请刷新受理队列": "Another window has just taken or accepted this application (first responder); refresh the intake queue",
    "办件已被他人更新（当前版本 %(current)s，提交的是 %(given)s），请刷新后重试": "The case was changed by someone else (version %(current)s now, %(given)s sent); refresh and try again",
    "办件当前状态为“%(status)s”，不能执行“%(action)s”": "The case is “%(status)s”: “%(action)s” is not possible now",
    "%(role)s不能对此办件执行“%(action)s”": "A user with the role “%(role)s” may not take “%(action)s” on this case",
    "理由": "Reason",
    "“%(action)s”不接受参数 %(names)s": "“%(action)s” takes no argument %(names)s",
    "不能从“%(from)s”变为“%(to)s”": "A case cannot go from “%(from)s” to “%(to)s”",
    "%(what)s必须写明理由": "%(what)s: a reason is required",
    "不予受理": "Refuse",
    "不予批准": "Deny",
    "转办": "Transfer",
    "理由最多 2000 字": "The reason is at most 2000 characters long",
    "该申请已由 %(name)s 认领（首问负责）": "This application was taken by %(name)s (first responder)",
    "主要材料不齐，不能受理，请一次性告知补正: %(names)s": "Main materials are missing, cannot accept; ask for all of them at once: %(names)s",
    "容缺材料承诺补齐日期应在今天到办结期限 %(deadline)s 之间": "The promised date for the missing secondary materials must be between today and the deadline, %(deadline)s",
    "请列出需要补正的全部材料": "List every material to supplement",
    "一次性告知须列出所有未提交的材料，漏列: %(names)s": "The one-time notice must list every material not handed in; left out: %(names)s",
    "仍缺少: %(names)s": "Still missing: %(names)s",
    "容缺材料尚未补齐，办结结果须待材料补齐后出具": "Secondary materials are still missing: the decision waits until they are all in",
    "%(office)r 不是本市的经办机构": "%(office)r is not an office of this city",
    "不能转办给当前经办机构": "Cannot transfer a case to the office that handles it now",
    "事项“%(item)s”仅限属地办理": "Item “%(item)s” is handled only by its home office (not citywide)",
    # services.py: bundles
    "%(name)s 应为以事项编码为键的对象": "%(name)s must be an object keyed by item code",
    "%(name)s 含有套餐外的事项: %(codes)s": "%(name)s names items outside the bundle: %(codes)s",
    "事项 %(code)s: %(message)s": "Item %(code)s: %(message)s",
    # attachments.py
    "请选择要上传的文件": "Choose a file to upload",
    "文件是空的": "The file is empty",
    "文件过大（%(size).1f MB），每个文件不超过 %(limit)s MB": "The file is too large (%(size).1f MB); each file may be at most %(limit)s MB",
    "只接受 PDF、JPG 或 PNG 文件（按文件内容判断，不看扩展名）": "Only PDF, JPG or PNG files are accepted (judged by their content, not their extension)",
    "办件已%(status)s，不能再上传材料": "The case is “%(status)s”: no more materials can be uploaded",
    "事项“%(item)s”没有材料 %(material)r；可用的材料编码: %(codes)s": "Item “%(item)s” has no material %(material)r; its material codes: %(codes)s",
}


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the project root
    from tongban.lib.po_fill import po_fill

    sys.exit(1 if po_fill(Path(__file__).parent / "en" / "LC_MESSAGES" / "django.po", EN) else 0)
