"""The 一件事 endpoints of the API (/api/v1/bundle-applications/{number}…): follow a bundle
application as one thing (its status, cases and notices), withdraw it, and, for the clerk who
holds it, accept it in one step or ask for one supplement for all its items; the applicant
hands the supplement in once. Rules and errors come from tongban.cases.services (bundle_*);
who sees a bundle from tongban.cases.access.bundle_for."""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from tongban.cases.access import bundle_for, bundles_visible
from tongban.cases.models import Case
from tongban.cases.notices import bundle_notice_filename, bundle_notice_pdf
from tongban.cases.services import (
    bundle_accept,
    bundle_apply,
    bundle_reject,
    bundle_request_supplement,
    bundle_supplement,
    bundle_withdraw,
)
from tongban.catalog.models import Bundle
from tongban.lib.errors import InvalidInput, NotFound
from tongban.lib.http import client_ip, private_download

from . import schemas, shapes
from .views import (
    _CREATED_HEADERS,
    _IDEMPOTENCY_KEY,
    _WRITE_ERRORS,
    _case_bodies,
    _case_queryset,
    _errors,
    _office_given,
    _parse,
)

_NUMBER = OpenApiParameter("number", OpenApiTypes.STR, OpenApiParameter.PATH,
                           description="bundle application number, e.g. B371500-20261203-000001")  # fmt: skip


def bundle_body(user, number: str) -> dict:
    application, cases = bundle_for(user, number)
    cases = list(_case_queryset().filter(bundle_application=application).order_by("item__code"))
    return shapes.bundle_application_data(application, cases, _case_bodies(cases, user),
                                          application.notices.all())  # fmt: skip


def bundle_list(request) -> dict:
    """One page of the bundle applications `request.user` follows, newest first."""
    query = schemas.validated(schemas.PageQuerySerializer, request.query_params.dict())
    qs = bundles_visible(request.user).select_related("bundle", "office").order_by("-submitted_at", "-pk")
    rows, count, next_url = shapes.paginate(request, qs, query.get("page", 1))
    cases: dict[int, list] = {a.pk: [] for a in rows}
    for case in (Case.objects.filter(bundle_application__in=rows)
                 .select_related("item", "item_version").order_by("item__code")):  # fmt: skip
        cases[case.bundle_application_id].append(case)
    return {"count": count, "next": next_url,
            "results": [shapes.bundle_application_summary(a, cases[a.pk]) for a in rows]}  # fmt: skip


class BundleApplicationCreateView(APIView):
    @extend_schema(
        operation_id="bundle_applications_list",
        summary="The bundle applications (一件事) one follows: an applicant's own, an agent's, "
        "those a clerk's office holds or the clerk submitted",
        parameters=[schemas.PageQuerySerializer],
        responses={200: schemas.BundleApplicationListSerializer, **_errors(400, 401)},
        tags=["cases"],
    )
    def get(self, request):
        return Response(bundle_list(request))

    @extend_schema(
        operation_id="bundle_applications_create",
        summary="Apply for every item of a bundle with one form: one linked case per item",
        parameters=[_IDEMPOTENCY_KEY, *_CREATED_HEADERS],
        request=schemas.BundleApplicationCreateSerializer,
        responses={201: schemas.BundleApplicationSerializer, **_errors(*_WRITE_ERRORS)},
        tags=["cases"],
    )
    def post(self, request):
        data = _parse(schemas.BundleApplicationCreateSerializer, request.data)
        user = request.user
        bundle = Bundle.objects.filter(code=data["bundle"]).first()
        if bundle is None:
            raise InvalidInput(_("套餐 %(code)r 不存在") % {"code": data["bundle"]},
                               code="unknown_bundle", field="bundle")  # fmt: skip
        try:
            application, created = bundle_apply(
                bundle=bundle, applicant=data.get("applicant"), channel=data["channel"],
                submitted_by=user, office=_office_given(data), materials=data.get("materials"),
                form=data.get("form"), idempotency_key=request.headers.get("Idempotency-Key"),
                ip=client_ip(request),
            )  # fmt: skip
        except InvalidInput as e:
            raise InvalidInput(e.message, code=e.code, field=_bundle_field(e.field)) from None
        cases = list(_case_queryset().filter(bundle_application=application).order_by("item__code"))
        body = shapes.bundle_application_data(application, cases, _case_bodies(cases, user),
                                              application.notices.all())  # fmt: skip
        headers = {}
        if cases:
            headers["Location"] = reverse("api:case-detail", kwargs={"number": cases[0].number})
        if not created:
            headers["Idempotent-Replayed"] = "true"
        return Response(body, status=201, headers=headers)


def _bundle_field(field: str | None) -> str | None:
    """bundle_apply names a field of one item's case "<item>.<field>"; say it the way the
    request body does: the one `form.<name>`, the one `materials`."""
    if not field or "." not in field or field.startswith("form."):
        return field
    _item, _, rest = field.partition(".")
    if rest == "item":
        return "bundle"
    return rest  # materials, form.<name>, channel, applicant, office: the whole application's


class BundleApplicationView(APIView):
    @extend_schema(
        operation_id="bundle_applications_get",
        summary="A bundle application (一件事): its status, its cases and its notices",
        description="`status.state`: `finished` (every case finished), `withdrawn`, "
        "`awaiting_supplement` (some case waits for materials: `waiting` says which and what), "
        "`submitted` (some case waits for acceptance), `in_progress` (accepted, in review).",
        parameters=[_NUMBER],
        responses={200: schemas.BundleApplicationSerializer, **_errors(401, 404)},
        tags=["cases"],
    )
    def get(self, request, number):
        return Response(bundle_body(request.user, number))


def _action_schema(operation_id: str, summary: str, description: str, request):
    return extend_schema(operation_id=operation_id, summary=summary, description=description,
                         parameters=[_NUMBER], request=request,
                         responses={200: schemas.BundleApplicationSerializer, **_errors(*_WRITE_ERRORS)},
                         tags=["cases"])  # fmt: skip


class BundleWithdrawView(APIView):
    @_action_schema("bundle_applications_withdraw", "Withdraw a bundle: every case not finished",
                    "Finished cases stay as they are. 409 `transition_not_allowed` when every case "
                    "has finished.", schemas.BundleReasonSerializer)  # fmt: skip
    def post(self, request, number):
        data = _parse(schemas.BundleReasonSerializer, request.data)
        bundle_withdraw(number=number, actor=request.user, reason=data.get("reason") or "",
                        ip=client_ip(request))  # fmt: skip
        return Response(bundle_body(request.user, number))


class BundleAcceptView(APIView):
    @_action_schema("bundle_applications_accept", "Accept every case of a bundle in one step (clerks)",
                    "Each case by its own item's rules: an instant item with every material is "
                    "finished on the spot. If any item refuses (e.g. 400 `main_materials_missing`), "
                    "nothing is accepted and the message names every item at fault.",
                    schemas.BundleAcceptSerializer)  # fmt: skip
    def post(self, request, number):
        data = _parse(schemas.BundleAcceptSerializer, request.data)
        promised = data.get("promised_supplement_by")
        bundle_accept(number=number, actor=request.user, materials=data.get("materials"),
                      promised_supplement_by=promised.isoformat() if promised else None,
                      ip=client_ip(request))  # fmt: skip
        return Response(bundle_body(request.user, number))


class BundleRejectView(APIView):
    @_action_schema("bundle_applications_reject", "不予受理 a whole bundle (the clerk who holds it)",
                    "Every case waiting for acceptance is refused with the one reason, each with "
                    "its own item's 不予受理通知书; accepted cases go on. 400 `required` without a "
                    "reason; 409 `transition_not_allowed` when no case waits for acceptance.",
                    schemas.BundleReasonSerializer)  # fmt: skip
    def post(self, request, number):
        data = _parse(schemas.BundleReasonSerializer, request.data)
        bundle_reject(number=number, actor=request.user, reason=data.get("reason") or "",
                      ip=client_ip(request))  # fmt: skip
        return Response(bundle_body(request.user, number))


class BundleRequestSupplementView(APIView):
    @_action_schema("bundle_applications_request_supplement",
                    "One supplement notice for every missing material of every item (clerks)",
                    "Every case waiting for acceptance that lacks a material is asked for all it "
                    "lacks; one notice lists them, a shared material once. 409 `nothing_missing` "
                    "when no case lacks anything.", schemas.BundleReasonSerializer)  # fmt: skip
    def post(self, request, number):
        data = _parse(schemas.BundleReasonSerializer, request.data)
        bundle_request_supplement(number=number, actor=request.user,
                                  reason=data.get("reason") or "", ip=client_ip(request))  # fmt: skip
        return Response(bundle_body(request.user, number))


class BundleSupplementView(APIView):
    @_action_schema("bundle_applications_supplement", "Hand in the supplement once: every case resumes",
                    "`materials` are the bundle's codes. 400 `materials_still_missing` names what "
                    "the notice asked for and is still missing.", schemas.BundleSupplementSerializer)  # fmt: skip
    def post(self, request, number):
        data = _parse(schemas.BundleSupplementSerializer, request.data)
        bundle_supplement(number=number, actor=request.user, materials=data.get("materials"),
                          ip=client_ip(request))  # fmt: skip
        return Response(bundle_body(request.user, number))


class BundleNoticePdfView(APIView):
    renderer_classes = [JSONRenderer]  # errors are JSON; the PDF itself is not a DRF response

    @extend_schema(
        operation_id="bundle_applications_notice_pdf",
        summary="A bundle's notice as PDF (its receipt, its one supplement notice)",
        parameters=[_NUMBER, OpenApiParameter("notice_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="the PDF"),
            **_errors(401, 404),
        },
        tags=["cases"],
    )  # fmt: skip
    def get(self, request, number, notice_id):
        application, _cases = bundle_for(request.user, number)
        notice = application.notices.filter(pk=notice_id).first()
        if notice is None:
            raise NotFound(_("通知书 %(id)s 不存在") % {"id": notice_id}, code="notice_not_found")
        return private_download(bundle_notice_pdf(notice), filename=bundle_notice_filename(notice),
                                content_type="application/pdf")  # fmt: skip
