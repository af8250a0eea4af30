from django.urls import path

from . import audit, authorisations, bundles, consultations, projects, security, views, visits

app_name = "desk"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("login/next/", security.sign_in_step, name="sign-in-step"),
    path("account/", security.security, name="security"),
    path("account/password/", security.password_change, name="password"),
    path("apply/", views.apply_pick, name="apply-pick"),
    path("applicants/lookup/", views.applicant_lookup, name="applicant-lookup"),
    path("apply/<str:code>/", views.apply, name="apply"),
    path("items/<str:code>/", views.item_guide, name="item"),
    path("bundles/", bundles.bundles, name="bundles"),
    path("bundles/apply/<str:code>/", bundles.bundle_apply_view, name="bundle-apply"),
    path("bundles/<str:number>/", bundles.bundle_detail, name="bundle"),
    path("bundles/<str:number>/<str:action>/", bundles.bundle_action, name="bundle-action"),
    path("cases/<str:number>/", views.case_detail, name="case-detail"),
    path("cases/<str:number>/personal/", views.case_personal, name="case-personal"),
    path("cases/<str:number>/groups/", views.case_groups, name="case-groups"),
    path("cases/<str:number>/<str:action>/", views.case_action, name="case-action"),
    path("consultations/", consultations.consultations, name="consultations"),
    path("consultations/mine/", consultations.my_consultations, name="my-consultations"),
    path("consultations/<int:pk>/hand-on/", consultations.hand_on, name="consultation-hand-on"),
    path("consultations/<int:pk>/close/", consultations.close, name="consultation-close"),
    path("policies/", consultations.policies, name="policies"),
    path("audit/", audit.audit_log, name="audit"),
    path("authorisations/", authorisations.authorisations, name="authorisations"),
    path("authorisations/<int:pk>/revoke/", authorisations.authorisation_revoke_view,
         name="authorisation-revoke"),  # fmt: skip
    path("visits/", visits.visits, name="visits"),
    path("visits/<int:pk>/<str:step>/", visits.visit_step, name="visit-step"),
    path("projects/", projects.projects, name="projects"),
    path("projects/mine/", projects.projects_mine, name="projects-mine"),
    path("projects/new/", projects.project_new, name="project-new"),
    path("projects/figures/", projects.project_figures, name="project-figures"),
    path("projects/<int:pk>/", projects.project, name="project"),
    path("projects/<int:pk>/approvals/", projects.project_approval_add, name="project-approvals"),
    path("projects/<int:pk>/approvals/<int:approval_pk>/", projects.project_approval_update,
         name="project-approval"),  # fmt: skip
    path("projects/<int:pk>/tasks/", projects.project_task_add, name="project-tasks"),
    path("projects/<int:pk>/tasks/<int:task_pk>/done/", projects.project_task_done,
         name="project-task-done"),  # fmt: skip
    path("projects/<int:pk>/members/", projects.project_member_add, name="project-members"),
    path("projects/<int:pk>/progress/", projects.project_progress_view, name="project-progress"),
    path("audit/export.csv", audit.audit_export, {"fmt": "csv"}, name="audit-export-csv"),
    path("audit/export.xlsx", audit.audit_export, {"fmt": "xlsx"}, name="audit-export-xlsx"),
]
