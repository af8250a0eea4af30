"""The supervisors' figures pages under /desk/stats/: the dashboard with its drill-down
(city → office → item → the cases behind a number), the Excel export of its tables, and the
catalog's compression. Every number comes from tongban.stats.selectors, like the API's."""

from calendar import monthrange
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from tongban.audit.services import record
from tongban.cases.models import HomeVisit
from tongban.catalog.models import Channel, ServiceItem
from tongban.lib.errors import InvalidInput
from tongban.lib.http import client_ip
from tongban.lib.paging import page_number, page_rows
from tongban.lib.replica import reads_from_replica
from tongban.offices.models import Office
from tongban.offices.selectors import offices_handling
from tongban.people.models import Applicant
from tongban.stats import access
from tongban.stats.selectors import (
    BREAKDOWNS,
    CASE_FIGURES,
    FIGURES,
    PRESETS,
    RATES,
    UNASSIGNED,
    Figures,
    amount_figures,
    assistance_for,
    compression_from_params,
    filters_codes,
    filters_parse,
    period_parse,
    without_jit,
)

from ..templatetags.stats_tags import figure_text
from . import export

CASE_LIST_FIELDS = ("number", "item__name", "channel", "status", "result", "handling_office__name",
                    "insured_region__name", "submitted_at", "deadline", "completed_at")  # fmt: skip
# The tables of a dashboard page, in order; a dimension already filtered on is left out.
TABLE_ORDER = ("office", "item", "month", "channel", "insured_region", "applicant_kind")
KPIS = (
    "received",
    "completed",
    "online_rate",
    "on_time_rate",
    "overdue_open",
    "avg_handling_workdays",
    "tongban_share",
    "satisfaction",
    "instant_rate",
    "no_visit_rate",
    "in_progress",
    "bad_ratings_open",
)


def _figures(request) -> Figures:
    """The Figures the page's parameters ask for. Bad parameters are reported and dropped
    (the page shows this year instead), a county supervisor sees their own office only."""
    scope = access.figures_scope(request.user)  # Forbidden is a 403
    params = request.GET
    try:
        period = period_parse(params.get("from"), params.get("to"), preset=params.get("preset"))
    except InvalidInput as e:
        messages.error(request, e.message)
        period = period_parse(None, None)
    try:
        filters = filters_parse(params, scope=scope)
    except InvalidInput as e:
        messages.error(request, e.message)
        filters = filters_parse({}, scope=scope)
    return Figures(period, filters=filters)


def _query(figures: Figures, codes: dict | None = None, **changes) -> str:
    """The query string of `figures` with `changes` (None drops a parameter); `codes` are its
    filters_codes() when the caller has them already."""
    params = {
        "from": figures.period.start.isoformat(),
        "to": figures.period.end.isoformat(),
        **(filters_codes(figures.filters) if codes is None else codes),
    }
    for k, v in changes.items():
        if v is None:
            params.pop(k, None)
        else:
            params[k] = v
    return urlencode(params)


def _group_query(figures: Figures, by: str, key: str) -> dict:
    """The parameters that narrow `figures` to one row of its `by` table."""
    if by == "month":
        year, month = map(int, key.split("-"))
        first = max(figures.period.start, date(year, month, 1))
        last = min(figures.period.end, date(year, month, monthrange(year, month)[1]))
        return {"from": first.isoformat(), "to": last.isoformat()}
    return {by: key}


def dashboard_tables(figures: Figures) -> list[dict]:
    """The breakdown tables of a page: one per dimension not filtered on, plus the months."""
    given = figures.filters.given()
    return [
        {"by": by, "title": BREAKDOWNS[by], "rows": figures.breakdown(by)}
        for by in TABLE_ORDER
        if by not in given
    ]


def _filter_names(codes: dict) -> dict:
    """{dimension: what people call the chosen value}: an office's or item's name, not its
    code (the drill-down's heading, the export's summary sheet)."""
    names = {}
    for dim, code in codes.items():
        if dim in ("office", "insured_region"):
            office = Office.objects.filter(code=code).first()
            names[dim] = (
                _("未分配（全市受理池）")
                if code == UNASSIGNED
                else (office.name if office else code)
            )
        elif dim == "item":
            item = ServiceItem.objects.filter(code=code).first()
            names[dim] = item.name if item else code
        elif dim == "channel" and code in Channel.values:
            names[dim] = Channel(code).label
        elif dim == "applicant_kind" and code in Applicant.Kind.values:
            names[dim] = Applicant.Kind(code).label
        else:
            names[dim] = code
    return names


def _crumbs(figures: Figures, scope) -> list[tuple[str, str | None]]:
    codes = filters_codes(figures.filters)
    crumbs = []
    if scope is None:
        crumbs.append((_("全市"), "?" + _query(figures, office=None, item=None)))
    if "office" in codes:
        office = (
            _("未分配（全市受理池）")
            if codes["office"] == UNASSIGNED
            else Office.objects.get(code=codes["office"]).name
        )
        crumbs.append((office, "?" + _query(figures, item=None)))
    if "item" in codes:
        crumbs.append((ServiceItem.objects.get(code=codes["item"]).name, None))
    if crumbs:
        crumbs[-1] = (crumbs[-1][0], None)
    return crumbs


def _chart_data(figures: Figures, summary: dict, tables: list[dict]) -> dict:
    tables_by = {t["by"]: t["rows"] for t in tables}
    # The series' names, in the reader's language (dashboard.js draws them as they come).
    data = {"names": {
        "received": str(FIGURES["received"]), "completed": str(FIGURES["completed"]),
        "on_time": f"{FIGURES['on_time_rate']} %", "tongban": f"{FIGURES['tongban_share']} %",
    }}  # fmt: skip
    if "month" in tables_by:
        rows = tables_by["month"]
        one_year = len({r["key"][:4] for r in rows}) == 1
        data["months"] = {
            "labels": [
                _("%(month)s月") % {"month": int(r["key"][5:])} if one_year else r["key"][2:]
                for r in rows
            ],
            "received": [r["received"] for r in rows],
            "completed": [r["completed"] for r in rows],
            "on_time": [round((r["on_time_rate"] or 0) * 100, 1) for r in rows],
            "online": [round((r["online_rate"] or 0) * 100, 1) for r in rows],
        }
    if "channel" in tables_by:
        rows = tables_by["channel"]
        total = sum(r["received"] for r in rows) or 1
        data["channels"] = {
            "labels": [r["label"] for r in rows],
            "received": [r["received"] for r in rows],
            "shares": [(r["label"], r["received"] / total) for r in rows],
        }
    for by in ("office", "item"):
        if by in tables_by:
            rows = tables_by[by][:12]
            data["groups"] = {
                "title": BREAKDOWNS[by],
                "labels": [r["label"].removesuffix("医疗保障局") for r in rows],
                "received": [r["received"] for r in rows],
                "completed": [r["completed"] for r in rows],
                "on_time": [round((r["on_time_rate"] or 0) * 100, 1) for r in rows],
                "tongban": [round((r["tongban_share"] or 0) * 100, 1) for r in rows],
            }
            break
    return data


def _choices(scope) -> dict:
    offices = offices_handling()
    return {
        "offices": [] if scope is not None else list(offices),
        "regions": list(
            Office.objects.filter(level__in=["city", "county"]).order_by("external", "code")
        ),
        "items": list(ServiceItem.objects.order_by("code")),
        "channels": Channel.choices,
        "kinds": Applicant.Kind.choices,
        "presets": PRESETS.items(),
    }


@login_required
@reads_from_replica
@without_jit()
def dashboard(request):
    scope = access.figures_scope(request.user)  # Forbidden is a 403
    figures = _figures(request)
    summary = figures.summary()
    tables = dashboard_tables(figures)
    codes = filters_codes(figures.filters)
    crumbs = _crumbs(figures, scope)
    linked = set(CASE_FIGURES)
    for table in tables:
        for row in table["rows"]:
            row["query"] = _query(figures, codes, **_group_query(figures, table["by"], row["key"]))
            # Formatted here, not cell by cell in the template: a city page has ~1,700 cells.
            row["cells"] = [
                (figure_text(name, row[name]), name if name in linked and row[name] else None)
                for name in FIGURES
            ]
            drill = table["by"] in ("office", "item") and row["key"] != UNASSIGNED
            row["drill"] = drill
    office = figures.filters.office
    return render(request, "stats/dashboard.html", {
        "figures": figures,
        # 报销 and 待遇支付: money claimed and approved, by office, item and month
        "amounts": amount_figures(figures.period, office=Office.objects.get(pk=office) if office else None),
        "scope": scope,
        "summary": summary,
        "kpis": [(k, FIGURES[k], summary[k]) for k in KPIS],
        "columns": list(FIGURES.items()),
        "rates": RATES,
        "case_figures": set(CASE_FIGURES),
        "tables": tables,
        "charts": _chart_data(figures, summary, tables),
        "query": _query(figures),
        "crumbs": crumbs,
        "title": " · ".join(label for label, _url in crumbs[1 if scope is None else 0 :]),
        "codes": codes,
        "choices": _choices(scope),
        "preset": request.GET.get("preset", ""),
        "cases_url": reverse("stats:cases"),
    })  # fmt: skip


@login_required
@reads_from_replica
@without_jit()
def dashboard_export(request):
    figures = _figures(request)
    summary = figures.summary()
    tables = dashboard_tables(figures)
    names = _filter_names(filters_codes(figures.filters))
    content = export.figures_workbook(figures, summary, tables, filter_names=names)
    name = f"tongban-stats-{figures.period.start:%Y%m%d}-{figures.period.end:%Y%m%d}.xlsx"
    record(event="figures.exported", user=request.user, ip=client_ip(request), target=name)
    return _xlsx(content, name)


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


PAGE_SIZE = 50


@login_required
@reads_from_replica
@without_jit()
def cases(request):
    """The cases behind one number of the dashboard, newest first. The number in the heading
    is the figure itself; the pages are read live, without counting them again (a count of a
    city's year is half a second)."""
    figures = _figures(request)
    figure = request.GET.get("figure") or "received"
    if figure not in CASE_FIGURES:
        messages.error(request, _("没有可列出办件的指标 %(figure)r") % {"figure": figure[:40]})
        figure = "received"
    page = page_number(request.GET.get("page"))
    rows, has_next = page_rows(figures.cases(figure).only(*CASE_LIST_FIELDS), page, PAGE_SIZE)
    return render(request, "stats/cases.html", {
        "figures": figures,
        "figure": figure,
        "figure_label": FIGURES.get(figure) or figure,
        "total": figures.summary()[figure],
        "cases": rows,
        "page": page,
        "has_next": has_next,
        "query": _query(figures),
        "page_query": _query(figures, figure=figure),
        "filters_shown": [
            (export.FILTER_LABELS[dim], name)
            for dim, name in _filter_names(filters_codes(figures.filters)).items()
        ],
    })  # fmt: skip


def _compression(request) -> dict | None:
    if not access.compression_allowed(request.user):
        raise PermissionDenied(_("只有科长/监察和事项管理员可以查看事项压缩情况"))
    try:
        return compression_from_params(request.GET)
    except InvalidInput as e:
        messages.error(request, e.message)
        return compression_from_params({})


@login_required
@reads_from_replica
def compression(request):
    data = _compression(request)
    return render(request, "stats/compression.html", {
        "data": data,
        "query": urlencode({k: v for k, v in request.GET.items() if k in ("baseline", "baseline_version", "on")}),
    })  # fmt: skip


@login_required
@reads_from_replica
def compression_export(request):
    data = _compression(request)
    name = f"tongban-compression-{data['on']}.xlsx"
    record(event="figures.exported", user=request.user, ip=client_ip(request), target=name)
    return _xlsx(export.compression_workbook(data), name)


@login_required
@reads_from_replica
def assistance(request):
    """帮办代办's figures: cases and home visits by agent point and by agent
    (stats.selectors.assistance_for; bad parameters are reported, this year shown instead)."""
    try:
        data = assistance_for(request.user, request.GET)
    except InvalidInput as e:
        messages.error(request, e.message)
        data = assistance_for(request.user, {})
    return render(request, "stats/assistance.html", {
        "data": data, "statuses": HomeVisit.Status.choices,
        "choices": _choices(access.figures_scope(request.user)),
        "preset": request.GET.get("preset", ""),
    })  # fmt: skip
