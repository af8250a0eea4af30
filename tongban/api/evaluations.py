"""The 好差评 endpoints of the API (/api/v1/): rate a case; the rectifications a supervisor
follows. Business rules and their errors come from tongban.evaluations.services."""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from tongban.cases.access import case_for
from tongban.evaluations.models import Appeal, Evaluation, RatingChannel, Rectification, Score
from tongban.evaluations.services import evaluation_submit, rectifications_visible
from tongban.lib.errors import Forbidden, InvalidInput
from tongban.lib.paging import PAGE_MAX, page_number
from tongban.people.models import Role

from .schemas import EnumField, ErrorSerializer, StrictSerializer, TextField, page_of
from .shapes import paginate, time_iso

_ERRORS = {
    400: "Bad input: `invalid_score`, `invalid_channel`, `too_long`, `unknown_field`, `invalid`.",
    401: "No credentials, or a bad token.",
    403: "Not the applicant of the case (`not_the_applicant`), not a clerk of its office for a "
    "window rating (`not_this_office`), or not a supervisor.",
    404: "No such case, or not visible to this user (`case_not_found`).",
    409: "`case_not_ended`, `rating_window_closed` (5 working days after the case ended), or "
    "`already_rated` (one rating per case).",
    413: "The request body is over 1 MiB (`body_too_large`).",
    415: "The body is not `application/json`.",
}


def _errors(*statuses):
    return {s: OpenApiResponse(ErrorSerializer, description=_ERRORS[s]) for s in statuses}


class EvaluationInputSerializer(StrictSerializer):
    score = serializers.IntegerField(
        min_value=1, max_value=5, help_text="5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意"
    )
    comment = TextField(required=False, allow_blank=True, max_length=2000)
    channel = EnumField(
        "RatingChannel", choices=RatingChannel.choices, required=False,
        default=RatingChannel.PORTAL,
    )  # fmt: skip


class RectificationBriefSerializer(serializers.Serializer):
    office = serializers.CharField(help_text="office code")
    due = serializers.DateField()


class EvaluationSerializer(serializers.Serializer):
    case = serializers.CharField(help_text="case number")
    score = serializers.IntegerField()
    score_label = serializers.CharField()
    good = serializers.BooleanField(help_text="under TONGBAN_GOOD_RATING_MIN (3 in Shandong)")
    comment = serializers.CharField()
    channel = EnumField("RatingChannel", choices=RatingChannel.choices)
    created_at = serializers.DateTimeField()
    rectification = RectificationBriefSerializer(
        allow_null=True, help_text="opened for a bad rating"
    )


class RectificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.CharField()
    item = serializers.CharField()
    office = serializers.CharField()
    score = serializers.IntegerField()
    comment = serializers.CharField()
    stage = EnumField("RectificationStage", choices=list(Rectification.STAGE_LABELS.items()))
    opened_at = serializers.DateTimeField()
    due = serializers.DateField()
    verified_at = serializers.DateTimeField(allow_null=True)
    callback_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    closed_in_time = serializers.BooleanField(allow_null=True)
    overdue = serializers.BooleanField(help_text="open past its due date")
    appealed = serializers.BooleanField()
    excluded = serializers.BooleanField(help_text="an upheld appeal took the rating out")


RectificationListSerializer = page_of(RectificationSerializer, "Rectification")


def evaluation_data(e: Evaluation) -> dict:
    try:
        r = e.rectification
    except ObjectDoesNotExist:
        r = None
    return {
        "case": e.case.number,
        "score": e.score,
        "score_label": Score(e.score).label,
        "good": e.is_good,
        "comment": e.comment,
        "channel": e.channel,
        "created_at": time_iso(e.created_at),
        "rectification": {"office": r.office.code, "due": r.due.isoformat()} if r else None,
    }


def rectification_data(r: Rectification, today) -> dict:
    e = r.evaluation
    return {
        "id": r.pk,
        "case": e.case.number,
        "item": e.case.item.name,
        "office": r.office.code,
        "score": e.score,
        "comment": e.comment,
        "stage": r.stage,
        "opened_at": time_iso(r.opened_at),
        "due": r.due.isoformat(),
        "verified_at": time_iso(r.verified_at),
        "callback_at": time_iso(r.callback_at),
        "closed_at": time_iso(r.closed_at),
        "closed_in_time": r.closed_in_time,
        "overdue": r.is_overdue(today),
        "appealed": bool(getattr(r, "appealed", False)),
        "excluded": e.excluded,
    }


class CaseEvaluationView(APIView):
    @extend_schema(
        operation_id="cases_evaluation_create",
        summary="Rate a finished case (好差评, one rating per case)",
        description="The applicant (or their agent) rates a completed or refused case within "
        "5 working days of its handling day. A bad rating opens a rectification for the "
        "office that handled it. `channel` is `portal` (default) or, for a clerk's window "
        "tablet, `window`.",
        parameters=[OpenApiParameter("number", OpenApiTypes.STR, OpenApiParameter.PATH)],
        request=EvaluationInputSerializer,
        responses={201: EvaluationSerializer, **_errors(400, 401, 403, 404, 409, 413, 415)},
        tags=["evaluations"],
    )
    def post(self, request, number):
        case = case_for(request.user, number)  # someone else's case is 404, whatever the body
        form = EvaluationInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        evaluation = evaluation_submit(case=case, score=data["score"], comment=data.get("comment", ""),
                                       channel=data["channel"], by=request.user)  # fmt: skip
        evaluation = Evaluation.objects.select_related("case", "rectification__office").get(
            pk=evaluation.pk
        )
        return Response(evaluation_data(evaluation), status=201)


class RectificationListView(APIView):
    @extend_schema(
        operation_id="rectifications_list",
        summary="Rectifications of bad ratings (supervisors: their office's; the city's all)",
        parameters=[
            OpenApiParameter("open", OpenApiTypes.BOOL, description="only those not closed"),
            OpenApiParameter("office", OpenApiTypes.STR, description="office code"),
            OpenApiParameter("page", OpenApiTypes.INT),
        ],
        responses={200: RectificationListSerializer, **_errors(400, 401, 403)},
        tags=["evaluations"],
    )
    def get(self, request):
        if request.user.role != Role.SUPERVISOR:
            raise Forbidden(_("只有科长/监察可以查看差评整改"), code="supervisors_only")
        qs = rectifications_visible(request.user).annotate(
            appealed=Exists(Appeal.objects.filter(evaluation_id=OuterRef("evaluation_id")))
        )
        if request.query_params.get("open") in ("1", "true"):
            qs = qs.filter(closed_at__isnull=True)
        if office := request.query_params.get("office"):
            qs = qs.filter(office__code=office)
        page = request.query_params.get("page", "1")
        if page_number(page) != (int(page) if page.isdigit() else None):
            raise InvalidInput(
                _("page 应为 1 到 %(max)s 的整数") % {"max": PAGE_MAX}, code="invalid", field="page"
            )
        rows, count, next_url = paginate(request, qs.order_by("due", "pk"), int(page))
        today = timezone.localdate()
        return Response(
            {"count": count, "next": next_url,
             "results": [rectification_data(r, today) for r in rows]}
        )  # fmt: skip
