"""Serializers for the shape of the API: input ones check types and names before a service is
called (no business rule lives here); output ones only describe, for the OpenAPI document, the
dicts that tongban.api.shapes builds (cheaper than serializing through DRF).

Component names drop the "Serializer" suffix, so `CaseSerializer` is `Case` in the schema.

The schema states the limits the server enforces, each from the place that enforces it, so
that a client (and schemathesis) can tell a valid request before sending it: input objects
take no other properties (StrictSerializer: `additionalProperties: false`); text is not blank
where the server wants some, holds no NUL, and follows lib.text's rule for its kind (free
text, names, phones; `pattern`); a text's maxLength counts it as sent; ID numbers have the
shapes lib.identifiers accepts; office, item and bundle codes are the known ones (`enum`, read
when the schema is made); dates keep to the years the server takes. What a schema cannot say
(a check digit, whether a case exists, which arguments an action takes, who may apply for
whom) stays a 400, 403, 404 or 409 with its `code` (api/tests/schemathesis_run.py lists them).
"""

import re
from collections.abc import Mapping

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from rest_framework import serializers
from rest_framework.fields import empty

from tongban.cases.models import (
    Action,
    Case,
    Extension,
    Notice,
    PartnerRole,
    SpecialProcedure,
    Status,
)
from tongban.catalog.models import Agreement, Bundle, Channel, HandlingType, ItemKind, ServiceItem
from tongban.catalog.selectors import items_active
from tongban.catalog.services import FORM_TYPES
from tongban.lib.identifiers import ID_NUMBER_PATTERN
from tongban.lib.paging import COUNT_CAP, PAGE_MAX
from tongban.lib.text import (
    PHONE_PATTERN,
    PHONE_PATTERN_REQUIRED,
    name_pattern,
    shown,
    text_pattern,
    trimmed_pattern,
)
from tongban.offices.models import Office
from tongban.people.models import GROUPS, Applicant


class EnumField(serializers.ChoiceField):
    """A choice field documented as the enum component `enum_name` (see EnumFieldSchema)."""

    def __init__(self, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(**kwargs)

    def fail(self, key, **kwargs):
        # DRF quotes the whole value it refuses ("… is not a valid choice"): a prefix will do.
        if "input" in kwargs:
            kwargs["input"] = shown(kwargs["input"])
        super().fail(key, **kwargs)


class EnumFieldSchema(OpenApiSerializerFieldExtension):
    """Each set of choices is one component named here, whatever the property holding it.

    Left to itself, drf-spectacular names an enum after its property and, when one name
    ("channel", "kind") carries different choices in different apps or one set of choices
    turns up under several names ("status", "from", "to"), it warns and makes up names
    like ChannelC31Enum that change as other apps add fields."""

    target_class = EnumField
    match_subclasses = True

    def get_name(self):
        return self.target.enum_name

    def map_serializer_field(self, auto_schema, direction):
        choices = self.target.choices
        return {
            "type": "string",
            "enum": list(choices),
            "description": "\n".join(f"* `{value}` - {label}" for value, label in choices.items()),
        }


# --- Input ---------------------------------------------------------------------------------


class CharField(serializers.CharField):
    """DRF's CharField, but `max_length` counts the text as sent, surrounding whitespace too:
    the schema's maxLength says so (DRF counts after stripping)."""

    def run_validation(self, data=empty):
        if isinstance(data, str) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().run_validation(data)


class TextField(CharField):
    """Free text that a service checks with lib.text.text_clean. `nonblank` and `most` state
    the service's own limits in the schema (the service, not DRF, refuses: its message names
    the field the way the pages do)."""

    def __init__(self, *, nonblank: bool = False, most: int | None = None, **kwargs):
        self.nonblank, self.most = nonblank, most
        super().__init__(**kwargs)

    def pattern(self) -> str:
        return text_pattern(blank=self.allow_blank and not self.nonblank)


class NameField(CharField):
    """A person's or an employer's name (lib.text.name_clean)."""

    def pattern(self) -> str:
        return name_pattern(blank=self.allow_blank)


class PhoneField(CharField):
    """A phone number (lib.text.phone_clean)."""

    def pattern(self) -> str:
        return PHONE_PATTERN if self.allow_blank else PHONE_PATTERN_REQUIRED


class IdNumberField(CharField):
    """A resident ID number or a unified social credit code (lib.identifiers)."""

    def pattern(self) -> str:
        return ID_NUMBER_PATTERN


class CodeField(CharField):
    """The code of something the server knows (`known()` lists the codes): the schema's enum
    component `name` (…OrBlank when blank is allowed), read when the schema is made; the
    service refuses an unknown code with its own `code`. Not stripped: " 371522" is no
    office's code."""

    def __init__(self, *, name: str, known, **kwargs):
        self.name, self.known = name, known
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)


def office_code_field(**kwargs) -> CodeField:
    known = lambda: Office.objects.values_list("code", flat=True)  # noqa: E731
    return CodeField(name="OfficeCode", known=known, **kwargs)


def item_code_field(**kwargs) -> CodeField:
    known = lambda: ServiceItem.objects.values_list("code", flat=True)  # noqa: E731
    return CodeField(name="ItemCode", known=known, **kwargs)


def open_item_code_field(**kwargs) -> CodeField:
    """An item open for applications: active, with a version in force today."""
    known = lambda: items_active().values_list("code", flat=True)  # noqa: E731
    return CodeField(name="OpenItemCode", known=known, **kwargs)


def bundle_code_field(**kwargs) -> CodeField:
    known = lambda: Bundle.objects.values_list("code", flat=True)  # noqa: E731
    return CodeField(name="BundleCode", known=known, **kwargs)


class DateInYearsField(serializers.DateField):
    """A date the server takes only within `years` (inclusive), as the schema says."""

    def __init__(self, *, years: tuple[int, int], **kwargs):
        self.years = years
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        value = super().to_internal_value(value)
        if not self.years[0] <= value.year <= self.years[1]:
            raise serializers.ValidationError(
                _("应在 %(first)s 至 %(last)s 年之间")
                % {"first": self.years[0], "last": self.years[1]}
            )
        return value


class RequestTextSchema(OpenApiSerializerFieldExtension):
    """The rule of each kind of request text (the classes above) as a `pattern`; plain text:
    DRF's CharField refuses NUL, and blank text unless allow_blank. Responses are described as
    they are: the same fields there carry no pattern."""

    target_class = serializers.CharField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        schema = auto_schema._map_serializer_field(field, direction, bypass_extensions=True)
        if direction != "request":
            return schema
        if isinstance(field, TextField):
            if field.most:
                schema["maxLength"] = field.most  # drf-spectacular keeps the smaller limit
            if field.nonblank:
                schema["minLength"] = 1
        if not field.trim_whitespace:
            schema["pattern"] = r"^[^\x00]*$"
        elif pattern := getattr(field, "pattern", None):
            schema["pattern"] = pattern()
        else:
            schema["pattern"] = trimmed_pattern(r"\x00", blank=field.allow_blank)
        return schema


class CodeFieldSchema(OpenApiSerializerFieldExtension):
    target_class = CodeField
    match_subclasses = True
    priority = 1  # before RequestTextSchema

    def get_name(self):
        return self.target.name + ("OrBlank" if self.target.allow_blank else "")

    def map_serializer_field(self, auto_schema, direction):
        codes = sorted(self.target.known()) + ([""] if self.target.allow_blank else [])
        if not codes:  # none yet (a city without bundles): any text, refused as unknown
            return {"type": "string", "pattern": trimmed_pattern(r"\x00", blank=False)}
        return {"type": "string", "enum": codes}


_BLANK = {"type": "string", "maxLength": 0}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, but a code's limit is its enum (CodeFieldSchema), not a length, and
    a blank-allowed text whose pattern takes "" already is not also `oneOf` "" (which would
    make "" match twice, so invalid)."""

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        if isinstance(field, CodeField):
            schema.pop("maxLength", None)
            schema.pop("minLength", None)
        one_of = schema.get("oneOf")
        if one_of and len(one_of) == 2 and one_of[1] == _BLANK and "pattern" in one_of[0]:
            if re.search(one_of[0]["pattern"], ""):
                schema.update(schema.pop("oneOf")[0])


class DateInYearsSchema(OpenApiSerializerFieldExtension):
    target_class = DateInYearsField

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        first, last = self.target.years
        assert first % 100 == 0 and last % 100 == 99  # whole centuries: a short pattern
        centuries = "|".join(str(c) for c in range(first // 100, last // 100 + 1))
        schema["pattern"] = rf"^({centuries})[0-9]{{2}}-"
        return schema


class StrictSerializerSchema(OpenApiSerializerExtension):
    """An input object takes the properties it lists and no other (StrictSerializer)."""

    target_class = "tongban.api.schemas.StrictSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["additionalProperties"] = False
        return schema


class StrictSerializer(serializers.Serializer):
    # Refuses fields it does not know: a typo must not pass silently. (A comment, not a
    # docstring: drf-spectacular would copy a docstring into every input component.)

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            for key in data:
                if key not in self.fields:
                    raise serializers.ValidationError(
                        {shown(key): [_("不是本接口的字段")]}, code="unknown_field"
                    )
        return super().to_internal_value(data)


def validated(serializer_class: type[StrictSerializer], data) -> dict:
    """`data` checked by an input serializer: its validated_data, or ValidationError.

    The serializer's fields are bound once per class and language and shared by every call.
    DRF binds a deep copy of the declared fields to each instance, a fifth of an
    application's CPU at the window (bench/README.md); an input serializer's fields keep
    nothing of a call here (they are given no context, instance or partial), so one bound set
    serves every call, in any thread. Per language: a validator's message is formatted once,
    in the language of the call that first shows it (DRF's lazy_format). Only here: the
    serializers drf-spectacular documents bind their own fields, since it writes a context
    (with the request of whoever asked for the schema) into the serializers it reads."""
    serializer = serializer_class(data=data)
    serializer.fields = _bound_fields(serializer_class)  # instead of DRF's cached_property
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


_BOUND: dict[tuple, dict] = {}


def _bound_fields(serializer_class) -> dict:
    key = (serializer_class, get_language())
    bound = _BOUND.get(key)
    if bound is None:
        bound = _BOUND[key] = serializer_class().fields  # bound to an instance nobody else uses
    return bound


class TokenRequestSerializer(StrictSerializer):
    username = CharField(max_length=150)
    password = CharField(max_length=4096, trim_whitespace=False)
    otp = CharField(
        max_length=10, required=False, allow_blank=True,
        help_text="the current 6-digit TOTP code, for staff who enrolled an authenticator on the desk",
    )  # fmt: skip


class ApplicantInputSerializer(StrictSerializer):
    id_number = IdNumberField(
        max_length=40,
        help_text="居民身份证号码 (18 digits, or the 15 of a first-generation card, which is "
        "taken as its 18-digit form), or 统一社会信用代码 for an employer",
    )
    name = NameField(
        max_length=100,
        help_text="NFKC-normalised; no line breaks, zero-width or bidirectional controls",
    )
    phone = PhoneField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="digits 0-9 and hyphens (full-width ones are taken as such), 7 to 20",
    )
    insured_region = office_code_field(
        max_length=6,
        help_text="参保地: a division code (an agent gives the one on the person's record: an "
        "agent changes nothing on it, 400 contact_change_not_allowed)",
    )  # fmt: skip
    identity_shown = serializers.BooleanField(
        required=False, default=False,
        help_text="a clerk at the window: the person showed their identity document, so a "
        "phone or insured region that differs from their record may change it (audited); "
        "without it (or contact_code) such a change is 400 contact_change_unconfirmed",
    )  # fmt: skip
    contact_code = CharField(
        max_length=10, required=False, allow_blank=True,
        help_text="the code POST /api/v1/applicants/contact-code sent to the mobile number on "
        "the person's record: their confirmation of a new phone or insured region, for an "
        "agent or a clerk when the person is not at the window (400 invalid_code when wrong)",
    )  # fmt: skip
    kind = EnumField(
        "ApplicantKind",
        choices=Applicant.Kind.choices,
        required=False,
        help_text="person or employer; told from id_number when left out",
    )


class CaseCreateSerializer(StrictSerializer):
    item = open_item_code_field(max_length=40, help_text="item code, e.g. YB07019")
    applicant = ApplicantInputSerializer(
        required=False,
        help_text="left out when an applicant applies for themselves; staff and agents give it",
    )
    channel = EnumField("ApplicationChannel", choices=Channel.choices)
    office = office_code_field(
        max_length=6,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="window applications: the office code (the clerk's own office when left out)",
    )
    materials = serializers.ListField(
        child=CharField(max_length=20),
        max_length=100,
        required=False,
        help_text="codes of the materials handed in",
    )
    form = serializers.DictField(required=False, help_text="the item's application form")
    as_agent = serializers.BooleanField(
        required=False, default=False,
        help_text="a clerk stationed at an agent point (代办点) applies as the person's agent, "
        "under their authorisation (the person is not there): the case's agent is the clerk "
        "(403 authorisation_* without one; 400 not_at_agent_point for other users)",
    )  # fmt: skip


class CaseActionSerializer(StrictSerializer):
    """Every argument any action takes; each action refuses the ones it does not take."""

    reason = TextField(max_length=2000, required=False, allow_blank=True, allow_null=True)
    missing_materials = serializers.ListField(
        child=CharField(max_length=20),
        max_length=100,
        required=False,
        allow_null=True,
        help_text="request_supplement: every material to supplement (一次性告知)",
    )
    materials = serializers.ListField(
        child=CharField(max_length=20),
        max_length=100,
        required=False,
        allow_null=True,
        help_text="accept, supplement: codes of the materials handed in",
    )
    office = office_code_field(
        max_length=6, required=False, allow_null=True, help_text="transfer: the office code"
    )
    promised_supplement_by = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="accept with a secondary material missing (容缺): the promised date",
    )
    days = serializers.IntegerField(
        min_value=1, required=False, allow_null=True,
        help_text="request_extension: the working days asked for (at most TONGBAN_EXTENSION_MAX_DAYS)",
    )  # fmt: skip
    approve = serializers.BooleanField(
        required=False, allow_null=True,
        help_text="decide_extension: true approves (the deadline moves), false refuses (reason required)",
    )  # fmt: skip
    decision = serializers.DictField(
        required=False, allow_null=True,
        help_text="approve at the last review step: the decision (办结结果), its fields as the "
        "item's `decision` lists them (a reimbursement: amount approved, amount not covered "
        "and why, the account paid to, the expected payment date); 400 invalid_decision "
        "naming `decision.<field>`",
    )  # fmt: skip
    kind = EnumField(
        "SpecialProcedureKind", choices=SpecialProcedure.Kind.choices, required=False,
        allow_null=True, help_text="start_procedure: which special procedure (特别程序)",
    )  # fmt: skip
    outcome = TextField(
        max_length=2000, required=False, allow_blank=True, allow_null=True,
        help_text="end_procedure: the procedure's outcome",
    )  # fmt: skip
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="the case version the client saw; a stale one gets 409 stale_version",
    )


class BundleApplicationCreateSerializer(StrictSerializer):
    bundle = bundle_code_field(max_length=40)
    applicant = ApplicantInputSerializer(required=False)
    channel = EnumField("ApplicationChannel", choices=Channel.choices)
    office = office_code_field(max_length=6, required=False, allow_null=True, allow_blank=True)
    materials = serializers.ListField(
        child=CharField(max_length=20), max_length=100, required=False,
        help_text="the bundle's material codes handed in (B01, B02, … as GET /api/v1/bundles "
        "lists them: a material several items need is handed in once)",
    )  # fmt: skip
    form = serializers.DictField(
        required=False,
        help_text="the bundle's one merged form (a field several items need is filled once)",
    )


class CaseListQuerySerializer(StrictSerializer):
    status = EnumField("CaseStatus", choices=Status.choices, required=False)
    office = office_code_field(max_length=6, required=False, help_text="handling office code")
    item = item_code_field(max_length=40, required=False, help_text="item code")
    channel = EnumField("ApplicationChannel", choices=Channel.choices, required=False)
    insured_region = office_code_field(max_length=6, required=False)
    overdue = serializers.BooleanField(
        required=False,
        help_text="true: accepted cases past their deadline, earliest deadline first",
    )
    intake = serializers.BooleanField(
        required=False,
        help_text="true: the city-wide intake queue (online applications no office has taken "
        "on yet), oldest first",
    )
    q = CharField(
        max_length=40,
        required=False,
        help_text="what a person types to find a case (cases.selectors.cases_search): an "
        "applicant's valid ID number or USCC; a case number or its beginning (the office code, "
        "then as much of -date-sequence as typed), listed by number, last first; anything else "
        "matches applicants' full names",
    )
    page = serializers.IntegerField(min_value=1, max_value=PAGE_MAX, required=False)


class PageQuerySerializer(StrictSerializer):
    page = serializers.IntegerField(min_value=1, max_value=PAGE_MAX, required=False)


class NoQuerySerializer(StrictSerializer):
    pass


class AddWorkdaysQuerySerializer(StrictSerializer):
    start = DateInYearsField(years=(1900, 2999), help_text="YYYY-MM-DD, the day of the event")
    days = serializers.IntegerField(min_value=0, max_value=365, help_text="working days to add")


# --- Output (documentation of tongban.api.shapes) ------------------------------------------


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="stable machine code, e.g. case_not_found")
    message = serializers.CharField(help_text="for people")
    field = serializers.CharField(
        required=False, help_text="the input at fault, e.g. applicant.id_number; when known"
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="send back as `Authorization: Bearer <token>`")


class OfficeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = EnumField("OfficeLevel", choices=Office.Level.choices)
    parent = serializers.CharField(allow_null=True)
    external = serializers.BooleanField()


class MaterialSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    form = EnumField("MaterialForm", choices={"original": "原件", "copy": "复印件"})
    secondary = serializers.BooleanField(help_text="may be supplied after acceptance (容缺)")


class FormFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    type = EnumField("FormFieldType", choices=list(FORM_TYPES))
    required = serializers.BooleanField()
    choices = serializers.ListField(child=serializers.CharField(), required=False)
    min = serializers.CharField(
        required=False, help_text="number, money: the least (money: 0.01 unless given)"
    )
    max = serializers.CharField(
        required=False, help_text="number, money: the most (the item's upper bound)"
    )
    min_days = serializers.IntegerField(required=False, help_text="date: earliest, days from today")
    max_days = serializers.IntegerField(
        required=False, help_text="date: latest, days from today (366 unless given)"
    )
    luhn = serializers.BooleanField(
        required=False,
        help_text="account: a bank card number, 16–19 digits with a Luhn check digit",
    )
    total = EnumField(
        "FieldTotal",
        choices=["claimed", "paid"],
        required=False,
        help_text="money: counted in the figures as claimed (a form) or paid (a decision)",
    )


class ItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    category = serializers.CharField()
    department = serializers.CharField()
    handling_type = EnumField("HandlingType", choices=HandlingType.choices)
    legal_days = serializers.IntegerField()
    promised_days = serializers.IntegerField()
    channels = serializers.ListField(child=EnumField("ApplicationChannel", choices=Channel.choices))
    citywide = serializers.BooleanField()
    materials = MaterialSerializer(many=True)
    steps = serializers.ListField(child=serializers.CharField())
    version = serializers.IntegerField()
    effective_from = serializers.DateField()
    form = FormFieldSerializer(many=True)
    decision = FormFieldSerializer(
        many=True, help_text="what the reviewer fills in when approving at the last step (办结结果)"
    )
    kind = EnumField(
        "ItemKind",
        choices=ItemKind.choices,
        help_text="行政许可, 公共服务 or 其他行政权力: the law its notices cite",
    )
    conditions = serializers.CharField()
    legal_basis = serializers.CharField()
    fees = serializers.CharField()
    applicant_kinds = serializers.ListField(
        child=EnumField("ApplicantKind", choices=Applicant.Kind.choices)
    )
    notes = serializers.CharField()


class CaseItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    version = serializers.IntegerField()


class ApplicantSerializer(serializers.Serializer):
    """The applicant as a case shows them: the number masked."""

    name = serializers.CharField()
    masked_id = serializers.CharField(help_text="the ID number or USCC with its middle hidden")
    elderly = serializers.BooleanField(
        help_text="a person of TONGBAN_ELDERLY_AGE (70) or more, by the birth date in the ID number"
    )
    kind = EnumField("ApplicantKind", choices=Applicant.Kind.choices)
    groups = serializers.ListField(
        child=EnumField("SpecialGroup", choices=list(GROUPS.items())),
        help_text="特殊群体: elderly (derived from the ID number), disabled (残疾人证 recorded), "
        "left_behind (留守), in_need (困难), as a clerk recorded them",
    )


HistoryEntrySerializer = type(
    "HistoryEntrySerializer",
    (serializers.Serializer,),
    {
        "action": EnumField("CaseEventAction", choices=Action.choices),
        "from": EnumField("CaseStatus", choices=Status.choices, allow_null=True),
        "to": EnumField("CaseStatus", choices=Status.choices),
        "at": serializers.DateTimeField(),
        "actor": serializers.CharField(allow_null=True, help_text="username"),
        "office": serializers.CharField(allow_null=True, help_text="office code"),
        "reason": serializers.CharField(),
        "step": serializers.IntegerField(allow_null=True),
    },
)


class CaseSummarySerializer(serializers.Serializer):
    number = serializers.CharField()
    status = EnumField("CaseStatus", choices=Status.choices)
    result = EnumField("CaseResult", choices=Case.Result.choices, allow_null=True)
    item = CaseItemSerializer()
    channel = EnumField("ApplicationChannel", choices=Channel.choices)
    agent = serializers.CharField(
        allow_null=True,
        help_text="帮办代办: the user name of the agent who acted for the applicant",
    )
    agent_point = serializers.CharField(
        allow_null=True, help_text="the code of the 代办点 the case came through"
    )
    applicant = ApplicantSerializer()
    insured_region = serializers.CharField()
    accepting_office = serializers.CharField(allow_null=True)
    handling_office = serializers.CharField(allow_null=True)
    submitted_at = serializers.DateTimeField()
    accepted_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    deadline = serializers.DateField(allow_null=True)
    deadline_provisional = serializers.BooleanField()
    overdue = serializers.BooleanField()
    prereview_due = serializers.DateField(
        allow_null=True, help_text="行政许可法 §32: answered by then, or it counts as accepted"
    )
    prereview_due_provisional = serializers.BooleanField()
    missing_materials = serializers.ListField(child=serializers.CharField())
    supplied_materials = serializers.ListField(child=serializers.CharField())
    promised_supplement_by = serializers.DateField(
        allow_null=True, help_text="容缺: the date the applicant promised the missing materials by"
    )
    supplement_due = serializers.DateField(
        allow_null=True, help_text="while awaiting a supplement: the last day to hand it in"
    )
    supplement_due_provisional = serializers.BooleanField()
    in_procedure = serializers.BooleanField(
        help_text="a special procedure (特别程序) is under way: the clock stands still"
    )
    extension_pending = serializers.BooleanField(help_text="an extension (延期) awaits a decision")
    extended_days = serializers.IntegerField(help_text="working days added by approved extensions")
    version = serializers.IntegerField()


class ExtensionSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    reason = serializers.CharField()
    status = EnumField("ExtensionStatus", choices=Extension.Status.choices)
    requested_at = serializers.DateTimeField()
    requested_by = serializers.CharField(help_text="username")
    deadline_before = serializers.DateField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decided_by = serializers.CharField(allow_null=True, help_text="username")
    decision_note = serializers.CharField()
    deadline_after = serializers.DateField(allow_null=True)
    deadline_after_provisional = serializers.BooleanField()


class ProcedureSerializer(serializers.Serializer):
    kind = EnumField("SpecialProcedureKind", choices=SpecialProcedure.Kind.choices)
    reason = serializers.CharField()
    started_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)
    outcome = serializers.CharField()


class PersonalDataSerializer(serializers.Serializer):
    id_number = serializers.CharField(help_text="the applicant's resident ID number or USCC")
    phone = serializers.CharField(help_text="the applicant's phone; empty when none is known")
    form = serializers.DictField(help_text="the application form, nothing masked")
    decision = serializers.DictField(help_text="the decision (办结结果), nothing masked")


class PartnerMessageCountsSerializer(serializers.Serializer):
    waiting = serializers.IntegerField()
    delivered = serializers.IntegerField()
    failed = serializers.IntegerField()


class CasePartnerSummarySerializer(serializers.Serializer):
    role = EnumField("PartnerRole", choices=PartnerRole.choices)
    agreement = serializers.CharField(help_text="the agreement's code")
    partner = serializers.CharField(help_text="the partner region's division code")
    partner_name = serializers.CharField()
    partner_number = serializers.CharField(help_text="the case's number on the other platform")
    messages = PartnerMessageCountsSerializer(
        help_text="this side's messages of the case, by state"
    )


class CaseSerializer(CaseSummarySerializer):
    step = serializers.CharField(allow_null=True, help_text="the review step the case is at")
    reason = serializers.CharField(help_text="the latest reason given")
    form = serializers.DictField(
        help_text="the application form; to staff, bank accounts (fields of type `account`) "
        "masked: GET /cases/{number}/personal-data for the full values"
    )
    handling_type = EnumField("HandlingType", choices=HandlingType.choices)
    finished_on_the_spot = serializers.BooleanField(
        help_text="an instant item (即办件) accepted and finished at once: no time limit ran"
    )
    decision = serializers.DictField(
        help_text="the decision filled in at completion (办结结果); accounts masked to staff"
    )
    amount_claimed = serializers.CharField(
        allow_null=True, help_text="yuan: the form's money fields counted as claimed"
    )
    amount_paid = serializers.CharField(
        allow_null=True, help_text="yuan: the decision's money fields counted as paid"
    )
    history = HistoryEntrySerializer(many=True)
    extensions = ExtensionSerializer(many=True, help_text="延期 asked for, in order")
    procedures = ProcedureSerializer(many=True, help_text="特别程序, in order")
    actions = serializers.ListField(
        child=EnumField("CaseAction", choices=[(str(a), a.label) for a in Case.ACTIONS]),
        help_text="what the requesting user may do now",
    )
    partner = CasePartnerSummarySerializer(
        allow_null=True,
        help_text="跨区通办: the partner platform of a forwarded (collecting) or received "
        "(deciding) case; null for the others. GET …/partner lists the messages",
    )


class NoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = EnumField("NoticeKind", choices=Notice.Kind.choices)
    issued_at = serializers.DateTimeField()
    url = serializers.CharField(help_text="its PDF")


class AddWorkdaysSerializer(serializers.Serializer):
    date = serializers.DateField()
    provisional = serializers.BooleanField(
        help_text="true when a counted day lies in a year whose calendar is not loaded"
    )


class AgreementDutiesSerializer(serializers.Serializer):
    ours = serializers.CharField(help_text="what this platform's office undertakes")
    partner = serializers.CharField(help_text="what the partner's office undertakes")


class AgreementSerializer(serializers.Serializer):
    code = serializers.CharField(
        allow_null=True, help_text="the code both platforms name the agreement by in messages"
    )
    title = serializers.CharField()
    office = serializers.CharField(allow_null=True, help_text="this side's office (code)")
    partner = serializers.CharField(help_text="the partner's division code")
    partner_name = serializers.CharField()
    partner_province = serializers.CharField()
    mode = EnumField("AgreementMode", choices=Agreement.Mode.choices)
    items = serializers.ListField(child=serializers.CharField(), help_text="item codes")
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True, help_text="its last day; null: open-ended")
    in_force = serializers.BooleanField(help_text="whether it holds today")
    duties = AgreementDutiesSerializer()
    connected = serializers.BooleanField(
        help_text="whether the partner's platform address and public key are set"
    )


class BundleFormFieldSerializer(FormFieldSerializer):
    items = serializers.ListField(child=serializers.CharField(), help_text="the items that ask it")


class BundleMaterialSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="the bundle's code of the material (B01, …)")
    name = serializers.CharField()
    form = serializers.CharField()
    secondary = serializers.BooleanField(help_text="may come later (容缺) for every item asking it")
    items = serializers.DictField(
        child=serializers.CharField(), help_text="item code -> that item's material code"
    )


class BundleSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    items = serializers.ListField(child=serializers.CharField())
    form = BundleFormFieldSerializer(many=True, help_text="the one merged form")
    materials = BundleMaterialSerializer(many=True, help_text="the one list of materials")
    applicant_kinds = serializers.ListField(child=serializers.CharField())
    channels = serializers.ListField(child=serializers.CharField())


class BundleWaitingSerializer(serializers.Serializer):
    number = serializers.CharField()
    item = serializers.CharField()
    status = EnumField("CaseStatus", choices=Status.choices)
    missing_materials = serializers.ListField(child=serializers.CharField(),
                                              help_text="names of the materials it waits for")  # fmt: skip


class BundleStatusSerializer(serializers.Serializer):
    state = EnumField("BundleState", choices=["finished", "withdrawn", "awaiting_supplement",
                                              "submitted", "in_progress"])  # fmt: skip
    label = serializers.CharField()
    finished = serializers.IntegerField(help_text="cases finished (completed, refused, withdrawn)")
    total = serializers.IntegerField()
    waiting = BundleWaitingSerializer(many=True, help_text="the cases not finished")


class BundleNoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = EnumField("BundleNoticeKind", choices=["receipt", "supplement"])
    issued_at = serializers.DateTimeField()
    url = serializers.CharField(help_text="the PDF")


class BundleApplicationHeadSerializer(serializers.Serializer):
    number = serializers.CharField()
    bundle = serializers.CharField()
    bundle_name = serializers.CharField()
    channel = EnumField("ApplicationChannel", choices=Channel.choices)
    office = serializers.CharField(allow_null=True, help_text="the office holding every case")
    submitted_at = serializers.DateTimeField()
    status = BundleStatusSerializer()


class BundleApplicationSerializer(BundleApplicationHeadSerializer):
    cases = CaseSerializer(many=True)
    notices = BundleNoticeSerializer(many=True)


class BundleApplicationSummarySerializer(BundleApplicationHeadSerializer):
    case_numbers = serializers.ListField(child=serializers.CharField())
    url = serializers.CharField(help_text="the whole application: cases and notices")



class BundleAcceptSerializer(StrictSerializer):
    materials = serializers.ListField(
        child=CharField(max_length=20), max_length=100, required=False, allow_null=True,
        help_text="the bundle's material codes handed in now",
    )  # fmt: skip
    promised_supplement_by = serializers.DateField(
        required=False, allow_null=True,
        help_text="where a promised item's secondary material is missing (容缺): the promised date",
    )  # fmt: skip


class BundleSupplementSerializer(StrictSerializer):
    materials = serializers.ListField(
        child=CharField(max_length=20), max_length=100, required=False, allow_null=True,
        help_text="the bundle's material codes handed in: everything the notice asked for",
    )  # fmt: skip


class StringTextField(TextField):
    """TextField that takes only a JSON string, as the schema says (DRF would turn 0 into "0")."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class BundleRejectSerializer(StrictSerializer):
    reason = StringTextField(max_length=2000, nonblank=True,
                             help_text="why the bundle is not accepted (不予受理 must say why)")  # fmt: skip


class BundleReasonSerializer(StrictSerializer):
    reason = StringTextField(max_length=2000, required=False, allow_blank=True, allow_null=True)


def page_of(child, name: str, capped: bool = False):
    """The list shape {count, next, results} of `child`, named `<name>List` in the schema;
    with `capped`, a count that stops at lib.paging.COUNT_CAP and says so in `count_capped`."""
    fields = {
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True, help_text="the next page, or null"),
        "results": child(many=True),
    }
    if capped:
        fields["count"] = serializers.IntegerField(
            help_text=f"the rows in the list, counted up to {COUNT_CAP:,}: past that, "
            f"{COUNT_CAP} with `count_capped` true (follow `next` to the end for all of them)"
        )
        fields["count_capped"] = serializers.BooleanField(
            help_text=f"true when the list holds more than {COUNT_CAP:,} rows and `count` "
            "says only that many"
        )
    return type(f"{name}ListSerializer", (serializers.Serializer,), fields)


OfficeListSerializer = page_of(OfficeSerializer, "Office")
BundleApplicationListSerializer = page_of(BundleApplicationSummarySerializer, "BundleApplication")
ItemListSerializer = page_of(ItemSerializer, "Item")
CaseListSerializer = page_of(CaseSummarySerializer, "Case", capped=True)
NoticeListSerializer = page_of(NoticeSerializer, "Notice")
AgreementListSerializer = page_of(AgreementSerializer, "Agreement")
BundleListSerializer = page_of(BundleSerializer, "Bundle")

ACTION_NAMES = [str(a) for a in Case.ACTIONS]  # the actions clients may take
