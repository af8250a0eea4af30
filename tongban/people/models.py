import hashlib
import secrets
from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tongban.lib.identifiers import resident_id_mask, uscc_mask
from tongban.lib.sealed import BlindIndexField, SealedField
from tongban.lib.sql import PlainFromDb


class Role(models.TextChoices):
    APPLICANT = "applicant", gettext_lazy("申请人")
    CLERK = "clerk", gettext_lazy("窗口受理员")
    REVIEWER = "reviewer", gettext_lazy("审核员")
    SECOND_REVIEWER = "second_reviewer", gettext_lazy("复审员")
    AGENT = "agent", gettext_lazy("帮办代办员")
    SUPERVISOR = "supervisor", gettext_lazy("科长/监察")
    CATALOG_ADMIN = "catalog_admin", gettext_lazy("事项管理员")
    SYSADMIN = "sysadmin", gettext_lazy("系统管理员")
    SECADMIN = "secadmin", gettext_lazy("安全管理员")
    AUDITOR = "auditor", gettext_lazy("审计员")


# Roles that work cases for an office; each such user has an office.
STAFF_ROLES = {Role.CLERK, Role.REVIEWER, Role.SECOND_REVIEWER, Role.SUPERVISOR}
# Accounts of the public and their agents: no password rotation and no second factor, which
# every other account (the staff's, administrators' included) has (people.passwords, totp).
PUBLIC_ROLES = {Role.APPLICANT, Role.AGENT}


class User(AbstractUser):
    """One account, one role (三权分立 keeps administrators apart from case work)."""

    role = models.CharField("角色", max_length=20, choices=Role)
    office = models.ForeignKey(
        "offices.Office", models.PROTECT, null=True, blank=True, related_name="users"
    )
    # 科室: a review step may name a department of its office (清联办, catalog ItemVersion.steps).
    department = models.CharField("科室", max_length=50, blank=True)
    # The 代办点 an agent works at, or where a clerk of its office is stationed (such a clerk
    # may act as an agent under an authorisation: cases.authorisations). Cases they submit
    # record it (Case.agent_point).
    agent_point = models.ForeignKey(
        "offices.AgentPoint",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="agents",
        verbose_name="代办点",
    )
    # For applicant accounts: the person or employer they are.
    applicant = models.OneToOneField(
        "people.Applicant", models.PROTECT, null=True, blank=True, related_name="account"
    )
    # The mobile number a portal account signs in with (by password or SMS code), confirmed
    # by a code when it was given; sealed, found by its blind index.
    phone = SealedField("手机号码", blank=True)
    phone_index = BlindIndexField(source="phone", unique=True)
    # 实名核验: when the identity service confirmed that the applicant is who they say
    # (people.identity). An account without it can browse and ask, not apply.
    verified_at = models.DateTimeField("实名核验时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    @property
    def own_applicant_id(self) -> int | None:
        """The applicant record this account speaks for: an applicant account's, once the
        identity service confirmed who they are (people.accounts), else None. Everything a
        person sees or does as themselves (cases, authorisations, home visits, projects) asks
        here: sign-up links an account to a record by number and name alone."""
        if self.role == Role.APPLICANT and self.verified_at is not None:
            return self.applicant_id
        return None

    @property
    def is_city_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR and self.office is not None and self.office.is_city


class Applicant(PlainFromDb, models.Model):
    """An insured person or an employer (参保单位): one record whatever the channel."""

    class Kind(models.TextChoices):
        PERSON = "person", gettext_lazy("个人")
        EMPLOYER = "employer", gettext_lazy("单位")

    kind = models.CharField("类型", max_length=10, choices=Kind)
    # Sealed at rest (lib.sealed: SM4 with the data key), found by blind index: the resident
    # ID number (GB 11643) of a person or the unified social credit code of an employer
    # (unique), the full name, the phone.
    id_number = SealedField("证件号码")
    id_number_index = BlindIndexField(source="id_number", unique=True)
    name = SealedField("姓名/单位名称")
    name_index = BlindIndexField(source="name", db_index=True)
    phone = SealedField("联系电话", blank=True)
    insured_region = models.ForeignKey(
        "offices.Office", models.PROTECT, related_name="insured", verbose_name="参保地"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Made by the person's own sign-up on the portal, from what they typed: no official
    # source has vouched for it (the demo's identity service does not take it as proof).
    self_registered = models.BooleanField("自助注册", default=False, db_default=False)
    # 特殊群体 a clerk recorded (people.services.applicant_groups_set); the elderly are derived
    # from the ID number instead (`elderly`). The 残疾人证 number holds the ID number: sealed.
    disability_certificate = SealedField("残疾人证号", blank=True)
    left_behind = models.BooleanField("留守人员", default=False, db_default=False)
    in_need = models.BooleanField("困难群众", default=False, db_default=False)
    in_need_note = models.CharField(
        "困难情形", max_length=100, blank=True, default="", db_default=""
    )

    class Meta:
        verbose_name = verbose_name_plural = "申请人"

    def __str__(self):
        return self.name

    @property
    def masked_id(self) -> str:
        if self.kind == self.Kind.PERSON:
            return resident_id_mask(self.id_number)
        return uscc_mask(self.id_number)

    @property
    def elderly(self) -> bool:
        """A person aged TONGBAN_ELDERLY_AGE (70) or more today, by the birth date in their ID
        number (帮办代办 serves them first): derived, never stored."""
        number = self.id_number
        if self.kind != self.Kind.PERSON or len(number) != 18:
            return False
        try:  # stored numbers were checked when given: the birth date is digits 7-14
            born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        except ValueError:
            return False
        today = timezone.localdate()
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        return age >= settings.TONGBAN_ELDERLY_AGE

    @property
    def masked_certificate(self) -> str:
        """The 残疾人证 number recorded, masked as the ID number it begins with, its category
        and grade shown: what a page shows of it."""
        certificate = self.disability_certificate
        return resident_id_mask(certificate[:18]) + certificate[18:] if certificate else ""

    @property
    def groups(self) -> list[str]:
        """The special groups (特殊群体) the person belongs to, as keys of GROUPS, in its order:
        what the desk's badges and the API's `applicant.groups` show."""
        found = {
            "elderly": self.elderly,
            "disabled": bool(self.disability_certificate),
            "left_behind": self.left_behind,
            "in_need": self.in_need,
        }
        return [g for g in GROUPS if found[g]]


# 特殊群体 (帮办代办 serves them first), in the order they are shown.
GROUPS = {
    "elderly": gettext_lazy("长者"),
    "disabled": gettext_lazy("残疾人"),
    "left_behind": gettext_lazy("留守人员"),
    "in_need": gettext_lazy("困难群众"),
}


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the key is shown once.

    It dies after TONGBAN_TOKEN_IDLE_MINUTES unused or TONGBAN_TOKEN_MAX_HOURS after it was
    issued, and with a change of its user's password or role (`stamp`: people.selectors)."""

    user = models.ForeignKey(User, models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # A digest of the user's password hash and role when the token was issued.
    stamp = models.CharField(max_length=64, blank=True, db_default="")

    class Meta:
        verbose_name = verbose_name_plural = "API 令牌"

    def __str__(self):
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User) -> str:
        key = secrets.token_urlsafe(32)
        cls.objects.create(user=user, digest=cls.hash(key), stamp=user_stamp(user))
        return key


def user_stamp(user: User) -> str:
    """What a token holds of its user: it stops matching when the password or role changes."""
    return hashlib.sha256(f"{user.password}|{user.role}".encode()).hexdigest()


class Limit(models.Model):
    """A counter of attempts in a window, shared by every server process (sign-ins, SMS codes,
    the public lookup): people.limits."""

    key = models.CharField(max_length=200, primary_key=True)
    count = models.IntegerField()
    until = models.FloatField()  # when the window ends, in seconds since the epoch

    class Meta:
        verbose_name = verbose_name_plural = "尝试次数"

    def __str__(self):
        return f"{self.key} {self.count}"


class PhoneCode(models.Model):
    """The one-time code last sent to a mobile number for one purpose (only its digest)."""

    class Purpose(models.TextChoices):
        REGISTER = "register", gettext_lazy("注册")
        SIGN_IN = "sign_in", gettext_lazy("验证码登录")
        RESET = "reset", gettext_lazy("找回密码")
        CONTACT = "contact", gettext_lazy("确认更改联系方式")

    # The blind index of the number (people.codes.phone_key): the number itself is not kept.
    phone_key = models.CharField(max_length=64)
    purpose = models.CharField(max_length=10, choices=Purpose)
    digest = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["phone_key", "purpose"], name="phonecode_phone_purpose")
        ]
        verbose_name = verbose_name_plural = "短信验证码"

    def __str__(self):
        return f"{self.purpose} {self.phone_key[:8]}"


class PasswordHistory(models.Model):
    """A password an account had (its hash only), so that the last TONGBAN_PASSWORD_HISTORY
    are not used again and a staff member's password ages (people.passwords)."""

    user = models.ForeignKey(User, models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)  # the hash, as User.password holds it
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "历史密码"

    def __str__(self):
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"


class TotpDevice(models.Model):
    """A staff member's authenticator (RFC 6238 TOTP, people.totp). The secret is sealed at
    rest (lib.sealed); a device counts once confirmed with a first code.
    `last_counter` is the time step of the last code taken: a code is never taken twice."""

    user = models.OneToOneField(User, models.CASCADE, related_name="totp_device")
    secret = SealedField()  # base32; rotated with the data key by `tongban rekey`
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_counter = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "动态口令设备"

    def __str__(self):
        return f"{self.user_id} {'confirmed' if self.confirmed_at else 'pending'}"
