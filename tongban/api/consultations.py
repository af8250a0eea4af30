"""The enquiry endpoints of the API (/api/v1/consultations): the enquiries a user sees or owns,
and 首问负责's hand-on and closing. Who sees what is tongban.consultations.access; the rules
and their errors come from tongban.consultations.services."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from tongban.consultations.access import consultation_for, staff_required
from tongban.consultations.models import Consultation
from tongban.consultations.selectors import (
    consultation_with_chain,
    consultations_owned,
    consultations_seen,
)
from tongban.consultations.services import consultation_close, consultation_hand_on
from tongban.lib.http import client_ip
from tongban.lib.paging import PAGE_MAX

from .schemas import EnumField, ErrorSerializer, StrictSerializer, TextField, page_of, validated
from .shapes import paginate, time_iso

STATES = {"open": "待答复", "closed": "已办结"}

_ERRORS = {
    400: "Bad input: `unknown_colleague` (not an active staff member of an office of the city), "
    "`already_the_owner`, `required`, `too_long`, `unknown_field`, `invalid`.",
    401: "No credentials, or a bad token.",
    403: "Not staff of an office (`staff_only`), or neither the enquiry's owner nor a "
    "supervisor of its office or of the city (`not_the_owner`; only the owner closes).",
    404: "No such enquiry, or not visible to this user (`consultation_not_found`): staff see "
    "their office's enquiries and those they own.",
    409: "`consultation_closed`, or `owner_changed` (handed on by someone else meanwhile).",
    413: "The request body is over 1 MiB (`body_too_large`).",
    415: "The body is not `application/json`.",
}


def _errors(*statuses):
    return {s: OpenApiResponse(ErrorSerializer, description=_ERRORS[s]) for s in statuses}


_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="enquiry id")

# --- Input ---------------------------------------------------------------------------------


class ConsultationListQuerySerializer(StrictSerializer):
    mine = serializers.BooleanField(
        required=False, help_text="true: only those the user owns now, open first, oldest first"
    )
    open = serializers.BooleanField(
        required=False, help_text="true: only open ones; false: only closed ones"
    )
    page = serializers.IntegerField(min_value=1, max_value=PAGE_MAX, required=False)


class HandOnInputSerializer(StrictSerializer):
    to = serializers.CharField(
        allow_blank=True, help_text="username of an active staff member of any office of the city"
    )
    note = TextField(
        allow_blank=True, nonblank=True, most=500,
        help_text="why, and what is left to do (required, at most 500)",
    )  # fmt: skip


class CloseInputSerializer(StrictSerializer):
    reply = TextField(
        allow_blank=True, nonblank=True, most=2000,
        help_text="the final answer given to the asker (required)",
    )  # fmt: skip


# --- Output (documentation of consultation_data) --------------------------------------------

HandOffSerializer = type(
    "HandOffSerializer",
    (serializers.Serializer,),
    {
        "from": serializers.CharField(help_text="username of the owner it was handed on from"),
        "to": serializers.CharField(help_text="username of the colleague who owns it since"),
        "by": serializers.CharField(help_text="who handed it on: the owner, or a supervisor"),
        "at": serializers.DateTimeField(),
        "note": serializers.CharField(),
    },
)


class ConsultationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = EnumField("ConsultationState", choices=list(STATES.items()))
    office = serializers.CharField(help_text="code of the office where it was asked")
    owner = serializers.CharField(help_text="username of who answers for it now (首问负责)")
    first_responder = serializers.CharField(help_text="username of the first staff member asked")
    asked_at = serializers.DateTimeField()
    channel = EnumField("ConsultationChannel", choices=Consultation.Channel.choices)
    item = serializers.CharField(allow_null=True, help_text="item code")
    question = serializers.CharField()
    answer = serializers.CharField(help_text="what was said on the spot")
    reply = serializers.CharField(help_text="the final answer, once closed; empty while open")
    closed_at = serializers.DateTimeField(allow_null=True)
    closed_by = serializers.CharField(allow_null=True)
    case = serializers.CharField(allow_null=True, help_text="the case it turned into")
    hand_offs = HandOffSerializer(many=True, help_text="every hand-on, oldest first")


ConsultationListSerializer = page_of(ConsultationSerializer, "Consultation")


def consultation_data(c: Consultation) -> dict:
    """The enquiry as the API shows it; `c` comes from selectors' lists (people, item, case
    and hand-ons loaded)."""
    return {
        "id": c.pk,
        "state": c.state,
        "office": c.office.code,
        "owner": c.owner.username,
        "first_responder": c.clerk.username,
        "asked_at": time_iso(c.asked_at),
        "channel": c.channel,
        "item": c.item.code if c.item_id else None,
        "question": c.question,
        "answer": c.answer,
        "reply": c.reply,
        "closed_at": time_iso(c.closed_at),
        "closed_by": c.closed_by.username if c.closed_by_id else None,
        "case": c.turned_into_case.number if c.turned_into_case_id else None,
        "hand_offs": [
            {
                "from": h.from_user.username,
                "to": h.to_user.username,
                "by": h.by.username,
                "at": time_iso(h.at),
                "note": h.note,
            }
            for h in c.hand_offs.all()
        ],  # fmt: skip
    }


# --- Views ---------------------------------------------------------------------------------


class ConsultationListView(APIView):
    @extend_schema(
        operation_id="consultations_list",
        summary="Enquiries (咨询): those of the user's office and those they own",
        description="Staff see their office's enquiries and the ones they own now, newest "
        "first; a city supervisor sees every office's. `mine=true` lists only the ones the "
        "user owns, open first (oldest first), then the closed ones (latest closed first).",
        parameters=[ConsultationListQuerySerializer],
        responses={200: ConsultationListSerializer, **_errors(400, 401, 403)},
        tags=["consultations"],
    )
    def get(self, request):
        staff_required(request.user)
        query = validated(ConsultationListQuerySerializer, request.query_params.dict())
        state = {True: "open", False: "closed", None: "all"}[query.get("open")]
        if query.get("mine"):
            qs = consultations_owned(request.user, state)
        else:
            qs = consultations_seen(request.user, state)
        rows, count, next_url = paginate(request, qs, query.get("page", 1))
        return Response({
            "count": count,
            "next": next_url,
            "results": [consultation_data(c) for c in rows],
        })  # fmt: skip


class ConsultationHandOnView(APIView):
    @extend_schema(
        operation_id="consultations_hand_on",
        summary="Hand an enquiry on to a named colleague (首问负责)",
        description="The enquiry's owner, or a supervisor of its office or of the city, hands "
        "an open enquiry on to an active staff member of any office of the city, who owns it "
        "from then on. The hand-on is kept in `hand_offs`.",
        parameters=[_ID],
        request=HandOnInputSerializer,
        responses={200: ConsultationSerializer, **_errors(400, 401, 403, 404, 409, 413, 415)},
        tags=["consultations"],
    )
    def post(self, request, id):
        consultation = consultation_for(request.user, id)  # 404 before the body is read
        data = validated(HandOnInputSerializer, request.data)
        consultation_hand_on(consultation=consultation, by=request.user, to=data["to"],
                             note=data["note"], ip=client_ip(request))  # fmt: skip
        return Response(consultation_data(consultation_with_chain(consultation.pk)))


class ConsultationCloseView(APIView):
    @extend_schema(
        operation_id="consultations_close",
        summary="Close an enquiry with the final reply",
        description="Only the enquiry's owner closes it, with the answer finally given.",
        parameters=[_ID],
        request=CloseInputSerializer,
        responses={200: ConsultationSerializer, **_errors(400, 401, 403, 404, 409, 413, 415)},
        tags=["consultations"],
    )
    def post(self, request, id):
        consultation = consultation_for(request.user, id)  # 404 before the body is read
        data = validated(CloseInputSerializer, request.data)
        consultation_close(consultation=consultation, by=request.user, reply=data["reply"],
                           ip=client_ip(request))  # fmt: skip
        return Response(consultation_data(consultation_with_chain(consultation.pk)))
