"""The English of the supervision app's catalogue, as `tongban translations` fills it."""

EN = {
    "黄牌": "Yellow",
    "红牌": "Red",
}
