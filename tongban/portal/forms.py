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
