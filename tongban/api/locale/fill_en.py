"""The English of the API's catalogue, as `tongban translations` fills it."""

EN = {
    # 跨区通办 (cross-region handling)
    '每个 file 须有一个 material（材料编码），顺序相同': 'Each file needs a material (its material code), in the same order',
    # errors.py
    "请求体超过 1 MiB": "The request body is over 1 MiB",
    # schemas.py
    "不是本接口的字段": "not a field of this endpoint",
    "应在 %(first)s 至 %(last)s 年之间": "must be in the years %(first)s to %(last)s",
    # parsers.py
    "JSON 嵌套超过 %(max)s 层": "The JSON is nested more than %(max)s levels deep",
    "JSON 解析错误：%(error)s": "JSON parse error: %(error)s",
    # views.py
    "%(where)s: 含有不允许的控制字符": "%(where)s: contains a character that is not allowed (NUL or a lone surrogate)",
    "%(code)r 不是已知的经办机构代码": "%(code)r is not a known office code",
    "连续登录失败次数过多，账号已临时锁定，请 %(minutes)s 分钟后再试": "Too many failed sign-ins: the account is locked; try again in %(minutes)s minutes",
    "用户名或密码错误": "Wrong username or password",
    "请在 Authorization 头中提供要注销的令牌（Bearer <token>）": "Give the token to revoke in the Authorization header (Bearer <token>)",
    "令牌无效或已注销": "The token is invalid or revoked",
    "事项 %(code)r 不存在": "Item %(code)r does not exist",
    "通知书 %(id)s 不存在": "Notice %(id)s does not exist",
    "套餐 %(code)r 不存在": "Bundle %(code)r does not exist",
    "没有这个接口": "No such endpoint",
    # evaluations.py, stats.py
    "只有科长/监察可以查看差评整改": "Only supervisors may read the rectifications",
    "page 应为 1 到 %(max)s 的整数": "page must be a whole number from 1 to %(max)s",
    "by 应为 %(choices)s 之一": "by must be one of %(choices)s",
    "委托书由窗口受理员或申请人本人办理": "Authorisations are made by a window clerk or by the applicant themselves",
    "此账号没有关联申请人信息": "This account has no applicant record",
    "没有这份委托书": "No such authorisation",
    "没有这个机构": "No such office",
    # key projects (重点项目全程帮办)
    "项目没有这个任务": "The project has no such task",
    "项目没有这个审批事项": "The project has no such approval",
    "项目统计供经办人员查看": "Project figures are for staff",
}
