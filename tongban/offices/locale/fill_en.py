"""The English of the offices app's catalogue, as `tongban translations` fills it."""

EN = {
    "省级": "Province",
    "市级": "City",
    "县级": "County",
    "集贸市场": "Market",
    "村级便民服务站": "Village service point",
    "社区便民服务站": "Community service point",
    "园区/企业服务站": "Industrial park / enterprise service point",
    "其他": "Other",
}
