"""The figures over the API: /api/v1/stats/summary, /breakdown, /assistance and /compression.

The same selectors as the dashboard (tongban.stats.selectors), so the numbers agree."""

from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from tongban.catalog.models import Channel
from tongban.lib.errors import InvalidInput
from tongban.lib.replica import reads_from_replica
from tongban.offices.models import Office
from tongban.people.models import Applicant
from tongban.stats import access
from tongban.stats.selectors import (
    BREAKDOWNS,
    PRESETS,
    UNASSIGNED,
    Figures,
    amounts_for,
    assistance_for,
    bundles_for,
    compression_from_params,
    filters_codes,
    filters_parse,
    period_parse,
    without_jit,
)

from .schemas import (
    CodeField,
    ErrorSerializer,
    StrictSerializer,
    item_code_field,
    office_code_field,
    validated,
)

# --- Shapes (for the OpenAPI document; the views return plain dicts) ----------------------

_RATE = {"allow_null": True, "min_value": 0, "max_value": 1}


class FiguresSerializer(serializers.Serializer):
    received = serializers.IntegerField(help_text="cases submitted in the period")
    accepted = serializers.IntegerField(help_text="of those, accepted (deemed acceptances too)")
    completed = serializers.IntegerField(help_text="finished: approved + denied")
    approved = serializers.IntegerField()
    denied = serializers.IntegerField()
    rejected = serializers.IntegerField(help_text="refused before acceptance (不予受理)")
    withdrawn = serializers.IntegerField()
    in_progress = serializers.IntegerField(help_text="still open")
    instant_rate = serializers.FloatField(**_RATE, help_text="instant items / received")
    online_rate = serializers.FloatField(**_RATE, help_text="web + mobile / received (网办率)")
    no_visit_rate = serializers.FloatField(**_RATE, help_text="completed online / completed")
    on_time_rate = serializers.FloatField(
        **_RATE, help_text="completed on or before the deadline / completed with a deadline"
    )
    overdue_open = serializers.IntegerField(help_text="open, accepted, deadline before today")
    overdue_finished = serializers.IntegerField(help_text="completed after the deadline")
    overdue = serializers.IntegerField(help_text="overdue_open + overdue_finished")
    extended = serializers.IntegerField(help_text="with an approved extension (延期)")
    with_procedure = serializers.IntegerField(help_text="with a special procedure (特别程序)")
    assisted = serializers.IntegerField(
        help_text="帮办代办: applied for by an agent under the applicant's authorisation"
    )
    at_agent_point = serializers.IntegerField(help_text="came through an agent point (代办点)")
    bundled = serializers.IntegerField(help_text="一件事: made by a bundle application")
    urged = serializers.IntegerField(help_text="催办: pressed by the applicant after the deadline")
    avg_handling_workdays = serializers.FloatField(
        allow_null=True, help_text="mean working days on the clock of completed cases"
    )
    tongban_share = serializers.FloatField(
        **_RATE, help_text="accepted cases handled outside the insured region / accepted"
    )
    ratings = serializers.IntegerField(
        help_text="ratings that count (an upheld appeal excludes one)"
    )
    satisfaction = serializers.FloatField(**_RATE, help_text="good ratings / ratings")
    bad_ratings = serializers.IntegerField()
    bad_ratings_open = serializers.IntegerField(help_text="their rectification not closed yet")
    bad_ratings_closed_in_time = serializers.IntegerField()
    bad_ratings_closed_late = serializers.IntegerField()


class FiltersSerializer(serializers.Serializer):
    office = serializers.CharField(required=False)
    item = serializers.CharField(required=False)
    channel = serializers.CharField(required=False)
    insured_region = serializers.CharField(required=False)
    applicant_kind = serializers.CharField(required=False)


class _PeriodSerializer(serializers.Serializer):
    to = serializers.DateField()
    filters = FiltersSerializer(help_text="the filters applied, as codes")
    as_of = serializers.DateTimeField(help_text="when the figures were last brought up to date")


_PeriodSerializer._declared_fields = {
    "from": serializers.DateField(),
    **_PeriodSerializer._declared_fields,
}


class StatsSummarySerializer(_PeriodSerializer, FiguresSerializer):
    pass


class BreakdownRowSerializer(FiguresSerializer):
    key = serializers.CharField(
        help_text="office or region code (intake: unassigned), item code, channel, "
        "applicant kind, or YYYY-MM"
    )
    label = serializers.CharField()


class StatsBreakdownSerializer(_PeriodSerializer):
    by = serializers.ChoiceField(choices=list(BREAKDOWNS))
    rows = BreakdownRowSerializer(many=True)
    total = FiguresSerializer()


class MeasureSerializer(serializers.Serializer):
    then = serializers.IntegerField(allow_null=True)
    now = serializers.IntegerField()
    cut = serializers.FloatField(allow_null=True, help_text="(then - now) / then")


class CompressionItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    status = serializers.CharField()
    handling_type = serializers.CharField()
    baseline_version = serializers.IntegerField(allow_null=True)
    baseline_effective_from = serializers.DateField(allow_null=True)
    current_version = serializers.IntegerField()
    current_effective_from = serializers.DateField()
    counted = serializers.BooleanField(help_text="part of the totals")
    materials = MeasureSerializer()
    steps = MeasureSerializer()
    legal_days = MeasureSerializer()
    promised_days = MeasureSerializer()
    promised_vs_legal = serializers.FloatField(allow_null=True)


class CompressionTotalSerializer(serializers.Serializer):
    items = serializers.IntegerField()
    materials = MeasureSerializer()
    steps = MeasureSerializer()
    legal_days = MeasureSerializer()
    promised_days = MeasureSerializer()
    promised_vs_legal = serializers.FloatField(allow_null=True)


class StatsCompressionSerializer(serializers.Serializer):
    baseline = serializers.DateField(allow_null=True)
    baseline_version = serializers.IntegerField(allow_null=True)
    on = serializers.DateField()
    items = CompressionItemSerializer(many=True)
    total = CompressionTotalSerializer()


# --- Input ---------------------------------------------------------------------------------


# The query's fields are its documentation too (api/schemas.py states their limits); the
# selectors check the values and name the field at fault.
_OPTIONAL = {"required": False, "allow_blank": True}


class _FiguresQuerySerializer(StrictSerializer):
    to = serializers.CharField(**_OPTIONAL, help_text="last day, YYYY-MM-DD; default today")
    preset = CodeField(name="Preset", known=lambda: PRESETS, **_OPTIONAL,
                       help_text="instead of from/to")  # fmt: skip
    office = CodeField(
        name="FiguresOffice", known=lambda: [*Office.objects.values_list("code", flat=True), UNASSIGNED],
        **_OPTIONAL, help_text="handling office code, e.g. 371522; `intake` for unassigned applications",
    )  # fmt: skip
    item = item_code_field(**_OPTIONAL, help_text="item code, e.g. YB07019")
    channel = CodeField(name="ApplicationChannel", known=lambda: Channel.values, **_OPTIONAL)
    insured_region = office_code_field(
        **_OPTIONAL, help_text="the applicants' insured region (参保地) code"
    )
    applicant_kind = CodeField(
        name="ApplicantKind", known=lambda: Applicant.Kind.values, **_OPTIONAL
    )


_FiguresQuerySerializer._declared_fields["from"] = serializers.CharField(
    **_OPTIONAL, help_text="first day, YYYY-MM-DD (Asia/Shanghai); default 1 January of `to`'s year"
)


class _BreakdownQuerySerializer(_FiguresQuerySerializer):
    by = CodeField(name="Breakdown", known=lambda: BREAKDOWNS, **_OPTIONAL)


class _CompressionQuerySerializer(StrictSerializer):
    baseline = serializers.CharField(
        **_OPTIONAL, help_text="a date: each item's version in force then (default: first version)"
    )
    baseline_version = serializers.CharField(
        **_OPTIONAL, help_text="a version number instead of a date"
    )
    on = serializers.CharField(
        **_OPTIONAL, help_text="compare the versions in force on this date (default today)"
    )


def _query(request, serializer_class) -> dict:
    return validated(serializer_class, request.query_params.dict())


def _param(name, description, **kw):
    return OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.QUERY, description=description,
                            **kw)  # fmt: skip


FIGURE_PARAMETERS = [_FiguresQuerySerializer]
_ERRORS = {
    400: OpenApiResponse(
        ErrorSerializer, description="A bad date, filter or `by`; `field` names it."
    ),
    401: OpenApiResponse(ErrorSerializer, description="No credentials, or a bad token."),
    403: OpenApiResponse(
        ErrorSerializer,
        description="Not a supervisor (figures) or catalog administrator (compression), "
        "or a county supervisor asking for another office (`office_out_of_scope`).",
    ),
}


def figures_for(request, params: dict) -> Figures:
    """The Figures a request asks for, checked against who is asking. Raises Forbidden or
    InvalidInput (the API's handler and the pages both turn them into answers)."""
    scope = access.figures_scope(request.user)
    period = period_parse(params.get("from"), params.get("to"), preset=params.get("preset"))
    return Figures(period, filters=filters_parse(params, scope=scope))


def _head(figures: Figures) -> dict:
    return {
        "from": figures.period.start.isoformat(),
        "to": figures.period.end.isoformat(),
        "filters": filters_codes(figures.filters),
        "as_of": figures.as_of.isoformat(),
    }


def summary_payload(figures: Figures) -> dict:
    return {**_head(figures), **figures.summary()}


def breakdown_payload(figures: Figures, by: str) -> dict:
    rows = figures.breakdown(by)
    return {**_head(figures), "by": by, "rows": rows, "total": figures.summary()}


class StatsSummaryView(APIView):
    @extend_schema(
        operation_id="stats_summary",
        summary="The figures of a period",
        description="Cases submitted in the period (Asia/Shanghai dates), filtered. Rates are "
        "fractions 0–1, null where the denominator is 0. Definitions: tongban/stats/selectors.py.",
        parameters=FIGURE_PARAMETERS,
        responses={200: StatsSummarySerializer, **_ERRORS},
        tags=["stats"],
    )
    @method_decorator(reads_from_replica)
    def get(self, request):
        params = _query(request, _FiguresQuerySerializer)
        return Response(summary_payload(figures_for(request, params)))


class StatsBreakdownView(APIView):
    @extend_schema(
        operation_id="stats_breakdown",
        summary="The figures of a period, one row per group",
        parameters=[
            _BreakdownQuerySerializer,
            _param("by", "the groups", required=True, enum=list(BREAKDOWNS)),
        ],
        responses={200: StatsBreakdownSerializer, **_ERRORS},
        tags=["stats"],
    )
    @without_jit()
    @method_decorator(reads_from_replica)
    def get(self, request):
        params = _query(request, _BreakdownQuerySerializer)
        by = params.get("by") or ""
        if by not in BREAKDOWNS:
            raise InvalidInput(_("by 应为 %(choices)s 之一") % {"choices": ", ".join(BREAKDOWNS)},
                               code="invalid_choice", field="by")  # fmt: skip
        return Response(breakdown_payload(figures_for(request, params), by))


class AssistancePointSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    office = serializers.CharField()
    received = serializers.IntegerField()
    completed = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    assisted = serializers.IntegerField(help_text="of those, applied for by an agent")
    visits_requested = serializers.IntegerField()
    visits_done = serializers.IntegerField()


class AssistanceAgentSerializer(serializers.Serializer):
    agent = serializers.CharField(help_text="user name")
    name = serializers.CharField()
    agent_point = serializers.CharField(allow_null=True)
    received = serializers.IntegerField()
    completed = serializers.IntegerField()
    visits_done = serializers.IntegerField()


class _ScopedFiguresSerializer(serializers.Serializer):
    """The head of every figures answer: the period and the office in scope."""

    _from = serializers.DateField()
    to = serializers.DateField()
    office = serializers.CharField(allow_null=True, help_text="the scope: null for the city")
    office_name = serializers.CharField(allow_null=True)


_ScopedFiguresSerializer._declared_fields = {  # "from" is a keyword: declared as _from
    ("from" if k == "_from" else k): v for k, v in _ScopedFiguresSerializer._declared_fields.items()
}


class StatsAssistanceSerializer(_ScopedFiguresSerializer):
    agent_points = AssistancePointSerializer(many=True)
    agents = AssistanceAgentSerializer(many=True)
    visits = serializers.DictField(child=serializers.IntegerField(), help_text="by status")
    totals = serializers.DictField(child=serializers.IntegerField(),
                                   help_text="received, assisted, at_agent_point")  # fmt: skip



class _AssistanceQuerySerializer(StrictSerializer):
    to = serializers.CharField(**_OPTIONAL, help_text="last day, YYYY-MM-DD; default today")
    preset = CodeField(name="Preset", known=lambda: PRESETS, **_OPTIONAL,
                       help_text="instead of from/to")  # fmt: skip
    office = office_code_field(**_OPTIONAL, help_text="a city supervisor: one office's")


_AssistanceQuerySerializer._declared_fields["from"] = serializers.CharField(
    **_OPTIONAL, help_text="first day, YYYY-MM-DD (Asia/Shanghai); default 1 January of `to`'s year"
)


class StatsAssistanceView(APIView):
    @extend_schema(
        operation_id="stats_assistance",
        summary="帮办代办: cases and home visits by agent point and by agent",
        description="Cases submitted in the period that came through an agent point or were "
        "applied for by an agent, and the home visits asked for in it. Definitions: "
        "tongban/stats/selectors.py (assistance_figures).",
        parameters=[_AssistanceQuerySerializer],
        responses={200: StatsAssistanceSerializer, **_ERRORS},
        tags=["stats"],
    )
    @method_decorator(reads_from_replica)
    def get(self, request):
        params = _query(request, _AssistanceQuerySerializer)
        return Response(assistance_for(request.user, params))


class BundleFiguresRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    received = serializers.IntegerField()
    finished = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    cases = serializers.IntegerField()


class StatsBundlesSerializer(_ScopedFiguresSerializer):
    received = serializers.IntegerField(help_text="bundle applications submitted in the period")
    finished = serializers.IntegerField(help_text="of those, every case finished")
    in_progress = serializers.IntegerField()
    cases = serializers.IntegerField(help_text="the cases they made")
    bundles = BundleFiguresRowSerializer(many=True, help_text="the same per bundle")



class StatsBundlesView(APIView):
    @extend_schema(
        operation_id="stats_bundles",
        summary="一件事: bundle applications received, finished and in progress, per bundle",
        description="Bundle applications submitted in the period (held by the office in scope). "
        "Definitions: tongban/stats/selectors.py (bundle_figures).",
        parameters=[_AssistanceQuerySerializer],
        responses={200: StatsBundlesSerializer, **_ERRORS},
        tags=["stats"],
    )
    @method_decorator(reads_from_replica)
    def get(self, request):
        params = _query(request, _AssistanceQuerySerializer)
        return Response(bundles_for(request.user, params))


class AmountRowSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM, of submission (local)")
    office = serializers.CharField(
        allow_null=True, help_text="the handling office; null: the intake"
    )
    office_name = serializers.CharField()
    item = serializers.CharField()
    item_name = serializers.CharField()
    cases = serializers.IntegerField(help_text="cases with an amount claimed")
    claimed = serializers.CharField(help_text="yuan claimed, two decimals")
    paid_cases = serializers.IntegerField(help_text="of those, approved with an amount approved")
    paid = serializers.CharField(help_text="yuan approved for payment, two decimals")


class StatsAmountsSerializer(_ScopedFiguresSerializer):
    cases = serializers.IntegerField()
    claimed = serializers.CharField()
    paid_cases = serializers.IntegerField()
    paid = serializers.CharField()
    rows = AmountRowSerializer(many=True, help_text="per month, handling office and item")



class StatsAmountsView(APIView):
    @extend_schema(
        operation_id="stats_amounts",
        summary="Amounts claimed and approved for payment, by office, item and month",
        description="Of the cases submitted in the period whose item pays out (报销, 支付…): "
        "the amounts claimed on their forms and approved in their decisions (办结结果). "
        "Definitions: tongban/stats/selectors.py (amount_figures).",
        parameters=[_AssistanceQuerySerializer],
        responses={200: StatsAmountsSerializer, **_ERRORS},
        tags=["stats"],
    )
    def get(self, request):
        params = _query(request, _AssistanceQuerySerializer)
        return Response(amounts_for(request.user, params))


class StatsCompressionView(APIView):
    @extend_schema(
        operation_id="stats_compression",
        summary="The catalog's compression against a baseline",
        parameters=[_CompressionQuerySerializer],
        responses={200: StatsCompressionSerializer, **_ERRORS},
        tags=["stats"],
    )
    @method_decorator(reads_from_replica)
    def get(self, request):
        params = _query(request, _CompressionQuerySerializer)
        access.compression_check(request.user)
        return Response(compression_from_params(params))
