"""The REST API (docs/api.md): one APIView per path, each method one operation.

Views parse the input (tongban.api.schemas), call one service, and return a shape of
tongban.api.shapes. Business rules and their errors come from the services; the errors
become JSON bodies in tongban.api.errors.
"""

import re

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import F, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from tongban.audit.services import record
from tongban.cases.access import (
    case_for,
    cases_visible,
    cases_visible_parts,
    sees_intake,
    visible_conditions,
)
from tongban.cases.models import IN_INTAKE, Case, Notice, overdue_q
from tongban.cases.notices import notice_filename, notice_pdf_stored
from tongban.cases.selectors import case_notice, cases_search, search_order
from tongban.cases.selectors import histories as case_histories
from tongban.cases.services import (
    ACTION_PARAMS,
    case_act,
    case_personal_data,
    case_submit,
)
from tongban.catalog.models import Agreement, Bundle, ServiceItem
from tongban.catalog.selectors import item_version_current, items_active, versions_by_pk
from tongban.lib.errors import DomainError, InvalidInput, NotFound
from tongban.lib.http import bearer_key, client_ip, private_download
from tongban.offices.models import Office
from tongban.offices.selectors import office_by_code, office_codes
from tongban.people.models import ApiToken
from tongban.people.services import sign_in, token_revoke
from tongban.people.steps import sign_in_blocked, sign_in_check
from tongban.workdays import services as workdays

from . import schemas, shapes
from .fast import FastBearer

# --- OpenAPI declarations ------------------------------------------------------------------

_ERROR_TEXT = {
    400: "Bad input: `code` says what is wrong, `field` names the input at fault.",
    401: "No credentials, or a bad token.",
    403: "The user's role may not do this.",
    404: "Not found, or not visible to this user.",
    409: "A conflict: the action is not open from the case's status "
    "(`transition_not_allowed`), the case moved since the client read it (`stale_version`), "
    "or another clerk owns the application (`owned_by_other`).",
    413: "The request body is over 1 MiB (`body_too_large`).",
    415: "The body is not `application/json`.",
}


def _errors(*statuses: int) -> dict:
    return {
        s: OpenApiResponse(response=schemas.ErrorSerializer, description=_ERROR_TEXT[s])
        for s in statuses
    }


_WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 415)
_IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="up to 100 characters; a retry with the same key returns the first result",
)
_CREATED_HEADERS = [
    OpenApiParameter(
        "Location", OpenApiTypes.URI_REF, OpenApiParameter.HEADER, response=[201],
        description="the case (or the first case of a bundle)",
    ),
    OpenApiParameter(
        "Idempotent-Replayed", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[201],
        enum=["true"], description="present when the Idempotency-Key was seen before",
    ),
]  # fmt: skip
_NUMBER = OpenApiParameter(
    "number", OpenApiTypes.STR, OpenApiParameter.PATH, description="case number"
)


# --- Helpers -------------------------------------------------------------------------------


# Text that PostgreSQL cannot store (NUL) or UTF-8 cannot encode (a lone surrogate). Free-form
# parts of a body (the form) reach the database unchecked, so the whole body is checked here.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _unstorable_text(data, path: str = "") -> str | None:
    """The path of the first key or string in `data` holding _UNSTORABLE text, or None."""
    if isinstance(data, str):
        return path if _UNSTORABLE.search(data) else None
    if isinstance(data, dict):
        for key, value in data.items():
            sub = f"{path}.{key}" if path else str(key)
            if _UNSTORABLE.search(str(key)):
                return sub
            if (found := _unstorable_text(value, sub)) is not None:
                return found
    elif isinstance(data, list):
        for i, value in enumerate(data):
            if (found := _unstorable_text(value, f"{path}[{i}]")) is not None:
                return found
    return None


def _parse(serializer_class, data) -> dict:
    if (where := _unstorable_text(data)) is not None:
        raise InvalidInput(_("%(where)s: 含有不允许的控制字符") % {"where": where or "body"},
                           code="invalid", field=where or None)  # fmt: skip
    return schemas.validated(serializer_class, data)


def _query(request, serializer_class) -> dict:
    # A plain dict: DRF reads a QueryDict like an HTML form, where a missing boolean is false.
    return _parse(serializer_class, request.query_params.dict())


def _office(code: str, field: str) -> Office:
    office = office_by_code(code)
    if office is None:
        raise InvalidInput(_("%(code)r 不是已知的经办机构代码") % {"code": code},
                           code="unknown_office", field=field)  # fmt: skip
    return office


def _office_given(data: dict) -> Office | None:
    """The office a window application names (the clerk's own when left out)."""
    return _office(data["office"], "office") if data.get("office") else None


def _case_queryset():
    return Case.objects.select_related(*shapes.CASE_RELATED)


def _office_codes(cases) -> dict[int, str]:
    """Codes of the offices `cases` name (kept per process: a code never changes)."""
    return office_codes(
        {pk for case in cases for f in shapes.OFFICE_FIELDS if (pk := getattr(case, f))}
    )


def _case_bodies(cases, user) -> list[dict]:
    """Whole cases as `user` sees them: at most two queries (office codes, the histories not
    read with the cases) for any number. `cases` must have shapes.CASE_RELATED loaded."""
    offices, histories, agents = (
        _office_codes(cases),
        case_histories(cases),
        shapes.agent_names(cases),
    )
    return [shapes.case_data(c, histories[c.pk], user, offices, agents) for c in cases]


class InvalidToken(DomainError):
    status = 401
    code = "authentication_failed"


# --- Sign-in -------------------------------------------------------------------------------


class TokenView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_token_create",
        summary="Sign in: username and password give a bearer token",
        description="The sign-in rule of every door (people.services.sign_in): "
        f"{settings.TONGBAN_LOCKOUT_FAILURES} failed attempts for a username from one address, "
        f"{settings.TONGBAN_LOCKOUT_ACCOUNT_FAILURES} from any, or "
        f"{settings.TONGBAN_LOCKOUT_ADDRESS_FAILURES} from one address for any username within "
        f"{settings.TONGBAN_LOCKOUT_MINUTES} minutes refuse further attempts: 403 "
        "`account_locked`. A token dies unused for "
        f"{settings.TONGBAN_TOKEN_IDLE_MINUTES} minutes, {settings.TONGBAN_TOKEN_MAX_HOURS} "
        "hours after it was issued, and when its user's password or role changes. Staff "
        "with an authenticator also send its current code as `otp` (a wrong or missing code "
        "counts as a failed attempt); staff whose password expired, or who must enrol an "
        "authenticator first, get 403 `password_expired` or `totp_enrolment_required` and do "
        "that on the desk's sign-in page.",
        request=schemas.TokenRequestSerializer,
        responses={200: schemas.TokenSerializer, **_errors(400, 401, 403, 413, 415)},
        tags=["auth"],
    )
    def post(self, request):
        data = _parse(schemas.TokenRequestSerializer, request.data)
        username, ip = data["username"], client_ip(request)
        user = sign_in(username=username, ip=ip, face="api", check=lambda: sign_in_check(
            authenticate(request._request, username=username, password=data["password"]),
            data.get("otp", "")))  # fmt: skip
        sign_in_blocked(user)
        with transaction.atomic():
            token = ApiToken.issue(user)
            record(event="auth.token_issued", user=user, ip=ip, face="api")
        return Response({"token": token})

    @extend_schema(
        operation_id="auth_token_destroy",
        summary="Sign out: the bearer token of this request stops working",
        description="At once, on every server.",
        request=None,
        responses={204: None, **_errors(401)},
        tags=["auth"],
    )
    def delete(self, request):
        key = bearer_key(request)
        if not key:
            raise InvalidToken(_("请在 Authorization 头中提供要注销的令牌（Bearer <token>）"),
                               code="not_authenticated")  # fmt: skip
        if not token_revoke(key, ip=client_ip(request)):
            raise InvalidToken(_("令牌无效或已注销"))
        return Response(status=204)


# --- Public catalogue ----------------------------------------------------------------------


class OfficeListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="offices_list",
        summary="Offices: the city bureau, its county offices and the partner regions",
        parameters=[schemas.PageQuerySerializer],
        responses={200: schemas.OfficeListSerializer, **_errors(400, 401)},
        tags=["catalog"],
    )
    def get(self, request):
        query = _query(request, schemas.PageQuerySerializer)
        qs = Office.objects.select_related("parent").order_by("code")
        rows, count, next_url = shapes.paginate(request, qs, query.get("page", 1))
        return Response(shapes.page([shapes.office_data(o) for o in rows], count, next_url))


class ItemListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="items_list",
        summary="Active service items, each as its version in force describes it",
        parameters=[schemas.PageQuerySerializer],
        responses={200: schemas.ItemListSerializer, **_errors(400, 401)},
        tags=["catalog"],
    )
    def get(self, request):
        query = _query(request, schemas.PageQuerySerializer)
        items, count, next_url = shapes.paginate(request, items_active(), query.get("page", 1))
        versions = versions_by_pk(i.current_version_id for i in items)
        results = []
        for item in items:
            version = versions[item.current_version_id]
            version.item = item
            results.append(shapes.item_data(version))
        return Response(shapes.page(results, count, next_url))


class ItemDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="items_retrieve",
        summary="One item's guide",
        description="404 `unknown_item` for an unknown code; a suspended or retired item is not "
        "open for applications and answers 404 `item_suspended` or `item_retired`, with the "
        "reason in the message.",
        parameters=[OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH)],
        responses={200: schemas.ItemSerializer, **_errors(401, 404)},
        tags=["catalog"],
    )
    def get(self, request, code):
        try:
            version = item_version_current(code=code)
        except InvalidInput as e:
            message = e.message
            if e.code != "unknown_item":
                reason = ServiceItem.objects.filter(code=code).values_list("status_reason", flat=True).first()  # fmt: skip
                message = f"{message}: {reason}" if reason else message
            raise NotFound(message, code=e.code) from None
        return Response(shapes.item_data(version))


class AgreementListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="agreements_list",
        summary="Cross-region handling agreements (跨区通办)",
        parameters=[schemas.PageQuerySerializer],
        responses={200: schemas.AgreementListSerializer, **_errors(400, 401)},
        tags=["catalog"],
    )
    def get(self, request):
        query = _query(request, schemas.PageQuerySerializer)
        qs = (
            Agreement.objects.select_related("partner", "office")
            .prefetch_related(Prefetch("items", ServiceItem.objects.order_by("code")))
            .order_by("partner__code", "valid_from", "pk")
        )
        rows, count, next_url = shapes.paginate(request, qs, query.get("page", 1))
        return Response(shapes.page([shapes.agreement_data(a) for a in rows], count, next_url))


class BundleListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="bundles_list",
        summary="One-form bundles of items (一件事一次办)",
        parameters=[schemas.PageQuerySerializer],
        responses={200: schemas.BundleListSerializer, **_errors(400, 401)},
        tags=["catalog"],
    )
    def get(self, request):
        query = _query(request, schemas.PageQuerySerializer)
        qs = Bundle.objects.prefetch_related(
            Prefetch("items", ServiceItem.objects.order_by("code"))
        ).order_by("code")
        rows, count, next_url = shapes.paginate(request, qs, query.get("page", 1))
        return Response(shapes.page([shapes.bundle_data(b) for b in rows], count, next_url))


class AddWorkdaysView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="calendar_add_workdays",
        summary="The date `days` working days after `start`",
        parameters=[schemas.AddWorkdaysQuerySerializer],
        responses={200: schemas.AddWorkdaysSerializer, **_errors(400, 401)},
        tags=["calendar"],
    )
    def get(self, request):
        query = _query(request, schemas.AddWorkdaysQuerySerializer)
        due = workdays.add(query["start"], query["days"])
        return Response({"date": due.date.isoformat(), "provisional": due.provisional})


# --- Cases ---------------------------------------------------------------------------------


class CaseCollectionView(FastBearer, APIView):
    fast_methods = ("GET", "POST")

    @extend_schema(
        operation_id="cases_list",
        summary="Cases the user may see: work queues, filtered, newest first",
        parameters=[schemas.CaseListQuerySerializer],
        responses={200: schemas.CaseListSerializer, **_errors(400, 401)},
        tags=["cases"],
    )
    def get(self, request):
        query = _query(request, schemas.CaseListQuerySerializer)
        today = timezone.localdate()
        where, order = [], ("-submitted_at", "-pk")
        if "status" in query:
            where.append(Q(status=query["status"]))
        if "channel" in query:
            where.append(Q(channel=query["channel"]))
        if "office" in query:
            where.append(Q(handling_office=_office(query["office"], "office")))
        if "insured_region" in query:
            where.append(Q(insured_region=_office(query["insured_region"], "insured_region")))
        if "item" in query:
            item = ServiceItem.objects.filter(code=query["item"]).values_list("pk", flat=True)
            if not item:
                raise InvalidInput(_("事项 %(code)r 不存在") % {"code": query["item"]},
                                   code="unknown_item", field="item")  # fmt: skip
            where.append(Q(item_id=item[0]))
        if query.get("intake") is True:
            where.append(IN_INTAKE)
            order = ("submitted_at", "pk")  # first come, first served
        elif query.get("intake") is False:
            where.append(~IN_INTAKE)
        overdue = overdue_q(today)
        if query.get("overdue") is True:
            where.append(overdue)
            order = ("deadline", "pk")
        elif query.get("overdue") is False:
            where.append(~overdue)
        if q := query.get("q", "").strip():
            where.append(cases_search(q))
            if order[0] == "-submitted_at":
                order = search_order(q)
        conditions = visible_conditions(request.user)
        visible = cases_visible(request.user, conditions=conditions)
        if query.get("intake") is True and sees_intake(request.user):
            # Asked for the intake, which they see whole: without the OR of their office's
            # cases, the queue reads in order from case_queue_idx, whatever the statistics say
            # (with them, a good estimate once made PostgreSQL walk a million cases: 677 ms).
            visible = Case.objects.all()
        qs = (
            visible.filter(*where)
            .select_related("item", "applicant")
            .annotate(item_version_number=F("item_version__number"))
            .defer("form")  # not in the list shape
            .order_by(*order)
        )
        # The count leaves out the joins the rows need, and counts each part of what the user
        # may see apart: each then comes from one index. (With them, PostgreSQL read the rows:
        # 120-230 ms at a million cases, against 7-40 ms.)
        # Each part counts up to shapes.COUNT_CAP rows: the city-wide lists hold millions.
        parts = [
            part.filter(*where) for part in cases_visible_parts(request.user, conditions=conditions)
        ]
        counter = shapes.CappedCount(parts)
        rows, count, next_url = shapes.paginate(request, qs, query.get("page", 1), count=counter)
        offices = _office_codes(rows)
        agents = shapes.agent_names(rows)
        results = [shapes.case_summary(c, today, offices, agents) for c in rows]
        return Response(shapes.page(results, count, next_url, capped=counter.capped))

    @extend_schema(
        operation_id="cases_create",
        summary="Apply for an item",
        description="Applicants apply for themselves and leave `applicant` out; agents and "
        "window clerks give it. A retry with the same `Idempotency-Key` returns the first "
        "case (201 again, with the `Idempotent-Replayed` header).",
        parameters=[_IDEMPOTENCY_KEY, *_CREATED_HEADERS],
        request=schemas.CaseCreateSerializer,
        responses={201: schemas.CaseSerializer, **_errors(*_WRITE_ERRORS)},
        examples=[
            OpenApiExample("An applicant applies online", request_only=True,
                           value={"item": "YB01003", "channel": "web", "materials": ["M1"]}),
            OpenApiExample("A clerk takes an application at the window", request_only=True, value={
                "item": "YB01003", "channel": "window", "materials": ["M1"],
                "applicant": {"id_number": "371522198506150038", "name": "张三",
                              "phone": "13500000000", "insured_region": "371522"}}),
        ],
        tags=["cases"],
    )  # fmt: skip
    def post(self, request):
        data = _parse(schemas.CaseCreateSerializer, request.data)
        user = request.user
        case, created = case_submit(
            item=data["item"], applicant=data.get("applicant"), channel=data["channel"],
            submitted_by=user, office=_office_given(data), materials=data.get("materials"),
            form=data.get("form"), idempotency_key=request.headers.get("Idempotency-Key"),
            as_agent=data.get("as_agent", False), ip=client_ip(request),
        )  # fmt: skip
        headers = {"Location": reverse("api:case-detail", kwargs={"number": case.number})}
        if not created:  # the first case, read afresh with what the shape needs
            case = _case_queryset().get(pk=case.pk)
            headers["Idempotent-Replayed"] = "true"
        return Response(_case_bodies([case], user)[0], status=201, headers=headers)


class CaseDetailView(FastBearer, APIView):
    fast_methods = ("GET",)

    @extend_schema(
        operation_id="cases_retrieve",
        summary="One case with its history, deadline and the actions open to the user",
        parameters=[_NUMBER],
        responses={200: schemas.CaseSerializer, **_errors(401, 404)},
        tags=["cases"],
    )
    def get(self, request, number):
        case = case_for(request.user, number, history=True)
        return Response(_case_bodies([case], request.user)[0])


class CaseActionView(FastBearer, APIView):
    fast_methods = ("POST",)

    @extend_schema(
        operation_id="cases_act",
        summary="Act on a case",
        description="The actions and the arguments each takes: "
        + "; ".join(f"`{a}` ({', '.join(p) or 'none'})" for a, p in ACTION_PARAMS.items())
        + ". An argument the action does not take is 400 `unknown_field`. `version` makes the "
        "action conditional: 409 `stale_version` if the case moved.",
        parameters=[
            _NUMBER,
            OpenApiParameter(
                "action", OpenApiTypes.STR, OpenApiParameter.PATH, enum=schemas.ACTION_NAMES
            ),
        ],
        request=schemas.CaseActionSerializer,
        responses={200: schemas.CaseSerializer, **_errors(*_WRITE_ERRORS)},
        tags=["cases"],
    )
    def post(self, request, number, action):
        # Most actions come with no arguments: nothing to validate (0.4 ms saved an action).
        data = _parse(schemas.CaseActionSerializer, request.data) if request.data != {} else {}
        params = {k: v for k, v in data.items() if v is not None}
        expected_version = params.pop("version", None)
        case = case_act(number=number, action=action, actor=request.user,
                        expected_version=expected_version, ip=client_ip(request), **params)  # fmt: skip
        # The case as the service left it (its item, version and applicant loaded). The actor
        # may no longer see it (after a transfer), but they have just acted on it.
        return Response(_case_bodies([case], request.user)[0])


class CasePersonalDataView(APIView):
    @extend_schema(
        operation_id="cases_personal_data",
        summary="The applicant's full ID number and phone and the unmasked form (audited)",
        description="Case answers show the ID number, the phone and bank accounts masked. A "
        "member of staff who needs a full value (to pay into the account, to call back) reads "
        "them here; every read is an audit entry `personal_data.viewed` naming the case.",
        parameters=[_NUMBER],
        responses={200: schemas.PersonalDataSerializer, **_errors(401, 404)},
        tags=["cases"],
    )
    def get(self, request, number):
        case = case_for(request.user, number)
        return Response(case_personal_data(case=case, user=request.user, ip=client_ip(request)))


class CaseNoticeListView(APIView):
    @extend_schema(
        operation_id="cases_notices_list",
        summary="The notices issued on a case (受理, 不予受理, 补正, 办结通知书)",
        parameters=[_NUMBER],
        responses={200: schemas.NoticeListSerializer, **_errors(401, 404)},
        tags=["cases"],
    )
    def get(self, request, number):
        case = case_for(request.user, number)
        notices = [shapes.notice_data(n, case.number) for n in Notice.objects.filter(case=case)]
        return Response(shapes.page(notices, len(notices), None))


class NoticePdfView(APIView):
    """The URL the notice list gives for each notice. Signed in by token or by session: the
    desk and the portal link here too."""

    renderer_classes = [JSONRenderer]  # errors are JSON; the PDF itself is not a DRF response

    @extend_schema(
        operation_id="cases_notices_pdf",
        summary="A notice as PDF (受理/不予受理/补正材料/办结通知书)",
        parameters=[
            OpenApiParameter("number", OpenApiTypes.STR, OpenApiParameter.PATH,
                             description="the case number, e.g. 371500-20250307-000001"),
            OpenApiParameter("notice_id", OpenApiTypes.INT, OpenApiParameter.PATH,
                             description="`id` of a notice listed by /api/v1/cases/{number}/notices"),
        ],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="the PDF"),
            **_errors(401, 404),
        },
        tags=["cases"],
    )  # fmt: skip
    def get(self, request, number, notice_id):
        case = case_for(request.user, number)
        notice = case_notice(case, notice_id)
        if notice is None:
            raise NotFound(_("通知书 %(id)s 不存在") % {"id": notice_id}, code="notice_not_found")
        notice.case = case
        return private_download(notice_pdf_stored(notice), filename=notice_filename(notice),
                                content_type="application/pdf")  # fmt: skip


# --- Anything else under /api/v1/ ----------------------------------------------------------


class NotFoundView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(exclude=True)
    def get(self, request):
        raise NotFound(_("没有这个接口"), code="not_found")

    post = put = patch = delete = get
