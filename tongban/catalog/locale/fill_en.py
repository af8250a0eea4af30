"""The English of the catalog app's catalogue, as `tongban translations` fills it."""

EN = {
    "%(office)r 不是本市的经办机构": "%(office)r is not an office of this city",
    "科室名称最多 50 字": "A department's name is at most 50 characters",
    # forms.py
    "请选择": "Please choose",
    # selectors.py
    "事项 %(code)r 不存在": "Item %(code)r does not exist",
    "事项“%(item)s”%(status)s，暂不受理": "Item “%(item)s” takes no applications now (%(status)s)",
    # services.py: an item version's rules
    "不是事项版本的字段": "not a field of an item version",
    "应为 instant 或 promised，而不是 %(value)r": "must be instant or promised, not %(value)r",
    "应为 0–365 的整数工作日，而不是 %(value)r": "must be a whole number of working days from 0 to 365, not %(value)r",
    "承诺时限不得长于法定时限": "the promised limit must not exceed the legal limit",
    "即办件的承诺时限应为 0": "an instant item's promised limit must be 0",
    "应为 web、mobile、window 中的一个或多个，而不是 %(value)r": "must be one or more of web, mobile, window, not %(value)r",
    "应为 person、employer，而不是 %(value)r": "must be person, employer or both, not %(value)r",
    "应为列表": "must be a list",
    "每项材料需要 code 和 name": "every material needs a code and a name",
    "材料编码 %(code)s 重复": "material code %(code)s appears twice",
    "应为 original（原件）或 copy（复印件），而不是 %(value)r": "must be original or copy, not %(value)r",
    "每个环节需要 name 和 role（%(roles)s）": "every step needs a name and a role (%(roles)s)",
    "承诺件至少需要一个审核环节": "a promised-time item needs at least one review step",
    "每个字段需要 name": "every field needs a name",
    "字段名 %(name)s 重复": "field name %(name)s appears twice",
    "应为 %(types)s 之一，而不是 %(value)r": "must be one of %(types)s, not %(value)r",
    "选择字段需要 choices 列表": "a choice field needs a list of choices",
    # services.py: an application's form
    "form 应为对象": "form must be an object",
    "事项“%(item)s”的申请表没有字段 %(name)r": "The application form of item “%(item)s” has no field %(name)r",
    "申请表字段“%(label)s”必填": "Form field “%(label)s” is required",
    "申请表字段“%(label)s”应为%(expected)s，而不是 %(value)r": "Form field “%(label)s” must be %(expected)s, not %(value)r",
    "申请表字段“%(label)s”": "Form field “%(label)s”",
    "不超过 2000 字的文本": "text of at most 2000 characters",
    "数字": "a number",
    "日期 YYYY-MM-DD": "a date YYYY-MM-DD",
    "%(choices)s 之一": "one of %(choices)s",
    "true 或 false": "true or false",
    # services.py: saving an item
    "%(office)s 是市外协作地区，不能作为事项的属地机构": "%(office)s is a partner region outside the city and cannot be an item's home office",
    "事项 %(code)s 已废止，不能再修订": "Item %(code)s is retired and can no longer be revised",
    "新版本生效日期 %(new)s 早于现行版本 v%(number)s 的 %(current)s": "The new version's effective date %(new)s is before %(current)s, the date of the current version v%(number)s",
    "未知状态 %(status)r": "Unknown status %(status)r",
    "事项 %(code)s 已废止，状态不能再改变": "Item %(code)s is retired: its status can no longer change",
    "%(low)d–%(high)d 位数字的银行账号": "a bank account of %(low)d–%(high)d digits",
}
