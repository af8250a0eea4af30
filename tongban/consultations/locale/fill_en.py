"""The English of the consultations app's catalogue, as `tongban translations` fills it."""

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
    "咨询记录 %(id)s 不存在": "Enquiry %(id)s does not exist",
    "只有经办机构工作人员可以查看和办理咨询": "Only office staff may see and handle enquiries",
    "该咨询已办结": "This enquiry is already closed",
    "该咨询刚已转交他人，请刷新后再办理": "This enquiry has just been handed on by someone else; reload and try again",
    "%(to)r 不是本市经办机构的在岗工作人员": "%(to)r is not an active staff member of an office of the city",
    "只有该咨询的当前责任人或科长/监察可以转交": "Only the enquiry's owner, or a supervisor, may hand it on",
    "转交说明": "Hand-on note",
    "该同事已是这条咨询的责任人": "This colleague already owns the enquiry",
    "只有该咨询的当前责任人可以办结": "Only the enquiry's owner may close it",
    "办结答复": "Final reply",
    # #15: model choices, the figures, the error pages
    "窗口": "Window",
    "电话": "Phone",
}
