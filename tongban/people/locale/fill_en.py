"""The English of the people app's catalogue, as `tongban translations` fills it."""

EN = {
    # forms.py
    "连续登录失败次数过多，账户已临时锁定，请 15 分钟后再试。": "Too many failed sign-ins: the account is locked for 15 minutes.",
    # services.py
    "证件号码必填": "The ID number is required",
    "申请人类型应为 person 或 employer，而不是 %(kind)r": "The applicant kind must be person or employer, not %(kind)r",
    "姓名/单位名称": "Name / employer",
    "联系电话格式不正确: %(phone)r": "Not a valid phone number: %(phone)r",
    "参保地 %(region)r 不是已知的区划代码": "Insured region %(region)r is not a known division code",
    "姓名与证件号码不符：该证件号码已登记为另一姓名，请核对证件": "The name does not match the ID number, which is registered under another name; check the ID card",
}
