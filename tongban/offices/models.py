from django.db import models
from django.utils.translation import gettext_lazy


class Office(models.Model):
    """A handling office (经办机构), keyed by the GB/T 2260 code of its division.

    The city bureau (371500) is the parent of the county offices. Partner offices of other
    provinces (跨区通办) are offices too, flagged external: they appear in agreements and as
    insured regions, never as the handling office of an in-city case.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", gettext_lazy("省级")
        CITY = "city", gettext_lazy("市级")
        COUNTY = "county", gettext_lazy("县级")

    code = models.CharField("区划代码", max_length=6, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=10, choices=Level)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children"
    )
    external = models.BooleanField("市外协作地区", default=False)
    province = models.CharField("省", max_length=20, blank=True)
    city = models.CharField("市", max_length=20, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "经办机构"

    def __str__(self):
        return f"{self.name}（{self.code}）"

    @property
    def is_city(self) -> bool:
        return self.level == self.Level.CITY and not self.external


class Hall(models.Model):
    """A service hall (服务大厅) of an office."""

    office = models.ForeignKey(Office, models.PROTECT, related_name="halls")
    name = models.CharField("名称", max_length=100)
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("咨询电话", max_length=30, blank=True)
    opens_at = models.TimeField("开门时间", default="09:00")
    closes_at = models.TimeField("关门时间", default="17:30")

    class Meta:
        ordering = ["office__code", "name"]
        verbose_name = verbose_name_plural = "服务大厅"

    def __str__(self):
        return self.name


class Window(models.Model):
    """A window (窗口) of a hall; a 通办 window accepts every item of the city."""

    hall = models.ForeignKey(Hall, models.PROTECT, related_name="windows")
    number = models.CharField("窗口号", max_length=10)
    name = models.CharField("名称", max_length=100)
    tongban = models.BooleanField("通办窗口", default=True)

    class Meta:
        ordering = ["hall", "number"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "number"], name="window_unique_number")
        ]
        verbose_name = verbose_name_plural = "窗口"

    def __str__(self):
        return f"{self.hall.name} {self.number}号窗口"


class AgentPoint(models.Model):
    """A 代办点: a place under an office where agents take applications for the people around
    it (a farmers' market, a village or community service station). Its agents are the users
    whose `agent_point` it is: agents, or the office's clerks stationed there."""

    class Kind(models.TextChoices):
        MARKET = "market", gettext_lazy("集贸市场")
        VILLAGE = "village", gettext_lazy("村级便民服务站")
        COMMUNITY = "community", gettext_lazy("社区便民服务站")
        ENTERPRISE = "enterprise", gettext_lazy("园区/企业服务站")
        OTHER = "other", gettext_lazy("其他")

    office = models.ForeignKey(
        Office, models.PROTECT, related_name="agent_points", verbose_name="所属经办机构"
    )
    code = models.CharField("编号", max_length=12, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=12, choices=Kind)
    address = models.CharField("地址", max_length=200)
    hours = models.CharField("开放时间", max_length=100)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    active = models.BooleanField("在用", default=True)

    class Meta:
        ordering = ["office__code", "code"]
        verbose_name = verbose_name_plural = "代办点"

    def __str__(self):
        return self.name
