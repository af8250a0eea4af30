from django.urls import path

from . import accounts, assistance, authorisations, bundles, projects, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("items/<str:code>/", views.item, name="item"),
    path("items/<str:code>/apply/", views.apply, name="apply"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("login/code/", accounts.code_login, name="code-login"),
    path("register/", accounts.register, name="register"),
    path("password/forgot/", accounts.forgot_password, name="forgot-password"),
    path("account/", accounts.account, name="account"),
    path("account/verify/", accounts.verify, name="verify"),
    path("account/data.json", accounts.my_data, name="my-data"),
    path("authorisations/", authorisations.authorisations, name="authorisations"),
    path("authorisations/<int:pk>/revoke/", authorisations.authorisation_revoke_view,
         name="authorisation-revoke"),  # fmt: skip
    path("agent-points/", assistance.agent_points, name="agent-points"),
    path("visits/", assistance.visits, name="visits"),
    path("visits/<int:pk>/cancel/", assistance.visit_cancel_view, name="visit-cancel"),
    path("projects/", projects.projects, name="projects"),
    path("projects/<int:pk>/", projects.project, name="project"),
    path("bundles/", bundles.bundles, name="bundles"),
    path("bundles/apply/<str:code>/", bundles.bundle_apply_view, name="bundle-apply"),
    path("bundles/<str:number>/", bundles.bundle_detail, name="bundle"),
    path("bundles/<str:number>/supplement/", bundles.bundle_supplement_view, name="bundle-supplement"),
    path("bundles/<str:number>/withdraw/", bundles.bundle_withdraw_view, name="bundle-withdraw"),
    path("lookup/", views.lookup, name="lookup"),
    path("lookup/rate/", views.lookup_rate, name="lookup-rate"),
    path("cases/", views.my_cases, name="my-cases"),
    path("cases/<str:number>/", views.case_detail, name="case"),
    path("cases/<str:number>/receipt/", views.receipt, name="receipt"),
    path("cases/<str:number>/supplement/", views.case_supplement, name="supplement"),
    path("cases/<str:number>/withdraw/", views.case_withdraw, name="withdraw"),
    path("cases/<str:number>/urge/", views.case_urge_view, name="urge"),
    path("cases/<str:number>/rate/", views.case_rate, name="rate"),
    path("cases/<str:number>/files/<int:pk>/", views.attachment_download, name="attachment"),
    path("cases/<str:number>/notices/<int:pk>.pdf", views.notice_download, name="notice"),
]
