"""Portal forms. They collect input and check uploads before anything is stored; the rules
of an application (form fields, materials, identity numbers) are the services' to enforce,
and their errors are put back on the field at fault (lib.forms.form_add_domain_error, with
each form's `field_map`)."""

import uuid

from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import pgettext, pgettext_lazy

from tongban.cases.attachments import ACCEPT, attachment_check
from tongban.catalog.forms import item_form_data, item_form_fields
from tongban.catalog.models import ItemVersion
from tongban.lib.errors import DomainError
from tongban.offices.models import Office
from tongban.people.forms import SignInForm

from .access import PORTAL_ROLES


class PortalLoginForm(SignInForm):
    """Sign-in for applicants and agents; staff are pointed to the desk."""

    face = "portal"
    error_messages = {
        **SignInForm.error_messages,
        "invalid_login": pgettext_lazy("portal", "用户名或密码不正确。"),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.role not in PORTAL_ROLES:
            raise forms.ValidationError(
                format_html(
                    pgettext("portal", '工作人员请从<a href="{}">办事窗口系统</a>登录。'), reverse("desk:login")
                ) if _desk_login_exists() else pgettext("portal", "工作人员请从办事窗口系统（/desk/）登录。"),
                code="staff",
            )  # fmt: skip


def _desk_login_exists() -> bool:
    try:
        reverse("desk:login")
    except Exception:
        return False
    return True


class MaterialsMixin:
    """One upload field per material; each file is checked (type by content, size) in clean()."""

    def add_material_fields(self, materials: list[dict], *, all_required: bool = False) -> None:
        self.material_fields = []
        for m in materials:
            name = f"material_{m['code']}"
            self.fields[name] = forms.FileField(
                label=m["name"],
                required=all_required or not m.get("secondary"),
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
                error_messages={"required": pgettext_lazy("portal", "请上传此材料")},
            )
            self.material_fields.append((m, name))

    def clean_materials(self) -> None:
        for _m, name in self.material_fields:
            file = self.cleaned_data.get(name)
            if file:
                try:
                    attachment_check(file, field=name)
                except DomainError as e:
                    self.add_error(name, e.message)

    def uploads(self) -> list[tuple[str, object]]:
        """(material code, file) of every file given."""
        return [
            (m["code"], self.cleaned_data[name])
            for m, name in self.material_fields
            if self.cleaned_data.get(name)
        ]

    def material_rows(self):
        """(material, bound field) pairs for the template."""
        return [(m, self[name]) for m, name in self.material_fields]


class ApplyForm(MaterialsMixin, forms.Form):
    """An item's application: its form fields, one upload per material, and for agents the
    applicant they act for."""

    field_map = {
        "applicant.id_number": "applicant_id_number",
        "applicant.name": "applicant_name",
        "applicant.phone": "applicant_phone",
        "applicant.insured_region": "applicant_region",
        "applicant": "applicant_id_number",
    }

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, version: ItemVersion, agent: bool, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.version = version
        self.agent = agent
        if agent:
            regions = Office.objects.filter(external=False).exclude(level=Office.Level.PROVINCE)
            self.fields["applicant_id_number"] = forms.CharField(
                label=pgettext_lazy("portal", "申请人证件号码"),
                max_length=20,
                help_text=pgettext_lazy("portal", "居民身份证号码或统一社会信用代码"),
            )
            self.fields["applicant_name"] = forms.CharField(
                label=pgettext_lazy("portal", "申请人姓名/单位名称"), max_length=100
            )
            self.fields["applicant_phone"] = forms.CharField(label=pgettext_lazy("portal", "联系电话"), max_length=20, required=False,
                                                             widget=forms.TextInput(attrs={"type": "tel"}))  # fmt: skip
            self.fields["applicant_region"] = forms.ChoiceField(
                label=pgettext_lazy("portal", "参保地"),
                choices=[("", pgettext_lazy("portal", "请选择"))]
                + [(o.code, o.name) for o in regions],
            )
        item_fields = item_form_fields(version)
        self.fields.update(item_fields)
        self.form_fields = list(item_fields)
        self.add_material_fields(version.materials)

    def clean(self):
        cleaned = super().clean()
        self.clean_materials()
        return cleaned

    def case_form(self) -> dict:
        return item_form_data(self.version, self.cleaned_data)

    def applicant_given(self) -> dict | None:
        """For an agent, the person they apply for, as case_submit() takes it; an applicant
        applies as themselves (None)."""
        if not self.agent:
            return None
        d = self.cleaned_data
        return {"id_number": d["applicant_id_number"], "name": d["applicant_name"],
                "phone": d["applicant_phone"], "insured_region": d["applicant_region"]}  # fmt: skip

    def applicant_fields(self):
        return [self[n] for n in ("applicant_id_number", "applicant_name", "applicant_phone",
                                  "applicant_region") if n in self.fields]  # fmt: skip

    def item_fields(self):
        return [self[n] for n in self.form_fields]


class SupplementForm(MaterialsMixin, forms.Form):
    """补正: a file for every material the notice asked for, all at once."""

    field_map = {"materials": None}

    def __init__(self, *args, materials: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.add_material_fields(materials, all_required=True)

    def clean(self):
        cleaned = super().clean()
        self.clean_materials()
        return cleaned


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=pgettext_lazy("portal", "撤回原因（可不填）"), required=False, max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip


class LookupForm(forms.Form):
    number = forms.CharField(label=pgettext_lazy("portal", "办件编号"), max_length=24,
                             widget=forms.TextInput(attrs={"placeholder": pgettext_lazy("portal", "如 371500-20250307-000001"),
                                                           "autocomplete": "off"}))  # fmt: skip
    id = forms.CharField(label=pgettext_lazy("portal", "申请人证件号码"), max_length=20,
                         widget=forms.TextInput(attrs={"autocomplete": "off"}))  # fmt: skip

    def clean_number(self):
        return self.cleaned_data["number"].strip()

    def clean_id(self):
        return self.cleaned_data["id"].strip().upper()


SCORES = [
    (5, pgettext_lazy("portal", "非常满意")),
    (4, pgettext_lazy("portal", "满意")),
    (3, pgettext_lazy("portal", "基本满意")),
    (2, pgettext_lazy("portal", "不满意")),
    (1, pgettext_lazy("portal", "非常不满意")),
]


class RatingForm(forms.Form):
    """好差评: five levels, highest first (the stars are laid out right to left in CSS)."""

    score = forms.TypedChoiceField(label=pgettext_lazy("portal", "评价等级"), choices=SCORES, coerce=int,
                                   widget=forms.RadioSelect, error_messages={"required": pgettext_lazy("portal", "请选择评价等级")})  # fmt: skip
    comment = forms.CharField(label=pgettext_lazy("portal", "评价内容（可不填）"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3, "placeholder": pgettext_lazy("portal", "说说办理过程中的感受或建议")}))  # fmt: skip


class LookupRatingForm(RatingForm):
    """The same, from the public status page: the case number and ID number come along."""

    number = forms.CharField(widget=forms.HiddenInput, max_length=24)
    id = forms.CharField(widget=forms.HiddenInput, max_length=20)


# --- The public's own accounts (people.accounts checks what these collect) -----------------


def _regions():
    return [("", "—")] + [
        (o.code, o.name)
        for o in Office.objects.filter(external=False).exclude(level=Office.Level.PROVINCE)
        .order_by("code")
    ]  # fmt: skip


class RegisterForm(forms.Form):
    """Signing up, first step: who the account is for, and the phone the code goes to."""

    kind = forms.ChoiceField(
        label=pgettext_lazy("portal", "注册类型"),
        choices=[("person", pgettext_lazy("portal", "个人")), ("employer", pgettext_lazy("portal", "单位经办人"))],
        widget=forms.RadioSelect, initial="person",
    )  # fmt: skip
    id_number = forms.CharField(
        label=pgettext_lazy("portal", "身份证号码 / 统一社会信用代码"), max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )  # fmt: skip
    name = forms.CharField(label=pgettext_lazy("portal", "姓名 / 单位名称"), max_length=100)
    operator_name = forms.CharField(
        label=pgettext_lazy("portal", "经办人姓名"), max_length=50, required=False,
        help_text=pgettext_lazy("portal", "单位注册时填写"),
    )  # fmt: skip
    insured_region = forms.ChoiceField(label=pgettext_lazy("portal", "参保地"), choices=())
    phone = forms.CharField(
        label=pgettext_lazy("portal", "手机号码"), max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=pgettext_lazy("portal", "用于接收验证码和办件通知，也是登录账号"),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["insured_region"].choices = _regions()


class PhoneForm(forms.Form):
    """The phone a code goes to (signing in by code, a forgotten password)."""

    phone = forms.CharField(
        label=pgettext_lazy("portal", "手机号码"), max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )  # fmt: skip


class CodeForm(forms.Form):
    code = forms.CharField(
        label=pgettext_lazy("portal", "短信验证码"), max_length=6, min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )  # fmt: skip


class CodePasswordForm(CodeForm):
    """A code and a new password, typed twice (signing up, a forgotten password)."""

    password1 = forms.CharField(
        label=pgettext_lazy("portal", "设置密码"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=pgettext_lazy("portal", "至少 10 位，含大写字母、小写字母、数字、符号中的三类，不能太常见"),
    )  # fmt: skip
    password2 = forms.CharField(
        label=pgettext_lazy("portal", "再次输入密码"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )  # fmt: skip

    def clean(self):
        data = super().clean()
        if (
            data.get("password1")
            and data.get("password2")
            and data["password1"] != data["password2"]
        ):
            self.add_error("password2", pgettext("portal", "两次输入的密码不一致"))
        return data


class AuthorisationForm(forms.Form):
    """An applicant's own 委托书 to an agent, with the signed letter."""

    agent = forms.CharField(label=pgettext_lazy("portal", "代办人账号"), max_length=150,
                            help_text=pgettext_lazy("portal", "帮办代办员告诉您的登录账号"))  # fmt: skip
    items = forms.MultipleChoiceField(
        label=pgettext_lazy("portal", "委托事项"), required=False,
        help_text=pgettext_lazy("portal", "不选：全部事项"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )  # fmt: skip
    valid_from = forms.DateField(label=pgettext_lazy("portal", "生效日期"),
                                 widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    valid_to = forms.DateField(label=pgettext_lazy("portal", "截止日期"),
                               widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    letter = forms.FileField(label=pgettext_lazy("portal", "签字的委托书（PDF、JPG 或 PNG）"),
                             widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))  # fmt: skip

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = items


class VisitForm(forms.Form):
    """A person's own request for a home visit (上门办)."""

    office = forms.ChoiceField(label=pgettext_lazy("portal", "所在县（市、区）"),
                               help_text=pgettext_lazy("portal", "上门地址所在地的医保经办机构"))  # fmt: skip
    address = forms.CharField(label=pgettext_lazy("portal", "上门地址"), max_length=200)
    phone = forms.CharField(label=pgettext_lazy("portal", "联系电话"), max_length=20)
    preferred_date = forms.DateField(label=pgettext_lazy("portal", "希望上门日期"),
                                     widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    preferred_period = forms.ChoiceField(label=pgettext_lazy("portal", "时段"), choices=[
        ("any", pgettext_lazy("portal", "不限")), ("morning", pgettext_lazy("portal", "上午")),
        ("afternoon", pgettext_lazy("portal", "下午"))])  # fmt: skip
    items = forms.MultipleChoiceField(
        label=pgettext_lazy("portal", "需办事项"), required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )  # fmt: skip
    note = forms.CharField(label=pgettext_lazy("portal", "需求说明"), max_length=300, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        offices = Office.objects.filter(external=False).exclude(level=Office.Level.PROVINCE)
        self.fields["office"].choices = [(o.code, o.name) for o in offices.order_by("code")]
        self.fields["items"].choices = items
