"""Forms of the desk. They parse and display; the rules are in the services, whose errors
are put back on the field they name (DomainError.field) by lib.forms.form_add_domain_error."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tongban.cases.models import SpecialProcedure
from tongban.catalog.forms import item_form_data, item_form_fields
from tongban.catalog.models import ItemVersion
from tongban.consultations.models import Consultation
from tongban.lib.errors import DomainError
from tongban.offices.models import Office
from tongban.people.forms import SignInForm
from tongban.people.services import applicant_identify


class DeskLoginForm(SignInForm):
    face = "desk"
    walks_steps = True  # desk.security.sign_in_step


def office_choices(*, include_external: bool) -> list[tuple[str, str]]:
    offices = Office.objects.exclude(level=Office.Level.PROVINCE).order_by("external", "code")
    if not include_external:
        offices = offices.filter(external=False)
    city = [(o.code, o.name) for o in offices if not o.external]
    if not include_external:
        return city
    outside = [(o.code, f"{o.name}（{o.province}）") for o in offices if o.external]
    return [(_("本市"), city), (_("市外协作地区（跨区通办）"), outside)]


def material_choices(version: ItemVersion) -> list[tuple[str, str]]:
    return [(m["code"], m["name"]) for m in version.materials]


DECISIONS = {
    "accept": _("受理"),
    "request_supplement": _("一次性告知补正"),
    "reject": _("不予受理"),
}


class ApplyForm(forms.Form):
    """A window application: the applicant, the materials, the item's own form, a decision."""

    id_number = forms.CharField(label=_("证件号码"), max_length=30,
                                help_text=_("居民身份证号码或统一社会信用代码"))  # fmt: skip
    name = forms.CharField(label=_("姓名 / 单位名称"), max_length=100)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    insured_region = forms.ChoiceField(label=_("参保地"))
    identity_shown = forms.BooleanField(
        label=_("申请人已出示身份证件（更改已登记的联系电话或参保地时须勾选）"), required=False
    )
    contact_code = forms.CharField(
        label=_("短信验证码"), max_length=10, required=False,
        help_text=_("申请人不在窗口时：更改联系电话或参保地，须填写发送到其原手机号码的验证码"),
    )  # fmt: skip
    as_agent = forms.BooleanField(
        label=_("代办点代办：申请人不在场，凭其委托书代为申请"), required=False
    )
    materials = forms.MultipleChoiceField(label=_("已收材料"), required=False,
                                          widget=forms.CheckboxSelectMultiple)  # fmt: skip
    missing_materials = forms.MultipleChoiceField(
        label=_("需补正的材料（一次性告知）"), required=False, widget=forms.CheckboxSelectMultiple
    )
    promised_supplement_by = forms.DateField(
        label=_("容缺材料承诺补齐日期"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip
    reason = forms.CharField(label=_("说明 / 不予受理理由"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    decision = forms.ChoiceField(choices=list(DECISIONS.items()), widget=forms.HiddenInput)
    consultation = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, version: ItemVersion, at_agent_point: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        if not at_agent_point:  # only a clerk stationed at an agent point acts as an agent
            del self.fields["as_agent"]
        self.fields["insured_region"].choices = [("", "——"), *office_choices(include_external=True)]
        self.fields["materials"].choices = material_choices(version)
        self.fields["missing_materials"].choices = material_choices(version)
        item_fields = item_form_fields(version)
        self.fields.update(item_fields)
        self.form_fields = list(item_fields)

    def clean_id_number(self):
        # Checked here too, so that a bad number shows with the other field errors at once;
        # applicant_upsert() checks it again inside the transaction.
        try:
            return applicant_identify(self.cleaned_data["id_number"])[1]
        except DomainError as e:
            raise ValidationError(e.message, code=e.code) from None

    def item_form(self) -> dict:
        return item_form_data(self.version, self.cleaned_data)

    @property
    def applicant_fields(self):
        return [self[n] for n in ("id_number", "name", "phone", "insured_region")]

    @property
    def item_fields(self):
        return [self[n] for n in self.form_fields]


class ActionForm(forms.Form):
    """The arguments any case action may take; the view passes on those its action uses."""

    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(required=False, max_length=2000)
    materials = forms.MultipleChoiceField(required=False)
    missing_materials = forms.MultipleChoiceField(required=False)
    promised_supplement_by = forms.DateField(required=False)
    office = forms.CharField(required=False, max_length=6)
    days = forms.IntegerField(required=False, min_value=1, max_value=100)  # the service's rule
    approve = forms.TypedChoiceField(required=False, choices=[("true", "true"), ("false", "false")],
                                     coerce=lambda v: v == "true", empty_value=None)  # fmt: skip
    kind = forms.ChoiceField(required=False, choices=[("", "")] + SpecialProcedure.Kind.choices)
    outcome = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args, version: ItemVersion, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        self.fields["materials"].choices = material_choices(version)
        self.fields["missing_materials"].choices = material_choices(version)
        # The decision (办结结果) the last review step fills in; checked by the service.
        self.fields.update(item_form_fields(version, decision=True))
        for name in item_form_fields(version, decision=True):
            self.fields[name].required = False  # a step before the last takes none

    def clean(self):
        data = super().clean()
        # Only the approval form of the last step carries the decision's fields (and says so).
        data["decision"] = (
            item_form_data(self.version, data, decision=True)
            if self.data.get("decision_present") else None
        )  # fmt: skip
        return data


class ConsultationForm(forms.Form):
    item = forms.CharField(label=_("事项"), required=False, max_length=250,
                           widget=forms.TextInput(attrs={"list": "desk-items", "autocomplete": "off",
                                                         "placeholder": _("输入事项名称或编码")}))  # fmt: skip
    question = forms.CharField(label=_("咨询内容"), max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    answer = forms.CharField(label=_("答复"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    asker_name = forms.CharField(label=_("咨询人"), required=False, max_length=100)
    asker_phone = forms.CharField(label=_("联系电话"), required=False, max_length=20)
    channel = forms.ChoiceField(label=_("方式"), choices=Consultation.Channel.choices,
                                initial=Consultation.Channel.WINDOW, widget=forms.RadioSelect)  # fmt: skip
    case_number = forms.CharField(label=_("转为办件（办件编号）"), required=False, max_length=24)
    # Unticked (and so left out of the POST) means closed at once, the service's default:
    # most questions at a window are settled by the answer given on the spot.
    keep_open = forms.BooleanField(
        label=_("需要后续答复，暂不办结（留在我的咨询中）"), required=False
    )

    def service_arguments(self) -> dict:
        """The cleaned data as consultation_log() takes it."""
        data = dict(self.cleaned_data)
        data["close"] = not data.pop("keep_open", False)
        return data


def colleague_choices(users) -> list[tuple[str, list[tuple[str, str]]]]:
    """`users` (consultations.selectors.colleagues(), ordered by office) as a select's groups:
    one per office, each colleague by name and role."""
    groups: dict[int, tuple[str, list]] = {}
    for u in users:
        name = u.get_full_name() or u.username
        groups.setdefault(u.office_id, (u.office.name, []))[1].append(
            (u.username, f"{name}（{u.get_role_display()}）")
        )
    return list(groups.values())


class HandOnForm(forms.Form):
    """Hand an enquiry on to a named colleague (首问负责); the service checks who may."""

    # A select grouped by office; whether the one chosen may receive it is the service's
    # to say (unknown_colleague), so the field takes any username.
    to = forms.CharField(label=_("转交给"), max_length=150, widget=forms.Select)
    note = forms.CharField(label=_("转交说明"), max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("已答复什么、还需办理什么")}))  # fmt: skip
    owner = forms.IntegerField(required=False, widget=forms.HiddenInput)  # as the page showed

    def __init__(self, *args, colleagues: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].widget.choices = [("", _("选择同事（按经办机构）")), *colleagues]


class CloseForm(forms.Form):
    reply = forms.CharField(label=_("办结答复"), max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("最终答复咨询人的内容")}))  # fmt: skip
    owner = forms.IntegerField(required=False, widget=forms.HiddenInput)  # as the page showed


class AuthorisationForm(forms.Form):
    """A 委托书 made at the window: who authorises, the agent, the scope and period, the
    signed letter, and the clerk's confirmation of both identity documents."""

    id_number = forms.CharField(label=_("委托人证件号码"), max_length=30,
                                help_text=_("居民身份证号码或统一社会信用代码"))  # fmt: skip
    name = forms.CharField(label=_("委托人姓名 / 单位名称"), max_length=100)
    phone = forms.CharField(label=_("委托人联系电话"), max_length=20, required=False)
    insured_region = forms.ChoiceField(label=_("参保地"))
    agent = forms.CharField(label=_("代办人账号"), max_length=150,
                            help_text=_("帮办代办员的登录账号"))  # fmt: skip
    items = forms.MultipleChoiceField(
        label=_("委托事项"), required=False, help_text=_("不选：全部事项"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )  # fmt: skip
    valid_from = forms.DateField(
        label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_to = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}))
    letter = forms.FileField(label=_("签字的委托书（PDF、JPG 或 PNG）"),
                             widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))  # fmt: skip
    identities_checked = forms.BooleanField(
        label=_("已核验委托人和代办人的身份证件"), required=False
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["insured_region"].choices = [("", "——"), *office_choices(include_external=True)]
        self.fields["items"].choices = items


class VisitRequestForm(forms.Form):
    """A home visit (上门办) a clerk records for a person who phoned or came to the window."""

    channel = forms.ChoiceField(
        label=_("受理渠道"), choices=[("phone", _("电话")), ("window", _("窗口"))]
    )
    id_number = forms.CharField(label=_("证件号码"), max_length=30)
    name = forms.CharField(label=_("姓名"), max_length=100)
    insured_region = forms.ChoiceField(label=_("参保地"))
    address = forms.CharField(label=_("上门地址"), max_length=200)
    phone = forms.CharField(label=_("联系电话"), max_length=20)
    preferred_date = forms.DateField(label=_("希望上门日期"),
                                     widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    preferred_period = forms.ChoiceField(
        label=_("时段"),
        choices=[("any", _("不限")), ("morning", _("上午")), ("afternoon", _("下午"))],
    )
    items = forms.MultipleChoiceField(label=_("需办事项"), required=False,
                                      widget=forms.SelectMultiple(attrs={"size": 5}))  # fmt: skip
    note = forms.CharField(label=_("需求说明"), max_length=300, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["insured_region"].choices = [("", "——"), *office_choices(include_external=True)]
        self.fields["items"].choices = items


class GroupsForm(forms.Form):
    """特殊群体 a clerk checked at the window (the elderly need no record: by the ID number)."""

    disability_certificate = forms.CharField(
        label=_("残疾人证号"), max_length=30, required=False,
        help_text=_("第二代残疾人证：身份证号码加类别、等级，共 20 位；不填则保留已登记的"),
    )  # fmt: skip
    remove_certificate = forms.BooleanField(label=_("清除已登记的残疾人证号"), required=False)
    left_behind = forms.BooleanField(label=_("留守人员"), required=False)
    in_need = forms.BooleanField(label=_("困难群众"), required=False)
    in_need_note = forms.CharField(label=_("困难情形"), max_length=100, required=False,
                                   help_text=_("如低保、特困、重病"))  # fmt: skip


class BundleApplyForm(ApplyForm):
    """A window application for a bundle (一件事): the applicant, the bundle's one list of
    materials and one merged form (catalog.services.bundle_spec, which has the `.materials` and
    `.form` an item version has), and a decision for the whole bundle: accept every item in
    one step, or one supplement notice listing everything missing."""

    def __init__(self, *args, spec, at_agent_point: bool = False, **kwargs):
        super().__init__(*args, version=spec, at_agent_point=at_agent_point, **kwargs)
        del self.fields["missing_materials"]  # the notice lists everything not handed in
        self.fields["decision"].choices = [
            (k, DECISIONS[k]) for k in ("accept", "request_supplement")
        ]
