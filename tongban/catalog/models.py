from django.db import models
from django.utils.translation import gettext_lazy

from tongban.lib.sql import PlainFromDb


class HandlingType(models.TextChoices):
    INSTANT = "instant", gettext_lazy("即办件")
    PROMISED = "promised", gettext_lazy("承诺件")


class Channel(models.TextChoices):
    WEB = "web", gettext_lazy("网上办")
    MOBILE = "mobile", gettext_lazy("掌上办")
    WINDOW = "window", gettext_lazy("窗口办")


ONLINE_CHANNELS = {Channel.WEB, Channel.MOBILE}


def limit_days(handling_type: str, promised_days: int) -> int:
    """ItemVersion.limit_days from its two columns, for code that reads them without a model
    (the deadline scan groups every version by its limit)."""
    return 0 if handling_type == HandlingType.INSTANT else promised_days


class ItemKind(models.TextChoices):
    """The kind of power an item is (事项类型). It decides the law a notice cites: the licence
    wording of 行政许可法 only for licences; the others cite the item's own legal basis."""

    LICENCE = "licence", gettext_lazy("行政许可")
    PUBLIC_SERVICE = "public_service", gettext_lazy("公共服务")
    OTHER = "other", gettext_lazy("其他行政权力")


class ServiceItem(PlainFromDb, models.Model):
    """A service item (事项) of the catalog: its identity and status. What it asks and how it
    is handled lives in its versions; a case keeps the version it was applied under."""

    class Status(models.TextChoices):
        ACTIVE = "active", gettext_lazy("在办")
        SUSPENDED = "suspended", gettext_lazy("暂停")
        RETIRED = "retired", gettext_lazy("已废止")

    code = models.CharField("事项编码", max_length=40, unique=True)
    name = models.CharField("事项名称", max_length=200)
    category = models.CharField("事项类别", max_length=100)
    department = models.CharField("实施部门", max_length=100, default="医疗保障局")
    kind = models.CharField(
        "事项类型", max_length=16, choices=ItemKind, default=ItemKind.PUBLIC_SERVICE
    )
    status = models.CharField("状态", max_length=10, choices=Status, default=Status.ACTIVE)
    status_reason = models.CharField("状态说明", max_length=200, blank=True)
    # The office that owns an item that is not open city-wide (属地办理).
    home_office = models.ForeignKey("offices.Office", models.PROTECT, related_name="home_items")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "事项"

    def __str__(self):
        return f"{self.name}（{self.code}）"


class ItemVersion(models.Model):
    """One version of an item's guide and rules. Never edited once a case refers to it:
    a change is a new version with its own effective date (catalog.services)."""

    item = models.ForeignKey(ServiceItem, models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    effective_from = models.DateField("生效日期")
    handling_type = models.CharField("办件类型", max_length=10, choices=HandlingType)
    legal_days = models.PositiveSmallIntegerField("法定时限（工作日）")
    promised_days = models.PositiveSmallIntegerField("承诺时限（工作日）")
    channels = models.JSONField("办理渠道", default=list)  # ["web", "mobile", "window"]
    citywide = models.BooleanField("全市通办", default=True)
    applicant_kinds = models.JSONField("申请人类型", default=list)  # ["person", "employer"]
    # [{"code": "M1", "name": …, "form": "original"|"copy", "secondary": bool}]; secondary = 容缺
    materials = models.JSONField("申请材料", default=list)
    # [{"name": "审核", "role": "reviewer"}, {"name": "复审", "role": "second_reviewer"}]
    steps = models.JSONField("审核环节", default=list)
    # [{"name": "amount", "label": "报销金额", "type": "text|number|date|choice|bool|account",
    #   "required": bool, "choices": [...]}]
    form = models.JSONField("申请表", default=list)
    # The fields of the decision the reviewer who finishes a case fills in (办结结果), the same
    # kind of fields as the form: [{"name": "amount_approved", "label": "核准金额（元）",
    #   "type": "money", "required": true, "total": "paid"}, ...]
    decision = models.JSONField("办结结果字段", default=list, blank=True)
    conditions = models.TextField("申请条件", blank=True)
    legal_basis = models.TextField("设定依据", blank=True)
    fees = models.CharField("收费标准", max_length=200, default="不收费")
    notes = models.TextField("备注", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        "people.User", models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="item_version_unique_number"),
            models.CheckConstraint(
                condition=models.Q(promised_days__lte=models.F("legal_days")),
                name="item_version_promised_within_legal",
            ),
        ]
        indexes = [models.Index(fields=["item", "effective_from"])]
        verbose_name = verbose_name_plural = "事项版本"

    def __str__(self):
        return f"{self.item.name} v{self.number}"

    @property
    def is_instant(self) -> bool:
        return self.handling_type == HandlingType.INSTANT

    @property
    def limit_days(self) -> int:
        """The time limit a case runs against, in working days: the promised limit (承诺时限),
        0 for an instant item (即办件, finished the day it is handed in)."""
        return limit_days(self.handling_type, self.promised_days)

    @property
    def material_codes(self) -> list[str]:
        return [m["code"] for m in self.materials]

    @property
    def main_material_codes(self) -> set[str]:
        return {m["code"] for m in self.materials if not m.get("secondary")}


class Agreement(models.Model):
    """A cross-region handling agreement (跨区通办) with a partner office of another province."""

    class Mode(models.TextChoices):
        ONLINE = "online", gettext_lazy("全程网办")
        PROXY = "proxy", gettext_lazy("异地代收代办")
        JOINT = "joint", gettext_lazy("多地联办")

    # Both platforms name the agreement by this code in every message they exchange over it
    # (tongban.exchange); an agreement without one carries no messages.
    code = models.CharField("协议编号", max_length=40, unique=True, null=True, blank=True)
    title = models.CharField("协议名称", max_length=200)
    office = models.ForeignKey(  # our side: the office whose windows collect or decide
        "offices.Office", models.PROTECT, null=True, blank=True, related_name="+",
        limit_choices_to={"external": False}, verbose_name="本方经办机构",
    )  # fmt: skip
    partner = models.ForeignKey(
        "offices.Office",
        models.PROTECT,
        related_name="agreements",
        limit_choices_to={"external": True},
    )
    mode = models.CharField("模式", max_length=10, choices=Mode)
    items = models.ManyToManyField(ServiceItem, related_name="agreements")
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("截止日期", null=True, blank=True)
    duties_ours = models.TextField("本方职责", blank=True)
    duties_partner = models.TextField("对方职责", blank=True)
    # The partner's platform: where our messages go, and the Ed25519 public key (base64 of its
    # 32 bytes) that every message from it must verify against. our_key is the public key of
    # ours the partner was given: a message is not sent under a key the partner does not hold.
    partner_url = models.URLField("对方平台地址", blank=True)
    partner_key = models.CharField("对方平台公钥", max_length=64, blank=True)
    our_key = models.CharField("本方平台公钥（已交对方）", max_length=64, blank=True)

    class Meta:
        ordering = ["partner__code", "valid_from"]
        verbose_name = verbose_name_plural = "跨区通办协议"

    def __str__(self):
        return self.title

    def in_force(self, day) -> bool:
        """Whether the agreement holds on local date `day` (valid_to is its last day)."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class Bundle(models.Model):
    """A one-form bundle (一表申请): several items applied for with one form."""

    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=200)
    description = models.TextField("说明", blank=True)
    items = models.ManyToManyField(ServiceItem, related_name="bundles")

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "一件事套餐"

    def __str__(self):
        return self.name
