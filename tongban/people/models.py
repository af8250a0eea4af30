import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models

from tongban.lib.identifiers import resident_id_mask, uscc_mask


class Role(models.TextChoices):
    APPLICANT = "applicant", "申请人"
    CLERK = "clerk", "窗口受理员"
    REVIEWER = "reviewer", "审核员"
    SECOND_REVIEWER = "second_reviewer", "复审员"
    AGENT = "agent", "帮办代办员"
    SUPERVISOR = "supervisor", "科长/监察"
    CATALOG_ADMIN = "catalog_admin", "事项管理员"
    SYSADMIN = "sysadmin", "系统管理员"
    SECADMIN = "secadmin", "安全管理员"
    AUDITOR = "auditor", "审计员"


# Roles that work cases for an office; each such user has an office.
STAFF_ROLES = {Role.CLERK, Role.REVIEWER, Role.SECOND_REVIEWER, Role.SUPERVISOR}


class User(AbstractUser):
    """One account, one role (三权分立 keeps administrators apart from case work)."""

    role = models.CharField("角色", max_length=20, choices=Role)
    office = models.ForeignKey(
        "offices.Office", models.PROTECT, null=True, blank=True, related_name="users"
    )
    # 科室: a review step may name a department of its office (清联办, catalog ItemVersion.steps).
    department = models.CharField("科室", max_length=50, blank=True)
    # For applicant accounts: the person or employer they are.
    applicant = models.OneToOneField(
        "people.Applicant", models.PROTECT, null=True, blank=True, related_name="account"
    )

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    @property
    def is_city_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR and self.office is not None and self.office.is_city


class Applicant(models.Model):
    """An insured person or an employer (参保单位): one record whatever the channel."""

    class Kind(models.TextChoices):
        PERSON = "person", "个人"
        EMPLOYER = "employer", "单位"

    kind = models.CharField("类型", max_length=10, choices=Kind)
    # Resident ID number (GB 11643) for a person, unified social credit code for an employer.
    id_number = models.CharField("证件号码", max_length=18, unique=True)
    name = models.CharField("姓名/单位名称", max_length=100)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    insured_region = models.ForeignKey(
        "offices.Office", models.PROTECT, related_name="insured", verbose_name="参保地"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "申请人"

    def __str__(self):
        return self.name

    @property
    def masked_id(self) -> str:
        if self.kind == self.Kind.PERSON:
            return resident_id_mask(self.id_number)
        return uscc_mask(self.id_number)


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the key is shown once."""

    user = models.ForeignKey(User, models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

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
        cls.objects.create(user=user, digest=cls.hash(key))
        return key
