"""The English of the project's catalogue, as `tongban translations` fills it."""

EN = {
    "服务暂时不可用，请稍后重试": "The service is briefly unavailable: please try again in a moment",
    "%(year)s 年的节假日安排尚未载入：该年度的期限按周一至周五暂计（标 *）。请事项管理员在国务院办公厅通知发布后载入（管理后台“年度节假日安排”或 tongban load-calendar）。": (
        "The %(year)s holidays are not loaded yet: dates in that year are counted Monday to Friday"
        " for now (marked *). The catalog administrator loads the State Council notice once it is"
        " published (admin: 年度节假日安排, or tongban load-calendar)."
    ),
    # identifiers.py
    "%(label)s必须是文本": "%(label)s must be a string",
    "%(label)s不能为空": "%(label)s must not be empty",
    "%(label)s中不能包含空格或连字符": "%(label)s must not contain spaces or hyphens",
    "身份证号码": "Resident ID number",
    "统一社会信用代码": "Unified social credit code",
    "身份证号码的%(problem)s": "Resident ID number: %(problem)s",
    "行政区划代码不存在": "unknown administrative division code",
    "行政区划代码在出生年份之前已撤销": "the division code was abolished before the birth year",
    "身份证号码中的出生日期无效": "The birth date in the resident ID number is not a real date",
    "身份证号码应为18位": "A resident ID number has 18 characters (15 on old cards)",
    "身份证号码只能由数字组成，末位可为X": "A resident ID number has only digits; the last may be X",
    "身份证号码中的出生日期早于1900年": "The birth date in the resident ID number is before 1900",
    "身份证号码中的出生日期晚于今天": "The birth date in the resident ID number is in the future",
    "身份证号码校验位错误": "The check digit of the resident ID number is wrong",
    "统一社会信用代码应为18位": "A unified social credit code has 18 characters",
    "统一社会信用代码含有不允许的字符 %(found)s（只能是数字和除 I、O、S、V、Z 以外的大写字母）": "The unified social credit code has characters that are not allowed: %(found)s (only digits and capital letters except I, O, S, V, Z)",
    "统一社会信用代码第3至8位应为行政区划代码数字": "Characters 3 to 8 of a unified social credit code must be digits (a division code)",
    "统一社会信用代码校验位错误": "The check character of the unified social credit code is wrong",
    # text.py
    "%(label)s 应为文本": "%(label)s must be text",
    "%(label)s 必填": "%(label)s is required",
    "%(label)s 最多 %(max)s 字": "%(label)s: at most %(max)s characters",
    "%(label)s 含有不可见的控制字符": "%(label)s contains invisible control characters",
    "%(label)s 不能含有换行、零宽或文字方向控制等不可见字符（U+%(code)04X）": "%(label)s must not contain line breaks, zero-width, text-direction or other invisible characters (U+%(code)04X)",
    "联系电话": "Phone",
    "%(label)s 只能用数字 0–9 填写，不接受其他文字的数字": "%(label)s: use the digits 0-9; digits of other scripts are not accepted",
    "%(label)s 应为 %(min)s 至 %(max)s 位数字，可含连字符，而不是 %(value)r": "%(label)s must be %(min)s to %(max)s digits, hyphens allowed, not %(value)r",
    "%(field)s 必填（YYYY-MM-DD）": "%(field)s is required (YYYY-MM-DD)",
    "%(field)s 应为日期 YYYY-MM-DD，而不是 %(value)r": "%(field)s must be a date YYYY-MM-DD, not %(value)r",
    "不能办理": "Not allowed",
    "您的账户无权进行此操作。如有疑问，请咨询 12393 或到任一经办窗口。": "Your account may not do this. For help, call 12393 or ask at any service window.",
    "返回首页": "Back to the home page",
    # error_pages.py, templates/errors/page.html
    "返回工作台": "Back to the desk",
    "返回上一页": "Back to the previous page",
    "没有这个地址": "There is nothing at this address",
    "页面不存在": "Page not found",
    "您要找的页面不存在，或者已经移走。请检查地址，或从首页重新进入。": "The page you are looking for does not exist or has moved. Check the address, or start again from the home page.",
    "您无权进行此操作": "You may not do this",
    "服务器内部错误，请稍后重试": "Internal server error; try again later",
    "系统出错了": "Something went wrong",
    "处理您的请求时出现了错误，已记录，我们会尽快处理。请稍后再试；急事请咨询 12393 或到任一经办窗口。": "An error occurred while handling your request. It has been recorded and will be looked into. Please try again later; if it is urgent, call 12393 or ask at any service window.",
    "请求的安全校验未通过，请刷新页面后重试": "The request failed its security check: reload the page and try again",
    "页面已过期": "This page has expired",
    "这个页面打开太久或已在别处退出，为安全起见，刚才提交的内容没有保存。请重新打开页面再提交一次；如果仍然不行，请确认浏览器允许本网站的 Cookie。": "This page was open too long or you signed out elsewhere, so for your safety what you just sent was not saved. Open the page again and send it once more; if that does not help, make sure your browser accepts this site's cookies.",
    # templates/base.html
    "通办": "Tongban",
    "聊城市医疗保障局": "Liaocheng Healthcare Security Bureau",
    "医保全市通办": "Medical insurance, handled city-wide",
    "聊城市医疗保障局 · 全市通办 · 咨询电话 12393": "Liaocheng Healthcare Security Bureau · handled city-wide · enquiries 12393",
}


# The site-wide templates (templates/base.html, templates/admin/) are no app's:
# makemessages in tongban/lib cannot see their strings.
EXTRA = {
    "返回上一页",  # errors/page.html
    "通办",
    "聊城市医疗保障局",
    "医保全市通办",
    "聊城市医疗保障局 · 全市通办 · 咨询电话 12393",  # base.html
    "%(year)s 年的节假日安排尚未载入：该年度的期限按周一至周五暂计（标 *）。请事项管理员在国务院办公厅通知发布后载入（管理后台“年度节假日安排”或 tongban load-calendar）。",
}
