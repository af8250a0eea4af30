"""The demo city's agent points (代办点): a market, village and community stations under three
county offices, as the county reports describe them (莘县's market agent points, 临清's and
高唐's stations). A real city enters its own in the admin (sysadmin: offices)."""

from .models import AgentPoint, Office

AGENT_POINTS = [
    # code, office, kind, name, address, hours, phone
    ("DD371522-01", "371522", AgentPoint.Kind.MARKET, "燕店镇集贸市场代办点", "莘县燕店镇集贸市场东门医保服务亭",
     "逢农历二、七集日 8:00–12:00", "0635-7123401"),
    ("DD371522-02", "371522", AgentPoint.Kind.VILLAGE, "张鲁回族镇张鲁村便民服务站", "莘县张鲁回族镇张鲁村党群服务中心",
     "周一至周五 8:30–11:30、14:00–17:00", "0635-7123402"),
    ("DD371581-01", "371581", AgentPoint.Kind.MARKET, "烟店镇轴承市场代办点", "临清市烟店镇轴承市场服务大厅一楼",
     "每日 8:00–17:00", "0635-2312301"),
    ("DD371581-02", "371581", AgentPoint.Kind.COMMUNITY, "先锋街道社区服务站", "临清市先锋街道先锋社区服务站",
     "周一至周六 8:30–17:00", ""),
    ("DD371526-01", "371526", AgentPoint.Kind.VILLAGE, "琉璃寺镇便民服务站", "高唐县琉璃寺镇政务服务中心",
     "周一至周五 9:00–17:00", "0635-3912301"),
]  # fmt: skip


def agent_points_demo() -> dict[str, AgentPoint]:
    """Create or bring up to date the demo's agent points; {code: point}."""
    offices = {o.code: o for o in Office.objects.filter(code__in={p[1] for p in AGENT_POINTS})}
    points = {}
    for code, office, kind, name, address, hours, phone in AGENT_POINTS:
        if office not in offices:
            continue
        points[code], _ = AgentPoint.objects.update_or_create(
            code=code, defaults={"office": offices[office], "kind": kind, "name": name,
                                 "address": address, "hours": hours, "phone": phone, "active": True},
        )  # fmt: skip
    return points
