"""帮办代办 in the API: agent points (/api/v1/agent-points), home visits (/api/v1/home-visits),
and what a clerk or an agent does about a person's record on their behalf (the code that
confirms a change of contact data, the special groups). The rules and their errors are
tongban.cases.visits', tongban.people.services' and tongban.offices.selectors'."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from tongban.cases.authorisations import contact_code_request
from tongban.cases.models import HomeVisit
from tongban.cases.visits import (
    visit_assign,
    visit_cancel,
    visit_close,
    visit_for,
    visit_phone_shown,
    visit_request,
    visits_visible,
)
from tongban.lib.errors import InvalidInput
from tongban.lib.http import client_ip
from tongban.lib.paging import PAGE_MAX
from tongban.offices.models import AgentPoint
from tongban.offices.selectors import agent_points_listed, office_by_code
from tongban.people.models import GROUPS
from tongban.people.services import (
    applicant_groups_set,
)

from .schemas import (
    CharField,
    EnumField,
    ErrorSerializer,
    IdNumberField,
    PhoneField,
    StrictSerializer,
    TextField,
    item_code_field,
    office_code_field,
    page_of,
    validated,
)
from .shapes import applicant_shape, paginate, time_iso

_ERRORS = {
    400: "Bad input; the body's `code` and `field` say what (e.g. `invalid_date`, "
    "`unknown_item`, `unknown_agent`, `agent_out_of_area`, `invalid_disability_certificate`, "
    "`no_mobile_on_record`, `unknown_field`, `invalid`).",
    401: "No credentials, or a bad token (a public list answers without credentials; a bad "
    "token is still refused).",
    403: "Not this user's to do (`visit_forbidden`, `groups_forbidden`, "
    "`contact_code_forbidden`, `identity_unverified`).",
    404: "No such visit or person, or not one this user may see (`visit_not_found`, "
    "`applicant_not_found`).",
    409: "The visit is over (`visit_closed`) or not assigned (`visit_not_assigned`).",
    413: "The body is over 1 MiB (`body_too_large`).",
    415: "The body is not JSON.",
    429: "Too many codes sent to that number (`too_many_codes`): the message says how long to wait.",
    503: "The SMS gateway refused (`sms_unavailable`).",
}


def _errors(*statuses):
    return {s: OpenApiResponse(ErrorSerializer, description=_ERRORS[s]) for s in statuses}


def _page(request, qs, page: int, shape) -> dict:
    rows, count, next_url = paginate(request, qs, page)
    return {"count": count, "next": next_url, "results": [shape(r) for r in rows]}


# --- Agent points --------------------------------------------------------------------------


class AgentPointQuerySerializer(StrictSerializer):
    office = office_code_field(
        max_length=6, required=False,
        help_text="an office's code: its agent points and those of the offices under it",
    )  # fmt: skip
    page = serializers.IntegerField(min_value=1, max_value=PAGE_MAX, required=False)


class AgentPointSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = EnumField("AgentPointKind", choices=AgentPoint.Kind.choices)
    office = serializers.CharField(help_text="the office's code")
    office_name = serializers.CharField()
    address = serializers.CharField()
    hours = serializers.CharField(help_text="opening hours, as the office states them")
    phone = serializers.CharField()
    agents = serializers.IntegerField(help_text="active agents working there")


AgentPointListSerializer = page_of(AgentPointSerializer, "AgentPoint")


def agent_point_data(p: AgentPoint) -> dict:
    return {"code": p.code, "name": p.name, "kind": p.kind, "office": p.office.code,
            "office_name": p.office.name, "address": p.address, "hours": p.hours,
            "phone": p.phone, "agents": p.agents_count}  # fmt: skip


class AgentPointListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="agent_points_list",
        summary="Agent points (代办点) in use: where people get help applying, by office",
        parameters=[AgentPointQuerySerializer],
        responses={200: AgentPointListSerializer, **_errors(400, 401)},
        tags=["assistance"],
    )
    def get(self, request):
        query = validated(AgentPointQuerySerializer, request.query_params.dict())
        office = None
        if query.get("office"):
            office = office_by_code(query["office"])
            if office is None:
                raise InvalidInput(_("没有这个机构"), code="unknown_office", field="office")
        qs = agent_points_listed(office=office)
        return Response(_page(request, qs, query.get("page", 1), agent_point_data))


# --- Home visits ---------------------------------------------------------------------------

_WRITES = (400, 401, 403, 404, 409, 413, 415)
_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="visit id")


class VisitPersonSerializer(StrictSerializer):
    id_number = IdNumberField(max_length=40, help_text="居民身份证号码")
    name = serializers.CharField(max_length=100)
    phone = PhoneField(max_length=20, required=False, allow_blank=True)
    insured_region = office_code_field(max_length=6, help_text="参保地 (for a person not on record)")


class VisitInputSerializer(StrictSerializer):
    address = TextField(max_length=200, help_text="where to go")
    phone = PhoneField(max_length=20, help_text="whom to call before going")
    preferred_date = serializers.DateField(help_text="today to 60 days ahead")
    preferred_period = EnumField("VisitPeriod", choices=HomeVisit.Period.choices, required=False)
    items = serializers.ListField(child=item_code_field(max_length=20), required=False,
                                  max_length=50, help_text="the items to apply for there")  # fmt: skip
    note = TextField(max_length=300, required=False, allow_blank=True)
    office = office_code_field(
        max_length=6, required=False,
        help_text="the person's own request: the office whose area the address is in "
        "(their insured region when left out); a clerk's request: their own office",
    )  # fmt: skip
    channel = EnumField(
        "VisitChannel", choices=HomeVisit.Channel.choices, required=False,
        help_text="a clerk: phone or window (the person's own request is web)",
    )  # fmt: skip
    applicant = VisitPersonSerializer(
        required=False, help_text="a clerk names the person; the person's own account leaves it out"
    )


class VisitListQuerySerializer(StrictSerializer):
    status = EnumField("VisitStatus", choices=HomeVisit.Status.choices, required=False)
    page = serializers.IntegerField(min_value=1, max_value=PAGE_MAX, required=False)


class VisitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = EnumField("VisitStatus", choices=HomeVisit.Status.choices)
    applicant = serializers.DictField(help_text="{name, masked_id, kind, elderly, groups}")
    office = serializers.CharField()
    agent_point = serializers.CharField(allow_null=True)
    address = serializers.CharField(help_text="in full for the person and the agent sent; "
                                              "the office's staff see it too")  # fmt: skip
    phone = serializers.CharField(help_text="masked but for the person and the agent sent")
    preferred_date = serializers.DateField()
    preferred_period = EnumField("VisitPeriod", choices=HomeVisit.Period.choices)
    items = serializers.ListField(child=serializers.CharField())
    note = serializers.CharField()
    channel = EnumField("VisitChannel", choices=HomeVisit.Channel.choices)
    requested_at = serializers.DateTimeField()
    agent = serializers.CharField(allow_null=True)
    assigned_at = serializers.DateTimeField(allow_null=True)
    outcome_note = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)


VisitListSerializer = page_of(VisitSerializer, "Visit")


def visit_data(v: HomeVisit, user) -> dict:
    """A visit as `user` sees it: the phone in full for the person and the agent sent."""
    return {
        "id": v.pk,
        "status": v.status,
        "applicant": applicant_shape(v.applicant),
        "office": v.office.code,
        "agent_point": v.agent_point.code if v.agent_point_id else None,
        "address": v.address,
        "phone": visit_phone_shown(user, v),
        "preferred_date": v.preferred_date.isoformat(),
        "preferred_period": v.preferred_period,
        "items": [i.code for i in v.items.all()],
        "note": v.note,
        "channel": v.channel,
        "requested_at": time_iso(v.requested_at),
        "agent": v.agent.username if v.agent_id else None,
        "assigned_at": time_iso(v.assigned_at),
        "outcome_note": v.outcome_note,
        "closed_at": time_iso(v.closed_at),
    }


class VisitListView(APIView):
    @extend_schema(
        operation_id="home_visits_list",
        summary="Home visits (上门办): the person's own, the agent's, or the office's",
        parameters=[VisitListQuerySerializer],
        responses={200: VisitListSerializer, **_errors(400, 401)},
        tags=["assistance"],
    )
    def get(self, request):
        query = validated(VisitListQuerySerializer, request.query_params.dict())
        qs = visits_visible(request.user)
        if query.get("status"):
            qs = qs.filter(status=query["status"])
        return Response(_page(request, qs, query.get("page", 1),
                              lambda v: visit_data(v, request.user)))  # fmt: skip

    @extend_schema(
        operation_id="home_visits_create",
        summary="Ask for a home visit: the person themselves, or a clerk for a caller",
        responses={201: VisitSerializer, **_errors(*_WRITES)},
        request=VisitInputSerializer,
        tags=["assistance"],
    )
    def post(self, request):
        data = validated(VisitInputSerializer, request.data)
        visit = visit_request(
            by=request.user, address=data["address"], phone=data["phone"],
            preferred_date=data["preferred_date"],
            preferred_period=data.get("preferred_period") or HomeVisit.Period.ANY,
            items=data.get("items"), note=data.get("note", ""), applicant=data.get("applicant"),
            office=data.get("office"), channel=data.get("channel"), ip=client_ip(request),
        )  # fmt: skip
        return Response(visit_data(visit_for(request.user, visit.pk), request.user), status=201)


class VisitDetailView(APIView):
    @extend_schema(operation_id="home_visits_read", summary="One home visit", parameters=[_ID],
                   responses={200: VisitSerializer, **_errors(401, 404)}, tags=["assistance"])  # fmt: skip
    def get(self, request, id):
        return Response(visit_data(visit_for(request.user, id), request.user))


class VisitAssignSerializer(StrictSerializer):
    agent = serializers.CharField(max_length=150, help_text="the agent's user name")


class VisitCloseSerializer(StrictSerializer):
    done = serializers.BooleanField(help_text="true: done; false: not done (note required)")
    note = TextField(max_length=300, required=False, allow_blank=True)


class VisitCancelSerializer(StrictSerializer):
    note = TextField(max_length=300, required=False, allow_blank=True)


class _VisitStep(APIView):
    serializer = None

    def post(self, request, id):
        visit = visit_for(request.user, id)
        data = validated(self.serializer, request.data)
        self.step(visit, data, request)
        return Response(visit_data(visit_for(request.user, id), request.user))


class VisitAssignView(_VisitStep):
    serializer = VisitAssignSerializer

    @extend_schema(operation_id="home_visits_assign", parameters=[_ID],
                   summary="Send an agent (or a clerk stationed at an agent point) of the office",
                   request=VisitAssignSerializer,
                   responses={200: VisitSerializer, **_errors(*_WRITES)},
                   tags=["assistance"])  # fmt: skip
    def post(self, request, id):
        return super().post(request, id)

    def step(self, visit, data, request):
        visit_assign(visit=visit, agent=data["agent"], by=request.user, ip=client_ip(request))


class VisitCloseView(_VisitStep):
    serializer = VisitCloseSerializer

    @extend_schema(operation_id="home_visits_close", parameters=[_ID],
                   summary="The agent sent records the visit done or not done",
                   request=VisitCloseSerializer,
                   responses={200: VisitSerializer, **_errors(*_WRITES)},
                   tags=["assistance"])  # fmt: skip
    def post(self, request, id):
        return super().post(request, id)

    def step(self, visit, data, request):
        visit_close(visit=visit, done=data["done"], note=data.get("note", ""), by=request.user,
                    ip=client_ip(request))  # fmt: skip


class VisitCancelView(_VisitStep):
    serializer = VisitCancelSerializer

    @extend_schema(operation_id="home_visits_cancel", parameters=[_ID],
                   summary="Call an open visit off: the person, or the office",
                   request=VisitCancelSerializer,
                   responses={200: VisitSerializer, **_errors(*_WRITES)},
                   tags=["assistance"])  # fmt: skip
    def post(self, request, id):
        return super().post(request, id)

    def step(self, visit, data, request):
        visit_cancel(visit=visit, by=request.user, note=data.get("note", ""),
                     ip=client_ip(request))  # fmt: skip


# --- A person's record, on their behalf ----------------------------------------------------


class ContactCodeInputSerializer(StrictSerializer):
    id_number = IdNumberField(max_length=40, help_text="the person's or employer's number")
    phone = PhoneField(max_length=20, required=False, allow_blank=True,
                       help_text="the new phone (blank: unchanged)")  # fmt: skip
    insured_region = office_code_field(max_length=6, required=False, allow_blank=True,
                                       help_text="the new insured region (blank: unchanged)")  # fmt: skip


class ContactCodeSerializer(serializers.Serializer):
    sent_to = serializers.CharField(help_text="the mobile number on record, masked")


class ContactCodeView(APIView):
    @extend_schema(
        operation_id="applicants_contact_code",
        summary="Send the person a code confirming a change of their phone or insured region",
        description="To the mobile number on their record (never to the new one), naming the "
        "change; the code confirms that change of that record only. The person passes it on to "
        "the clerk or agent, who sends it as `applicant.contact_code` with the application that "
        "carries the same new details. Clerks for anyone on record; agents only for someone "
        "whose authorisation to them is in force (404 `applicant_not_found` otherwise, as for "
        "an unknown number). At most one a minute and 10 a day to a number. Audited.",
        request=ContactCodeInputSerializer,
        responses={200: ContactCodeSerializer, **_errors(*_WRITES, 429, 503)},
        tags=["assistance"],
    )
    def post(self, request):
        data = validated(ContactCodeInputSerializer, request.data)
        masked = contact_code_request(id_number=data["id_number"], phone=data.get("phone", ""),
                                      insured_region=data.get("insured_region", ""),
                                      by=request.user, ip=client_ip(request))  # fmt: skip
        return Response({"sent_to": masked})


class GroupsInputSerializer(StrictSerializer):
    id_number = IdNumberField(max_length=40, help_text="the person's resident ID number")
    disability_certificate = CharField(
        max_length=30, required=False, allow_blank=True,
        help_text="第二代残疾人证号: the holder's ID number + category (1-7) + grade (1-4); "
        "left out: the one recorded stays; empty: it is removed",
    )  # fmt: skip
    left_behind = serializers.BooleanField(required=False, default=False)
    in_need = serializers.BooleanField(required=False, default=False)
    in_need_note = TextField(max_length=100, required=False, allow_blank=True,
                             help_text="what makes them in need (低保, 特困, 重病 …)")  # fmt: skip


class GroupsSerializer(serializers.Serializer):
    groups = serializers.ListField(child=EnumField("SpecialGroup", choices=list(GROUPS.items())))


class GroupsView(APIView):
    @extend_schema(
        operation_id="applicants_groups_set",
        summary="Record a person's special groups (特殊群体), as a clerk checked them",
        description="Replaces what was recorded: the 残疾人证 shown, left-behind, in need. The "
        "elderly are derived from the ID number. Clerks only; audited without the "
        "certificate's number.",
        request=GroupsInputSerializer,
        responses={200: GroupsSerializer, **_errors(*_WRITES)},
        tags=["assistance"],
    )
    def post(self, request):
        data = validated(GroupsInputSerializer, request.data)
        applicant = applicant_groups_set(
            applicant=data["id_number"], by=request.user,
            disability_certificate=data.get("disability_certificate"),
            left_behind=data["left_behind"], in_need=data["in_need"],
            in_need_note=data.get("in_need_note", ""), ip=client_ip(request),
        )  # fmt: skip
        return Response({"groups": applicant.groups})
