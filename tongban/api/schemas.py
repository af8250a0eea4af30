"""Serializers for the shape of the API: input ones check types and names before a service is
called (no business rule lives here); output ones only describe, for the OpenAPI document, the
dicts that tongban.api.shapes builds (cheaper than serializing through DRF).

Component names drop the "Serializer" suffix, so `CaseSerializer` is `Case` in the schema.
"""

from collections.abc import Mapping

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from tongban.cases.models import Action, Case, Extension, Notice, SpecialProcedure, Status
from tongban.catalog.models import Agreement, Channel, HandlingType
from tongban.lib.paging import PAGE_MAX
from tongban.offices.models import Office
from tongban.people.models import Applicant


class EnumField(serializers.ChoiceField):
    """A choice field documented as the enum component `enum_name` (see EnumFieldSchema)."""

    def __init__(self, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(**kwargs)


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


class StrictSerializer(serializers.Serializer):
    # Refuses fields it does not know: a typo must not pass silently. (A comment, not a
    # docstring: drf-spectacular would copy a docstring into every input component.)

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            for key in data:
                if key not in self.fields:
                    raise serializers.ValidationError(
                        {key: [_("不是本接口的字段")]}, code="unknown_field"
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
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class ApplicantInputSerializer(StrictSerializer):
    id_number = serializers.CharField(
        max_length=40, help_text="居民身份证号码, or 统一社会信用代码 for an employer"
    )
    name = serializers.CharField(max_length=100)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    insured_region = serializers.CharField(max_length=6, help_text="参保地: a division code")
    kind = EnumField(
        "ApplicantKind",
        choices=Applicant.Kind.choices,
        required=False,
        help_text="person or employer; told from id_number when left out",
    )


class CaseCreateSerializer(StrictSerializer):
    item = serializers.CharField(max_length=40, help_text="item code, e.g. YB07019")
    applicant = ApplicantInputSerializer(
        required=False,
        help_text="left out when an applicant applies for themselves; staff and agents give it",
    )
    channel = EnumField("ApplicationChannel", choices=Channel.choices)
    office = serializers.CharField(
        max_length=6,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="window applications: the office code (the clerk's own office when left out)",
    )
    materials = serializers.ListField(
        child=serializers.CharField(max_length=20),
        max_length=100,
        required=False,
        help_text="codes of the materials handed in",
    )
    form = serializers.DictField(required=False, help_text="the item's application form")


class CaseActionSerializer(StrictSerializer):
    """Every argument any action takes; each action refuses the ones it does not take."""

    reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, allow_null=True
    )
    missing_materials = serializers.ListField(
        child=serializers.CharField(max_length=20),
        max_length=100,
        required=False,
        allow_null=True,
        help_text="request_supplement: every material to supplement (一次性告知)",
    )
    materials = serializers.ListField(
        child=serializers.CharField(max_length=20),
        max_length=100,
        required=False,
        allow_null=True,
        help_text="accept, supplement: codes of the materials handed in",
    )
    office = serializers.CharField(
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
    kind = EnumField(
        "SpecialProcedureKind", choices=SpecialProcedure.Kind.choices, required=False,
        allow_null=True, help_text="start_procedure: which special procedure (特别程序)",
    )  # fmt: skip
    outcome = serializers.CharField(
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
    bundle = serializers.CharField(max_length=40)
    applicant = ApplicantInputSerializer(required=False)
    channel = EnumField("ApplicationChannel", choices=Channel.choices)
    office = serializers.CharField(max_length=6, required=False, allow_null=True, allow_blank=True)
    materials = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField(max_length=20), max_length=100),
        required=False,
        help_text="item code -> codes of the materials handed in",
    )
    forms = serializers.DictField(
        child=serializers.DictField(), required=False, help_text="item code -> its form"
    )


class CaseListQuerySerializer(StrictSerializer):
    status = EnumField("CaseStatus", choices=Status.choices, required=False)
    office = serializers.CharField(max_length=6, required=False, help_text="handling office code")
    item = serializers.CharField(max_length=40, required=False, help_text="item code")
    channel = EnumField("ApplicationChannel", choices=Channel.choices, required=False)
    insured_region = serializers.CharField(max_length=6, required=False)
    overdue = serializers.BooleanField(
        required=False,
        help_text="true: accepted cases past their deadline, earliest deadline first",
    )
    intake = serializers.BooleanField(
        required=False,
        help_text="true: the city-wide intake queue (online applications no office has taken "
        "on yet), oldest first",
    )
    q = serializers.CharField(
        max_length=40,
        required=False,
        help_text="what a person types to find a case (cases.selectors.cases_search): an "
        "applicant's valid ID number or USCC; a case number or its beginning (the office code, "
        "then as much of -date-sequence as typed); anything else matches applicants' names",
    )
    page = serializers.IntegerField(min_value=1, max_value=PAGE_MAX, required=False)


class PageQuerySerializer(StrictSerializer):
    page = serializers.IntegerField(min_value=1, max_value=PAGE_MAX, required=False)


class NoQuerySerializer(StrictSerializer):
    pass


class AddWorkdaysQuerySerializer(StrictSerializer):
    start = serializers.DateField(help_text="YYYY-MM-DD, the day of the event")
    days = serializers.IntegerField(min_value=0, max_value=365, help_text="working days to add")

    def validate_start(self, value):
        if not 1900 <= value.year <= 2999:
            raise serializers.ValidationError(_("应在 1900 至 2999 年之间"))
        return value


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
    type = EnumField("FormFieldType", choices=["text", "number", "date", "choice", "bool"])
    required = serializers.BooleanField()
    choices = serializers.ListField(child=serializers.CharField(), required=False)


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
    kind = EnumField("ApplicantKind", choices=Applicant.Kind.choices)


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


class CaseSerializer(CaseSummarySerializer):
    step = serializers.CharField(allow_null=True, help_text="the review step the case is at")
    reason = serializers.CharField(help_text="the latest reason given")
    form = serializers.DictField()
    history = HistoryEntrySerializer(many=True)
    extensions = ExtensionSerializer(many=True, help_text="延期 asked for, in order")
    procedures = ProcedureSerializer(many=True, help_text="特别程序, in order")
    actions = serializers.ListField(
        child=EnumField("CaseAction", choices=[(str(a), a.label) for a in Case.ACTIONS]),
        help_text="what the requesting user may do now",
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


class AgreementSerializer(serializers.Serializer):
    title = serializers.CharField()
    partner = serializers.CharField(help_text="the partner's division code")
    partner_name = serializers.CharField()
    mode = EnumField("AgreementMode", choices=Agreement.Mode.choices)
    items = serializers.ListField(child=serializers.CharField())
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)


class BundleSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    items = serializers.ListField(child=serializers.CharField())


class BundleApplicationSerializer(serializers.Serializer):
    number = serializers.CharField()
    bundle = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    cases = CaseSerializer(many=True)


def page_of(child, name: str):
    """The list shape {count, next, results} of `child`, named `<name>List` in the schema."""
    return type(
        f"{name}ListSerializer",
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True, help_text="the next page, or null"),
            "results": child(many=True),
        },
    )


OfficeListSerializer = page_of(OfficeSerializer, "Office")
ItemListSerializer = page_of(ItemSerializer, "Item")
CaseListSerializer = page_of(CaseSummarySerializer, "Case")
NoticeListSerializer = page_of(NoticeSerializer, "Notice")
AgreementListSerializer = page_of(AgreementSerializer, "Agreement")
BundleListSerializer = page_of(BundleSerializer, "Bundle")

ACTION_NAMES = [str(a) for a in Case.ACTIONS]  # the actions clients may take
