"""The authorisation endpoints of the API (/api/v1/authorisations): the 委托书 under which an
agent acts for a person or employer. Made by a clerk at a window or by the applicant; listed
for the applicant, the agent and the clerks of the office where they were made; revoked by
the applicant or a clerk. The rules and their errors are tongban.cases.authorisations'."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from tongban.cases.authorisations import (
    STATES,
    authorisation_make,
    authorisation_revoke,
    authorisation_visible,
    authorisations_stated,
    authorisations_visible,
)
from tongban.cases.models import Authorisation
from tongban.lib.errors import Forbidden, InvalidInput, NotFound
from tongban.lib.http import client_ip
from tongban.lib.paging import PAGE_MAX
from tongban.people.models import Applicant, Role

from .schemas import (
    EnumField,
    ErrorSerializer,
    IdNumberField,
    PhoneField,
    StrictSerializer,
    item_code_field,
    office_code_field,
    page_of,
    validated,
)
from .shapes import paginate, time_iso

_ERRORS = {
    400: "Bad input: `identities_not_checked` (a clerk confirms both identity documents), "
    "`unknown_agent`, `unknown_item`, `invalid_period`, the letter's `required`, `empty_file`, "
    "`file_too_large`, `file_type_not_allowed`, the applicant's `id_number_*`, `id_name_mismatch`, "
    "`unknown_region`; `unknown_field`, `invalid`.",
    401: "No credentials, or a bad token.",
    403: "Only a clerk or the applicant themselves makes one (`authorisation_forbidden`); an "
    "applicant whose identity is not verified yet (`identity_unverified`).",
    404: "No such authorisation, or not one this user may see (`authorisation_not_found`).",
    409: "Revoked already (`authorisation_revoked`).",
    413: "The request's fields other than the letter are over 1 MiB (`body_too_large`).",
    415: "The body is not `multipart/form-data`.",
}


def _errors(*statuses):
    return {s: OpenApiResponse(ErrorSerializer, description=_ERRORS[s]) for s in statuses}


_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="authorisation id"
)


class AuthorisationListQuerySerializer(StrictSerializer):
    page = serializers.IntegerField(min_value=1, max_value=PAGE_MAX, required=False)


class AuthorisationInputSerializer(StrictSerializer):
    applicant_id_number = IdNumberField(
        required=False, max_length=40,
        help_text="a clerk: the resident ID number or USCC of who authorises (an applicant "
        "authorises for themselves and leaves the applicant_ fields out)",
    )  # fmt: skip
    # No pattern: schemathesis cannot generate form data for NameField's (the service checks it:
    # no line breaks, zero-width or bidirectional controls).
    applicant_name = serializers.CharField(required=False, max_length=100)
    applicant_phone = PhoneField(required=False, allow_blank=True, max_length=20)
    applicant_region = office_code_field(
        max_length=6, required=False, help_text="the code of the insured region"
    )
    applicant_kind = EnumField("ApplicantKind", choices=Applicant.Kind.choices, required=False)
    agent = serializers.CharField(max_length=150, help_text="the agent's user name")
    items = serializers.ListField(
        child=item_code_field(max_length=20), required=False, max_length=100,
        help_text="item codes the agent may act for; none: every item",
    )  # fmt: skip
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(help_text="the last day it is in force")
    letter = serializers.FileField(
        allow_empty_file=True, help_text="the signed letter: PDF, JPEG or PNG, at most 10 MB"
    )
    identities_checked = serializers.BooleanField(
        required=False, default=False,
        help_text="a clerk confirms having checked both identity documents",
    )  # fmt: skip


class AuthorisationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = EnumField("AuthorisationState", choices=[(k, str(v)) for k, v in STATES.items()])
    applicant = serializers.DictField(help_text="{name, masked_id, kind}")
    agent = serializers.CharField(help_text="the agent's user name")
    items = serializers.ListField(child=serializers.CharField(), help_text="empty: every item")
    valid_from = serializers.DateField()
    valid_to = serializers.DateField()
    channel = EnumField("AuthorisationChannel", choices=Authorisation.Channel.choices)
    made_by = serializers.CharField()
    made_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    letter_name = serializers.CharField()


AuthorisationListSerializer = page_of(AuthorisationSerializer, "Authorisation")


# applicant_upsert's field names -> this request's
_APPLICANT_FIELDS = {"insured_region": "applicant_region", "id_number": "applicant_id_number"}


def authorisation_data(a: Authorisation) -> dict:
    """An authorisation as the API shows it (authorisations_stated; applicant, agent and items
    loaded)."""
    return {
        "id": a.pk,
        "state": a.state,
        "applicant": {
            "name": a.applicant.name,
            "masked_id": a.applicant.masked_id,
            "kind": a.applicant.kind,
        },  # fmt: skip
        "agent": a.agent.username,
        "items": sorted(i.code for i in a.items.all()),
        "valid_from": a.valid_from.isoformat(),
        "valid_to": a.valid_to.isoformat(),
        "channel": a.channel,
        "made_by": a.made_by.username,
        "made_at": time_iso(a.made_at),
        "revoked_at": time_iso(a.revoked_at),
        "letter_name": a.letter_name,
    }


def _one(pk: int) -> Authorisation:
    one = Authorisation.objects.select_related("applicant", "agent", "made_by").filter(pk=pk)
    return authorisations_stated(one.prefetch_related("items"))[0]


class AuthorisationListView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="authorisations_list",
        summary="Authorisations (委托书): the applicant's, the agent's, or made at the clerk's office",
        parameters=[AuthorisationListQuerySerializer],
        responses={200: AuthorisationListSerializer, **_errors(400, 401)},
        tags=["authorisations"],
    )
    def get(self, request):
        query = validated(AuthorisationListQuerySerializer, request.query_params.dict())
        qs = authorisations_visible(request.user).select_related("made_by")
        rows, count, next_url = paginate(request, qs, query.get("page", 1))
        return Response({"count": count, "next": next_url,
                         "results": [authorisation_data(a) for a in authorisations_stated(rows)]})  # fmt: skip

    @extend_schema(
        operation_id="authorisations_create",
        summary="Make an authorisation: a clerk at a window, or the applicant for themselves",
        description="`multipart/form-data` with the signed letter as `letter`. A clerk names "
        "who authorises with the applicant_ fields (their record is created or brought up to "
        "date, audited) and confirms `identities_checked`; an applicant authorises for "
        "themselves once their identity is verified. Audited as `authorisation.made`.",
        request={"multipart/form-data": AuthorisationInputSerializer},
        responses={201: AuthorisationSerializer, **_errors(400, 401, 403, 404, 409, 413, 415)},
        tags=["authorisations"],
    )
    def post(self, request):
        user = request.user
        if user.role not in (Role.CLERK, Role.APPLICANT):
            raise Forbidden(_("委托书由窗口受理员或申请人本人办理"), code="authorisation_forbidden")
        data = validated(AuthorisationInputSerializer, request.data)
        if user.role == Role.CLERK:
            applicant = {"id_number": data.get("applicant_id_number", ""),
                         "name": data.get("applicant_name", ""),
                         "phone": data.get("applicant_phone", ""),
                         "insured_region": data.get("applicant_region", ""),
                         "kind": data.get("applicant_kind"),
                         "identity_shown": data["identities_checked"]}  # fmt: skip
        else:
            applicant = user.applicant
            if applicant is None:
                raise Forbidden(_("此账号没有关联申请人信息"), code="no_applicant_record")
        try:
            made = authorisation_make(
                applicant=applicant, agent=data["agent"], items=data.get("items") or [],
                valid_from=data["valid_from"], valid_to=data["valid_to"], letter=data["letter"],
                by=user, identities_checked=data["identities_checked"], ip=client_ip(request),
            )  # fmt: skip
        except InvalidInput as e:  # the applicant's fields as this request names them
            if e.field and e.field.startswith("applicant."):
                e.field = _APPLICANT_FIELDS.get(e.field[10:], "applicant_" + e.field[10:])
            raise
        return Response(authorisation_data(_one(made.pk)), status=201)


class AuthorisationRevokeView(APIView):
    @extend_schema(
        operation_id="authorisations_revoke",
        summary="Revoke an authorisation now (the applicant, or a clerk for them)",
        description="From the next request the agent can no longer act for the applicant or "
        "follow the cases made under it (`authorisation_revoked`). Audited.",
        parameters=[_ID],
        request=None,
        responses={200: AuthorisationSerializer, **_errors(400, 401, 403, 404, 409, 413, 415)},
        tags=["authorisations"],
    )
    def post(self, request, id):
        authorisation = Authorisation.objects.filter(pk=id).first() if id < 2**31 else None
        if authorisation is None or not authorisation_visible(request.user, authorisation):
            raise NotFound(_("没有这份委托书"), code="authorisation_not_found")
        authorisation_revoke(authorisation=authorisation, by=request.user, ip=client_ip(request))
        return Response(authorisation_data(_one(authorisation.pk)))
