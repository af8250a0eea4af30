"""跨区通办 on a case (/api/v1/cases/{number}/forward, …/partner): a collecting window forwards
a window application to the partner platform that decides it; anyone who sees a forwarded or
received case reads its partner and the state of its messages. The rules are
tongban.cases.partners'; the messages tongban.exchange's and tongban.crossregion's. The
endpoint partner platforms post to is api/platform.py."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from tongban.cases.access import case_for
from tongban.cases.models import Case
from tongban.cases.partners import case_forward
from tongban.crossregion.services import messages_of_case
from tongban.lib.errors import InvalidInput
from tongban.lib.http import client_ip

from .schemas import EnumField, ErrorSerializer, StrictSerializer, validated
from .shapes import time_iso

_ERRORS = {
    400: "Bad input: `agreement_not_applicable` or `unknown_agreement` (field `agreement`), "
    "`files_unpaired` (a `file` without its `material` code), `main_materials_missing`, a file's `unknown_material`, `empty_file`, `file_too_large`, "
    "`file_type_not_allowed`; `unknown_field`, `invalid`.",
    401: "No credentials, or a bad token.",
    403: "Not a clerk of the case's office (`action_forbidden`).",
    404: "No such case, or not one this user may see (`case_not_found`).",
    409: "Not a window application still waiting here (`transition_not_allowed`), or already "
    "forwarded (`already_forwarded`).",
    413: "The request's fields other than the files are over 1 MiB (`body_too_large`).",
    415: "The body is not `multipart/form-data`.",
}


def _errors(*statuses):
    return {s: OpenApiResponse(ErrorSerializer, description=_ERRORS[s]) for s in statuses}


_NUMBER = OpenApiParameter(
    "number", OpenApiTypes.STR, OpenApiParameter.PATH, description="case number"
)


class ForwardInputSerializer(StrictSerializer):
    agreement = serializers.CharField(max_length=40, help_text="the agreement's code (or id)")
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    material = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False,
        help_text="the material code of each `file`, in the same order",
    )  # fmt: skip
    file = serializers.ListField(child=serializers.FileField(), required=False)


class PartnerMessageSerializer(serializers.Serializer):
    direction = EnumField("PartnerMessageDirection", choices=[("out", "sent"), ("in", "received")])
    id = serializers.CharField()
    kind = serializers.CharField(help_text="case.forward, case.event, case.supplement")
    state = serializers.CharField(
        help_text="sent: waiting, delivered, failed; received: taken, refused"
    )
    attempts = serializers.IntegerField()
    at = serializers.DateTimeField()
    error = serializers.CharField(help_text="the last error, or the reason of a refusal")


class CasePartnerSerializer(serializers.Serializer):
    number = serializers.CharField()
    role = serializers.CharField(
        allow_blank=True,
        help_text="collecting (forwarded to the partner), deciding (received from it), or ''",
    )
    agreement = serializers.CharField(allow_null=True)
    partner = serializers.CharField(allow_null=True, help_text="the partner's division code")
    partner_name = serializers.CharField(allow_null=True)
    partner_number = serializers.CharField(allow_blank=True, help_text="its number there")
    messages = PartnerMessageSerializer(many=True)


def partner_data(case: Case) -> dict:
    agreement = case.agreement if case.agreement_id else None
    return {
        "number": case.number,
        "role": case.partner_role,
        "agreement": agreement.code if agreement else None,
        "partner": agreement.partner.code if agreement else None,
        "partner_name": agreement.partner.name if agreement else None,
        "partner_number": case.partner_number,
        "messages": [{**m, "at": time_iso(m["at"])} for m in messages_of_case(case)]
        if agreement
        else [],
    }


class CasePartnerView(APIView):
    @extend_schema(
        operation_id="cases_partner",
        summary="A case's cross-region handling (跨区通办): its partner and messages",
        parameters=[_NUMBER],
        responses={200: CasePartnerSerializer, **_errors(401, 404)},
        tags=["cases"],
    )
    def get(self, request, number):
        return Response(partner_data(case_for(request.user, number)))


class CaseForwardView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="cases_forward",
        summary="Forward a window application to the partner platform that decides it (异地代收代办)",
        description="`multipart/form-data`: `agreement` (its code), optionally `reason`, and "
        "the materials scanned at the window as repeated `file` fields, each with its material "
        "code in a `material` field in the same order. The partner's platform gets the case "
        "and its files through a signed message; the answer is the case's partner block.",
        parameters=[_NUMBER],
        request={"multipart/form-data": ForwardInputSerializer},
        responses={200: CasePartnerSerializer, **_errors(400, 401, 403, 404, 409, 413, 415)},
        tags=["cases"],
    )
    def post(self, request, number):
        case_for(request.user, number)  # someone else's case is 404 before any word on the body
        data = validated(ForwardInputSerializer, _multi(request.data))
        materials, files = data.get("material") or [], data.get("file") or []
        if len(materials) != len(files):
            raise InvalidInput(_("每个 file 须有一个 material（材料编码），顺序相同"),
                               code="files_unpaired", field="material")  # fmt: skip
        case = case_forward(number=number, agreement=data["agreement"], actor=request.user,
                            reason=data.get("reason", ""), files=list(zip(materials, files, strict=True)),
                            ip=client_ip(request))  # fmt: skip
        return Response(partner_data(case_for(request.user, case.number)))


def _multi(data) -> dict:
    """A multipart body as the serializer reads it: the repeated fields as lists."""
    out = {}
    for key in data:
        values = data.getlist(key) if hasattr(data, "getlist") else [data[key]]
        out[key] = values if key in ("material", "file") else values[-1]
    return out
