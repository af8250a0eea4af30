"""Every route of the API, /api/v1/ and the schema beside it, in one place (tongban/urls.py
includes it once)."""

from django.urls import path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import (
    assistance,
    authorisations,
    bundles,
    consultations,
    evaluations,
    projects,
    stats,
    views,
)


class KeyConverter:
    """A case number, item code or action name: no slash and no control character (PostgreSQL
    refuses NUL in a query; such a path is 404 here, never a 500)."""

    regex = r"[^/\x00-\x1f\x7f]{1,100}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(KeyConverter, "key")

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("v1/auth/token", views.TokenView.as_view(), name="token"),
    path("v1/offices", views.OfficeListView.as_view(), name="office-list"),
    path("v1/items", views.ItemListView.as_view(), name="item-list"),
    path("v1/items/<key:code>", views.ItemDetailView.as_view(), name="item-detail"),
    path("v1/cases", views.CaseCollectionView.as_view(), name="case-list"),
    path("v1/cases/<key:number>", views.CaseDetailView.as_view(), name="case-detail"),
    path(
        "v1/cases/<key:number>/actions/<key:action>",
        views.CaseActionView.as_view(),
        name="case-action",
    ),
    path("v1/cases/<key:number>/notices", views.CaseNoticeListView.as_view(), name="case-notices"),
    path(
        "v1/cases/<key:number>/personal-data",
        views.CasePersonalDataView.as_view(),
        name="case-personal-data",
    ),
    path(
        "v1/cases/<key:number>/notices/<int:notice_id>.pdf",
        views.NoticePdfView.as_view(),
        name="notice-pdf",
    ),
    path(
        "v1/cases/<key:number>/evaluation",
        evaluations.CaseEvaluationView.as_view(),
        name="case-evaluation",
    ),
    path(
        "v1/rectifications",
        evaluations.RectificationListView.as_view(),
        name="rectification-list",
    ),
    path(
        "v1/consultations", consultations.ConsultationListView.as_view(), name="consultation-list"
    ),
    path(
        "v1/consultations/<int:id>/hand-on",
        consultations.ConsultationHandOnView.as_view(),
        name="consultation-hand-on",
    ),
    path(
        "v1/consultations/<int:id>/close",
        consultations.ConsultationCloseView.as_view(),
        name="consultation-close",
    ),
    path("v1/agent-points", assistance.AgentPointListView.as_view(), name="agent-point-list"),
    path("v1/home-visits", assistance.VisitListView.as_view(), name="visit-list"),
    path("v1/home-visits/<int:id>", assistance.VisitDetailView.as_view(), name="visit-detail"),
    path("v1/home-visits/<int:id>/assign", assistance.VisitAssignView.as_view(), name="visit-assign"),
    path("v1/home-visits/<int:id>/close", assistance.VisitCloseView.as_view(), name="visit-close"),
    path("v1/home-visits/<int:id>/cancel", assistance.VisitCancelView.as_view(), name="visit-cancel"),
    path("v1/applicants/contact-code", assistance.ContactCodeView.as_view(), name="contact-code"),
    path("v1/applicants/groups", assistance.GroupsView.as_view(), name="applicant-groups"),
    path(
        "v1/authorisations", authorisations.AuthorisationListView.as_view(), name="authorisation-list"
    ),
    path(
        "v1/authorisations/<int:id>/revoke",
        authorisations.AuthorisationRevokeView.as_view(),
        name="authorisation-revoke",
    ),
    path("v1/projects", projects.ProjectListView.as_view(), name="project-list"),
    path("v1/projects/figures", projects.ProjectFiguresView.as_view(), name="project-figures"),
    path("v1/projects/<int:id>", projects.ProjectDetailView.as_view(), name="project-detail"),
    path("v1/projects/<int:id>/progress", projects.ProjectProgressView.as_view(),
         name="project-progress"),
    path("v1/projects/<int:id>/members", projects.ProjectMemberView.as_view(),
         name="project-members"),
    path("v1/projects/<int:id>/members/<str:username>", projects.ProjectMemberRemoveView.as_view(),
         name="project-member"),
    path("v1/projects/<int:id>/tasks", projects.ProjectTaskView.as_view(), name="project-tasks"),
    path("v1/projects/<int:id>/tasks/<int:task_id>", projects.ProjectTaskItemView.as_view(),
         name="project-task"),
    path("v1/projects/<int:id>/tasks/<int:task_id>/done", projects.ProjectTaskDoneView.as_view(),
         name="project-task-done"),
    path("v1/projects/<int:id>/approvals", projects.ProjectApprovalListView.as_view(),
         name="project-approvals"),
    path("v1/projects/<int:id>/approvals/<int:approval_id>", projects.ProjectApprovalView.as_view(),
         name="project-approval"),
    path("v1/calendar/add-workdays", views.AddWorkdaysView.as_view(), name="add-workdays"),
    path("v1/agreements", views.AgreementListView.as_view(), name="agreement-list"),
    path("v1/bundles", views.BundleListView.as_view(), name="bundle-list"),
    path(
        "v1/bundle-applications",
        bundles.BundleApplicationCreateView.as_view(),
        name="bundle-application-create",
    ),
    path("v1/bundle-applications/<key:number>", bundles.BundleApplicationView.as_view(),
         name="bundle-application-detail"),
    path("v1/bundle-applications/<key:number>/withdraw", bundles.BundleWithdrawView.as_view(),
         name="bundle-application-withdraw"),
    path("v1/bundle-applications/<key:number>/reject", bundles.BundleRejectView.as_view(),
         name="bundle-application-reject"),
    path("v1/bundle-applications/<key:number>/accept", bundles.BundleAcceptView.as_view(),
         name="bundle-application-accept"),
    path("v1/bundle-applications/<key:number>/request-supplement",
         bundles.BundleRequestSupplementView.as_view(), name="bundle-application-request-supplement"),
    path("v1/bundle-applications/<key:number>/supplement", bundles.BundleSupplementView.as_view(),
         name="bundle-application-supplement"),
    path("v1/bundle-applications/<key:number>/notices/<int:notice_id>",
         bundles.BundleNoticePdfView.as_view(), name="bundle-notice-pdf"),
    path("v1/stats/summary", stats.StatsSummaryView.as_view(), name="stats-summary"),
    path("v1/stats/breakdown", stats.StatsBreakdownView.as_view(), name="stats-breakdown"),
    path("v1/stats/assistance", stats.StatsAssistanceView.as_view(), name="stats-assistance"),
    path("v1/stats/bundles", stats.StatsBundlesView.as_view(), name="stats-bundles"),
    path("v1/stats/compression", stats.StatsCompressionView.as_view(), name="stats-compression"),
    # Anything else under v1/ answers with the JSON error body, not Django's HTML page: the
    # last route, so every other one is tried first.
    re_path(r"^v1/", views.NotFoundView.as_view(), name="not-found"),  # any path, "\n" too
]
