"""The English of the supervision app's catalogue, as `tongban translations` fills it."""

EN = {
    "黄牌": "Yellow",
    "红牌": "Red",
    # #15: model choices, the figures, the error pages
    "电子邮件": "E-mail",
    "短信": "SMS",
    "待发送": "Waiting",
    "发送中": "Sending",
    "已发送": "Sent",
    "发送失败": "Failed",
    # #15: model choices, the figures, the error pages
    "已受理": "Accepted",
    "补正材料通知": "Supplement requested",
    "不予受理": "Refuse",
    "延期办理": "Extended",
    "延期申请待审批": "Extension to decide",
    "特别程序": "Special procedure",
    "特别程序结束": "Special procedure ended",
    "已办结": "Closed",
    "申请人催办": "Reminder from the applicant",
    "黄牌预警": "Yellow card",
    "红牌预警": "Red card",
    "差评": "Bad ratings",
}
