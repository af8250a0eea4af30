"""The English of the stats app's catalogue, as `tongban translations` fills it."""

EN = {
    # access.py
    "只有科长/监察可以查看统计数据": "Only supervisors may read the figures",
    "该账号未关联经办机构": "This account belongs to no office",
    "只有科长/监察和事项管理员可以查看事项压缩情况": "Only supervisors and the catalog administrator may read the catalog's compression",
    # selectors.py
    "未知的时间段 %(preset)r": "Unknown period %(preset)r",
    "起始日期 %(start)s 晚于截止日期 %(end)s": "The start date %(start)s is after the end date %(end)s",
    "统计区间最长十年": "The period may be at most ten years long",
    "只能查看本机构（%(office)s）的统计": "You may read the figures of your own office only (%(office)s)",
    "没有事项 %(item)r": "No item %(item)r",
    "渠道应为 web、mobile 或 window，而不是 %(channel)r": "Channel must be web, mobile or window, not %(channel)r",
    "申请人类型应为 person 或 employer，而不是 %(kind)r": "The applicant kind must be person or employer, not %(kind)r",
    "没有区划代码为 %(code)r 的机构": "No office has the division code %(code)r",
    "by 应为 %(choices)s 之一，而不是 %(by)r": "by must be one of %(choices)s, not %(by)r",
    "没有可列出办件的指标 %(figure)r": "No figure %(figure)r lists cases",
    "baseline 与 baseline_version 只能给一个": "Give baseline or baseline_version, not both",
    "baseline_version 应为正整数": "baseline_version must be a positive whole number",
    "全市待认领": "City-wide intake",
}
