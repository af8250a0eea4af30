"""Who reaches what: every route of the URLconf against every role and an anonymous visitor,
with the status each gets (#12; a table as pretix's test_permissions.py has it). A route
without a row fails test_every_route_has_a_row, and a new role test_every_role_has_a_column.

The columns are the conftest cast and one administrator of each kind, whose admin rights
come with the role (people.roles.role_privileges_apply):

    anon   nobody signed in              carol  applicant (the cases' owner)
    erin   another applicant             dave   agent at 莘县 (371522)
    alice  clerk at 莘县                  bob    clerk at 临清 (371581), another office
    rita   reviewer at 莘县               sam    second reviewer at 莘县
    olga   supervisor at 莘县 (a county)  vera   supervisor at the city bureau (371500)
    cat    catalog administrator         sys    system administrator
    sec    security administrator        aud    auditor

The objects named in the paths: {case} carol's 门诊费用报销 accepted by alice, at rita's review
step, with a material {file} and its acceptance {notice}; {other} erin's case accepted by bob
(another office and another applicant); {intake} erin's online application nobody has taken;
{agents} dave's application for a person without an account; {done} carol's instant case,
finished and not rated; {rect}/{rect_there} the rectifications of bad ratings at 莘县/临清 (an
appeal filed on the first); {enquiry}/{other_enquiry} open enquiries of alice and of bob.

A cell is a status, or "302 <path>" for a redirect: DL, PL and AL are the desk's, the portal's
and the admin's sign-in pages, P the portal's home. A page sends an anonymous visitor to its
sign-in page; the API answers 401. Someone else's case or enquiry is 404, never 403. A POST
sends an empty body unless its row gives one; each request runs in a savepoint rolled back
after it, so what one cell does is undone before the next. The world is built once for the
module (about 300 requests share it) from conftest's helpers rather than its per-test fixtures.
"""

import json
import logging
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLResolver, get_resolver, resolve
from django.utils import timezone

from conftest import INSTANT_ITEM, _user, act, authorise, submit
from tongban.cases.attachments import attachment_add
from tongban.cases.notices import notice_pdf_stored
from tongban.cases.services import bundle_apply
from tongban.cases.visits import visit_assign, visit_request
from tongban.catalog.models import Agreement, Bundle, ServiceItem
from tongban.consultations.models import PolicyQA
from tongban.consultations.services import consultation_log
from tongban.evaluations.services import appeal_file, evaluation_submit
from tongban.lib.identifiers import synthetic_resident_id, synthetic_uscc
from tongban.offices.models import AgentPoint, Office
from tongban.ops.tasks import schedule_tick
from tongban.people.models import ApiToken, Applicant, Role, User
from tongban.people.roles import role_privileges_apply
from tongban.people.services import applicant_upsert
from tongban.portal.tests.samples import pdf_bytes
from tongban.projects.services import approval_add, project_create, task_add
from tongban.supervision.models import Notification, Warning

ROLES = ("anon", "carol", "erin", "dave", "alice", "bob", "rita", "sam", "olga", "vera",
         "cat", "sys", "sec", "aud")  # fmt: skip
ROLE_OF = {
    "carol": Role.APPLICANT, "erin": Role.APPLICANT, "dave": Role.AGENT, "alice": Role.CLERK,
    "bob": Role.CLERK, "rita": Role.REVIEWER, "sam": Role.SECOND_REVIEWER,
    "olga": Role.SUPERVISOR, "vera": Role.SUPERVISOR, "cat": Role.CATALOG_ADMIN,
    "sys": Role.SYSADMIN, "sec": Role.SECADMIN, "aud": Role.AUDITOR,
}  # fmt: skip
ADMINS = ("cat", "sys", "sec", "aud")

DL, PL, AL, P = "302 /desk/login/", "302 /login/", "302 /admin/login/", "302 /"
FRANK = {"id_number": synthetic_resident_id(region="371522", birth=date(1960, 1, 1)),
         "name": "Frank 张", "insured_region": "371522"}  # fmt: skip
WEB_APPLICATION = {
    "item": "YB07019", "channel": "web", "applicant": FRANK, "materials": ["M1", "M2", "M3", "M4"],
    "form": {"amount": "1280.50", "bank_account": "6222020200112233445"},
}  # fmt: skip
WINDOW_APPLICATION = {"item": INSTANT_ITEM, "channel": "window", "applicant": FRANK,
                      "materials": ["M1"]}  # fmt: skip


def row(name, method, path, *cells, data=None):
    assert len(cells) == len(ROLES), f"{name} {path}: {len(cells)} cells"
    return (name, method, path, dict(zip(ROLES, cells, strict=True)), data)


# fmt: off
ROWS = [
    # route, method, path                                                                            anon caro erin dave alic bob  rita sam  olga vera cat  sys  sec  aud
    # --- The API: public catalogue and contract (docs/api.md), then signed in by bearer token.
    row("api:schema", "GET", "/api/schema/",                                                         200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    row("api:docs", "GET", "/api/docs/",                                                             200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    row("api:token", "GET", "/api/v1/auth/token",                                                    405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    row("api:token", "POST", "/api/v1/auth/token",                                                   400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400),
    row("api:token", "DELETE", "/api/v1/auth/token",                                                 401, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204),
    row("api:office-list", "GET", "/api/v1/offices",                                                 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    row("api:item-list", "GET", "/api/v1/items",                                                     200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    row("api:item-detail", "GET", "/api/v1/items/YB07019",                                           200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    row("api:agreement-list", "GET", "/api/v1/agreements",                                           200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    row("api:bundle-list", "GET", "/api/v1/bundles",                                                 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    row("api:add-workdays", "GET", "/api/v1/calendar/add-workdays?start=2025-03-07&days=5",          200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    # Everyone signed in gets their own list (empty for those who see no case: test below).
    row("api:case-list", "GET", "/api/v1/cases",                                                     401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    # Who may apply depends on the channel the body names, so the body is read first (400);
    # with a valid body applicants and agents apply online, clerks at their window, no one else.
    row("api:case-list", "POST", "/api/v1/cases",                                                    401, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400),
    row("api:case-list", "POST", "/api/v1/cases",                                                    401, 400, 400, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, data=WEB_APPLICATION),
    row("api:case-list", "POST", "/api/v1/cases",                                                    401, 400, 400, 403, 201, 201, 403, 403, 403, 403, 403, 403, 403, 403, data=WINDOW_APPLICATION),
    row("api:bundle-application-create", "POST", "/api/v1/bundle-applications",                      401, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400),
    # --- 一件事 (#14): a bundle carol applied for at alice's window (莘县), its two cases waiting
    # for acceptance, 生育医疗费支付's main materials not handed in; its receipt {bnotice}.
    row("api:bundle-application-create", "GET", "/api/v1/bundle-applications",                       401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    row("api:bundle-application-detail", "GET", "/api/v1/bundle-applications/{bundle}",            401, 200, 404, 404, 200, 404, 200, 200, 200, 200, 404, 404, 404, 404),
    row("api:bundle-application-withdraw", "POST", "/api/v1/bundle-applications/{bundle}/withdraw", 401, 200, 404, 404, 200, 404, 403, 403, 403, 403, 404, 404, 404, 404),
    row("api:bundle-application-reject", "POST", "/api/v1/bundle-applications/{bundle}/reject",     401, 403, 404, 404, 200, 404, 403, 403, 403, 403, 404, 404, 404, 404, data={"reason": "不属于受理范围"}),
    row("api:bundle-application-accept", "POST", "/api/v1/bundle-applications/{bundle}/accept",     401, 403, 404, 404, 400, 404, 403, 403, 403, 403, 404, 404, 404, 404),
    row("api:bundle-application-request-supplement", "POST", "/api/v1/bundle-applications/{bundle}/request-supplement", 401, 403, 404, 404, 200, 404, 403, 403, 403, 403, 404, 404, 404, 404),
    row("api:bundle-application-supplement", "POST", "/api/v1/bundle-applications/{bundle}/supplement", 401, 409, 404, 404, 409, 404, 409, 409, 409, 409, 404, 404, 404, 404),
    row("api:bundle-notice-pdf", "GET", "/api/v1/bundle-applications/{bundle}/notices/{bnotice}",   401, 200, 404, 404, 200, 404, 200, 200, 200, 200, 404, 404, 404, 404),
    row("desk:bundles", "GET", "/desk/bundles/",                                                     DL, P, P, 200, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403),
    row("desk:bundle-apply", "GET", "/desk/bundles/apply/YBS002/",                                   DL, P, P, 403, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403),
    row("desk:bundle-apply", "POST", "/desk/bundles/apply/YBS002/",                                  DL, P, P, 403, 400, 400, 403, 403, 403, 403, 403, 403, 403, 403),
    row("desk:bundle", "GET", "/desk/bundles/{bundle}/",                                             DL, P, P, 404, 200, 404, 200, 200, 200, 200, 403, 403, 403, 403),
    row("desk:bundle-action", "GET", "/desk/bundles/{bundle}/withdraw/",                             405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    row("desk:bundle-action", "POST", "/desk/bundles/{bundle}/withdraw/",                            DL, P, P, 404, "302 /desk/bundles/{bundle}/", 404, "302 /desk/bundles/{bundle}/", "302 /desk/bundles/{bundle}/", "302 /desk/bundles/{bundle}/", "302 /desk/bundles/{bundle}/", 403, 403, 403, 403),
    row("portal:bundles", "GET", "/bundles/",                                                        200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    row("portal:bundle-apply", "GET", "/bundles/apply/YBS002/",                                      PL, 200, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    row("portal:bundle-apply", "POST", "/bundles/apply/YBS002/",                                     PL, 400, 400, 400, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    row("portal:bundle", "GET", "/bundles/{bundle}/",                                                PL, 200, 404, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    row("portal:bundle-supplement", "GET", "/bundles/{bundle}/supplement/",                          PL, 405, 405, 405, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    row("portal:bundle-supplement", "POST", "/bundles/{bundle}/supplement/",                         PL, 400, 404, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    row("portal:bundle-withdraw", "GET", "/bundles/{bundle}/withdraw/",                              PL, 405, 405, 405, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    row("portal:bundle-withdraw", "POST", "/bundles/{bundle}/withdraw/",                             PL, "302 /bundles/{bundle}/", 404, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    row("api:case-detail", "GET", "/api/v1/cases/{case}",                                            401, 200, 404, 404, 200, 404, 200, 200, 200, 200, 404, 404, 404, 404),
    row("api:case-detail", "GET", "/api/v1/cases/{other}",                                           401, 404, 200, 404, 404, 200, 404, 404, 404, 200, 404, 404, 404, 404),
    row("api:case-detail", "GET", "/api/v1/cases/{intake}",                                          401, 404, 200, 404, 200, 200, 404, 404, 200, 200, 404, 404, 404, 404),
    row("api:case-detail", "GET", "/api/v1/cases/{agents}",                                          401, 404, 404, 200, 200, 200, 404, 404, 200, 200, 404, 404, 404, 404),
    row("api:case-action", "POST", "/api/v1/cases/{case}/actions/approve",                           401, 403, 404, 404, 403, 404, 200, 403, 403, 403, 404, 404, 404, 404),
    row("api:case-action", "POST", "/api/v1/cases/{case}/actions/withdraw",                          401, 200, 404, 404, 200, 404, 403, 403, 403, 403, 404, 404, 404, 404),
    row("api:case-action", "POST", "/api/v1/cases/{case}/actions/transfer",                          401, 403, 404, 404, 400, 404, 403, 403, 400, 400, 404, 404, 404, 404),
    row("api:case-action", "POST", "/api/v1/cases/{intake}/actions/claim",                           401, 404, 403, 404, 200, 200, 404, 404, 403, 403, 404, 404, 404, 404),
    row("api:case-notices", "GET", "/api/v1/cases/{case}/notices",                                  401, 200, 404, 404, 200, 404, 200, 200, 200, 200, 404, 404, 404, 404),
    row("api:case-personal-data", "GET", "/api/v1/cases/{case}/personal-data",                    401, 200, 404, 404, 200, 404, 200, 200, 200, 200, 404, 404, 404, 404),
    # 跨区通办: a case's partner block as its notices; forwarding, the case first (404), then the
    # body (multipart only: 415); the partner platforms' endpoint knows no user: the signature decides (422 malformed).
    row("api:case-partner", "GET", "/api/v1/cases/{case}/partner",                                401, 200, 404, 404, 200, 404, 200, 200, 200, 200, 404, 404, 404, 404),
    row("api:case-forward", "POST", "/api/v1/cases/{case}/forward",                               401, 415, 404, 404, 415, 404, 415, 415, 415, 415, 404, 404, 404, 404),
    row("api:platform-messages", "POST", "/api/v1/platform/messages",                             422, 422, 422, 422, 422, 422, 422, 422, 422, 422, 422, 422, 422, 422),
    # 委托书: listed for their applicant, agent and the clerks of the office (others: none);
    # made by clerks and applicants (multipart only: a JSON body is 415), revoked by them.
    row("api:authorisation-list", "GET", "/api/v1/authorisations",                                401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    row("api:authorisation-list", "POST", "/api/v1/authorisations",                               401, 415, 415, 403, 415, 415, 403, 403, 403, 403, 403, 403, 403, 403),
    row("api:authorisation-revoke", "POST", "/api/v1/authorisations/{auth}/revoke",                401, 200, 404, 404, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404),
    row("api:notice-pdf", "GET", "/api/v1/cases/{case}/notices/{notice}.pdf",                       401, 200, 404, 404, 200, 404, 200, 200, 200, 200, 404, 404, 404, 404),
    # The case first (404), then the body; the channel in the body decides who may rate.
    row("api:case-evaluation", "POST", "/api/v1/cases/{done}/evaluation",                            401, 400, 404, 404, 400, 404, 400, 400, 400, 400, 404, 404, 404, 404),
    row("api:case-evaluation", "POST", "/api/v1/cases/{done}/evaluation",                            401, 201, 404, 404, 403, 404, 403, 403, 403, 403, 404, 404, 404, 404, data={"score": 5}),
    row("api:rectification-list", "GET", "/api/v1/rectifications",                                  401, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    row("api:consultation-list", "GET", "/api/v1/consultations",                                    401, 403, 403, 403, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403),
    # The enquiry first (404), then the body, then who may: the owner or a supervisor hands on,
    # only the owner closes.
    row("api:consultation-hand-on", "POST", "/api/v1/consultations/{enquiry}/hand-on",             401, 404, 404, 404, 400, 404, 400, 400, 400, 400, 404, 404, 404, 404),
    row("api:consultation-hand-on", "POST", "/api/v1/consultations/{enquiry}/hand-on",             401, 404, 404, 404, 200, 404, 403, 403, 200, 200, 404, 404, 404, 404, data={"to": "bob", "note": "转临清"}),
    row("api:consultation-hand-on", "POST", "/api/v1/consultations/{other_enquiry}/hand-on",       401, 404, 404, 404, 404, 200, 404, 404, 404, 200, 404, 404, 404, 404, data={"to": "alice", "note": "转莘县"}),
    row("api:consultation-close", "POST", "/api/v1/consultations/{enquiry}/close",                  401, 404, 404, 404, 400, 404, 400, 400, 400, 400, 404, 404, 404, 404),
    row("api:consultation-close", "POST", "/api/v1/consultations/{enquiry}/close",                  401, 404, 404, 404, 200, 404, 403, 403, 403, 403, 404, 404, 404, 404, data={"reply": "已答复"}),
    row("api:stats-summary", "GET", "/api/v1/stats/summary",                                         401, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    row("api:stats-summary", "GET", "/api/v1/stats/summary?office=371581",                           401, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 403, 403),
    row("api:stats-breakdown", "GET", "/api/v1/stats/breakdown?by=office",                           401, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    row("api:stats-compression", "GET", "/api/v1/stats/compression",                                 401, 403, 403, 403, 403, 403, 403, 403, 200, 200, 200, 403, 403, 403),
    # 重点项目: {project} is in 莘县, registered by alice, followed by dave (its agent). The
    # county's clerk and supervisor, the city's supervisor and the agent see and change it;
    # figures are for staff; an empty body is 400 once the project is found.
    row("api:project-list", "GET", "/api/v1/projects",                                            401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    row("api:project-list", "POST", "/api/v1/projects",                                           401, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400),
    row("api:project-figures", "GET", "/api/v1/projects/figures",                                 401, 403, 403, 200, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403),
    row("api:project-detail", "GET", "/api/v1/projects/{project}",                                401, 404, 404, 200, 200, 404, 404, 404, 200, 200, 404, 404, 404, 404),
    row("api:project-progress", "POST", "/api/v1/projects/{project}/progress",                    401, 404, 404, 200, 200, 404, 404, 404, 200, 200, 404, 404, 404, 404),
    row("api:project-members", "POST", "/api/v1/projects/{project}/members",                      401, 404, 404, 400, 400, 404, 404, 404, 400, 400, 404, 404, 404, 404),
    row("api:project-tasks", "POST", "/api/v1/projects/{project}/tasks",                          401, 404, 404, 400, 400, 404, 404, 404, 400, 400, 404, 404, 404, 404),
    row("api:project-task-done", "POST", "/api/v1/projects/{project}/tasks/{ptask}/done",         401, 404, 404, 200, 200, 404, 404, 404, 200, 200, 404, 404, 404, 404),
    row("api:project-approvals", "POST", "/api/v1/projects/{project}/approvals",                  401, 404, 404, 400, 400, 404, 404, 404, 400, 400, 404, 404, 404, 404),
    row("api:project-approval", "POST", "/api/v1/projects/{project}/approvals/{papproval}",       401, 404, 404, 400, 400, 404, 404, 404, 400, 400, 404, 404, 404, 404),
    row("api:project-approval", "DELETE", "/api/v1/projects/{project}/approvals/{papproval}",     401, 404, 404, 204, 204, 404, 404, 404, 204, 204, 404, 404, 404, 404),
    row("api:project-task", "DELETE", "/api/v1/projects/{project}/tasks/{ptask}",                 401, 404, 404, 204, 204, 404, 404, 404, 204, 204, 404, 404, 404, 404),
    row("api:project-member", "DELETE", "/api/v1/projects/{project}/members/nobody",              401, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    row("api:not-found", "GET", "/api/v1/nothing",                                                   404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),

    # --- The desk (signed in by session): applicants are sent to the portal, administrators
    # (their work is in the admin) get 403, an agent sees only his own cases.
    row("desk:login", "GET", "/desk/login/",                                                         200, P, P, "302 /desk/", "302 /desk/", "302 /desk/", "302 /desk/", "302 /desk/", "302 /desk/", "302 /desk/", "302 /admin/", "302 /admin/", "302 /admin/", "302 /desk/audit/"),
    row("desk:login", "POST", "/desk/login/",                                                        200, P, P, "302 /desk/", "302 /desk/", "302 /desk/", "302 /desk/", "302 /desk/", "302 /desk/", "302 /desk/", "302 /admin/", "302 /admin/", "302 /admin/", "302 /desk/audit/"),
    row("desk:logout", "GET", "/desk/logout/",                                                       405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    row("desk:logout", "POST", "/desk/logout/",                                                      DL, DL, DL, DL, DL, DL, DL, DL, DL, DL, DL, DL, DL, DL),
    # The steps after the password (a code, a new password) belong to a pending sign-in;
    # without one, everybody is sent back to the sign-in page.
    row("desk:sign-in-step", "GET", "/desk/login/next/",                                             DL, DL, DL, DL, DL, DL, DL, DL, DL, DL, DL, DL, DL, DL),
    row("desk:sign-in-step", "POST", "/desk/login/next/",                                            DL, DL, DL, DL, DL, DL, DL, DL, DL, DL, DL, DL, DL, DL),
    # One's own password and authenticator: every account but an applicant's (the portal).
    row("desk:security", "GET", "/desk/account/",                                                    DL, P, P, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    row("desk:security", "POST", "/desk/account/",                                                   DL, P, P, 200, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400),
    row("desk:password", "GET", "/desk/account/password/",                                           DL, P, P, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    row("desk:password", "POST", "/desk/account/password/",                                          DL, P, P, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400),
    row("desk:home", "GET", "/desk/",                                                                DL, P, P, 200, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403),
    row("desk:applicant-lookup", "GET", f"/desk/applicants/lookup/?id_number={FRANK['id_number']}",  DL, P, P, 403, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403),
    row("desk:apply-pick", "GET", "/desk/apply/",                                                    DL, P, P, 200, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403),
    row("desk:apply", "GET", "/desk/apply/YB01003/",                                                 DL, P, P, 403, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403),
    row("desk:apply", "POST", "/desk/apply/YB01003/",                                                DL, P, P, 403, 400, 400, 403, 403, 403, 403, 403, 403, 403, 403),
    row("desk:item", "GET", "/desk/items/YB07019/",                                                  DL, P, P, 200, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403),
    row("desk:case-detail", "GET", "/desk/cases/{case}/",                                            DL, P, P, 404, 200, 404, 200, 200, 200, 200, 403, 403, 403, 403),
    row("desk:case-personal", "GET", "/desk/cases/{case}/personal/",                               405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    row("desk:case-personal", "POST", "/desk/cases/{case}/personal/",                              DL, P, P, 404, 200, 404, 200, 200, 200, 200, 403, 403, 403, 403),
    row("desk:authorisations", "GET", "/desk/authorisations/",                                     DL, P, P, 200, 200, 200, 404, 404, 404, 404, 403, 403, 403, 403),
    row("desk:authorisations", "POST", "/desk/authorisations/",                                    DL, P, P, 200, 400, 400, 404, 404, 404, 404, 403, 403, 403, 403),
    row("desk:authorisation-revoke", "GET", "/desk/authorisations/{auth}/revoke/",                 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    row("desk:authorisation-revoke", "POST", "/desk/authorisations/{auth}/revoke/",                DL, P, P, 404, "302 /desk/authorisations/", "302 /desk/authorisations/", 404, 404, 404, 404, 403, 403, 403, 403),
    row("desk:case-detail", "GET", "/desk/cases/{other}/",                                           DL, P, P, 404, 404, 200, 404, 404, 404, 200, 403, 403, 403, 403),
    row("desk:case-detail", "GET", "/desk/cases/{intake}/",                                          DL, P, P, 404, 200, 200, 404, 404, 200, 200, 403, 403, 403, 403),
    row("desk:case-detail", "GET", "/desk/cases/{agents}/",                                          DL, P, P, 200, 200, 200, 404, 404, 200, 200, 403, 403, 403, 403),
    row("desk:case-action", "GET", "/desk/cases/{case}/approve/",                                    405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    # A refused action shows the case page again with the reason (400), as a refused input does.
    row("desk:case-action", "POST", "/desk/cases/{case}/approve/",                                   DL, P, P, 404, 400, 404, "302 /desk/cases/{case}/", 400, 400, 400, 403, 403, 403, 403),
    row("desk:case-action", "POST", "/desk/cases/{case}/transfer/",                                  DL, P, P, 404, "302 /desk/cases/{case}/", 404, 400, 400, "302 /desk/cases/{case}/", "302 /desk/cases/{case}/", 403, 403, 403, 403, data={"office": "371581", "reason": "在临清就医"}),
    # 重点项目 on the desk: lists for everyone with a desk role; registering for a county's
    # clerks and supervisors and the city's supervisors; {project} as in the API; a change
    # from the board comes back to it (with the service's message when refused).
    row("desk:projects", "GET", "/desk/projects/",                                                 DL, P, P, 200, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403),
    row("desk:projects-mine", "GET", "/desk/projects/mine/",                                       DL, P, P, 200, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403),
    row("desk:project-new", "GET", "/desk/projects/new/",                                          DL, P, P, 403, 200, 200, 403, 403, 200, 200, 403, 403, 403, 403),
    row("desk:project-new", "POST", "/desk/projects/new/",                                         DL, P, P, 403, 400, 400, 403, 403, 400, 400, 403, 403, 403, 403),
    row("desk:project-figures", "GET", "/desk/projects/figures/",                                  DL, P, P, 200, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403),
    row("desk:project", "GET", "/desk/projects/{project}/",                                       DL, P, P, 200, 200, 404, 404, 404, 200, 200, 403, 403, 403, 403),
    row("desk:project-approvals", "POST", "/desk/projects/{project}/approvals/",                  DL, P, P, "302 /desk/projects/{project}/", "302 /desk/projects/{project}/", 404, 404, 404, "302 /desk/projects/{project}/", "302 /desk/projects/{project}/", 403, 403, 403, 403),
    row("desk:project-approval", "POST", "/desk/projects/{project}/approvals/{papproval}/",      DL, P, P, "302 /desk/projects/{project}/", "302 /desk/projects/{project}/", 404, 404, 404, "302 /desk/projects/{project}/", "302 /desk/projects/{project}/", 403, 403, 403, 403),
    row("desk:project-tasks", "POST", "/desk/projects/{project}/tasks/",                          DL, P, P, "302 /desk/projects/{project}/", "302 /desk/projects/{project}/", 404, 404, 404, "302 /desk/projects/{project}/", "302 /desk/projects/{project}/", 403, 403, 403, 403),
    row("desk:project-task-done", "POST", "/desk/projects/{project}/tasks/{ptask}/done/",        DL, P, P, "302 /desk/projects/{project}/", "302 /desk/projects/{project}/", 404, 404, 404, "302 /desk/projects/{project}/", "302 /desk/projects/{project}/", 403, 403, 403, 403),
    row("desk:project-members", "POST", "/desk/projects/{project}/members/",                      DL, P, P, "302 /desk/projects/{project}/", "302 /desk/projects/{project}/", 404, 404, 404, "302 /desk/projects/{project}/", "302 /desk/projects/{project}/", 403, 403, 403, 403),
    # (no user named: the member is not found, as on the API)
    row("desk:project-member-remove", "POST", "/desk/projects/{project}/members/remove/",         DL, P, P, 404, 404, 404, 404, 404, 404, 404, 403, 403, 403, 403),
    row("desk:project-task-remove", "POST", "/desk/projects/{project}/tasks/{ptask}/remove/",    DL, P, P, "302 /desk/projects/{project}/", "302 /desk/projects/{project}/", 404, 404, 404, "302 /desk/projects/{project}/", "302 /desk/projects/{project}/", 403, 403, 403, 403),
    row("desk:project-approval-remove", "POST", "/desk/projects/{project}/approvals/{papproval}/remove/", DL, P, P, "302 /desk/projects/{project}/", "302 /desk/projects/{project}/", 404, 404, 404, "302 /desk/projects/{project}/", "302 /desk/projects/{project}/", 403, 403, 403, 403),
    row("desk:project-progress", "POST", "/desk/projects/{project}/progress/",                    DL, P, P, "302 /desk/projects/{project}/", "302 /desk/projects/{project}/", 404, 404, 404, "302 /desk/projects/{project}/", "302 /desk/projects/{project}/", 403, 403, 403, 403),
    row("desk:project-approvals", "GET", "/desk/projects/{project}/approvals/",                   405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    # Enquiries are for staff of an office: an agent has none (404, as for an office's page).
    row("desk:consultations", "GET", "/desk/consultations/",                                         DL, P, P, 404, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403),
    row("desk:consultations", "POST", "/desk/consultations/",                                        DL, P, P, 404, 400, 400, 400, 400, 400, 400, 403, 403, 403, 403),
    row("desk:my-consultations", "GET", "/desk/consultations/mine/",                                 DL, P, P, 404, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403),
    row("desk:consultation-hand-on", "GET", "/desk/consultations/{enquiry}/hand-on/",                405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    row("desk:consultation-hand-on", "POST", "/desk/consultations/{enquiry}/hand-on/",               DL, P, P, 404, "302 /desk/consultations/mine/", 404, 403, 403, "302 /desk/consultations/mine/", "302 /desk/consultations/mine/", 403, 403, 403, 403, data={"to": "bob", "note": "转临清"}),
    row("desk:consultation-close", "GET", "/desk/consultations/{enquiry}/close/",                    405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    row("desk:consultation-close", "POST", "/desk/consultations/{enquiry}/close/",                   DL, P, P, 404, "302 /desk/consultations/mine/", 404, 403, 403, 403, 403, 403, 403, 403, 403, data={"reply": "已答复"}),
    row("desk:policies", "GET", "/desk/policies/",                                                   DL, P, P, 200, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403),
    # The audit trail: the auditor's (三权分立: not the administrators whose acts it records).
    row("desk:audit", "GET", "/desk/audit/",                                                         DL, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200),
    row("desk:audit-export-csv", "GET", "/desk/audit/export.csv",                                    DL, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200),
    row("desk:audit-export-xlsx", "GET", "/desk/audit/export.xlsx",                                  DL, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200),
    # Public, for monitoring; 503 here because no worker has run in the test.
    row("health", "GET", "/health",                                                                  503, 503, 503, 503, 503, 503, 503, 503, 503, 503, 503, 503, 503, 503),
    # The figures: supervisors (a county's own office only), the compression also the catalog
    # administrator.
    row("stats:dashboard", "GET", "/desk/stats/",                                                    DL, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    row("stats:dashboard", "GET", "/desk/stats/?office=371581",                                      DL, 403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 403, 403),
    row("stats:export", "GET", "/desk/stats/export.xlsx",                                            DL, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    row("stats:cases", "GET", "/desk/stats/cases/",                                                  DL, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    row("stats:compression", "GET", "/desk/stats/compression/",                                      DL, 403, 403, 403, 403, 403, 403, 403, 200, 200, 200, 403, 403, 403),
    row("stats:compression-export", "GET", "/desk/stats/compression.xlsx",                           DL, 403, 403, 403, 403, 403, 403, 403, 200, 200, 200, 403, 403, 403),
    # Supervision: supervisors; a county's rectifications only its own. The rating tablet: staff
    # of the office that accepted or handles the case.
    row("supervision:board", "GET", "/desk/supervision/",                                            DL, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    row("supervision:rectifications", "GET", "/desk/supervision/rectifications/",                    DL, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    row("supervision:rectification", "GET", "/desk/supervision/rectifications/{rect}/",              DL, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    row("supervision:rectification", "GET", "/desk/supervision/rectifications/{rect_there}/",        DL, 403, 403, 403, 403, 403, 403, 403, 404, 200, 403, 403, 403, 403),
    row("supervision:rectification", "POST", "/desk/supervision/rectifications/{rect}/",             DL, 403, 403, 403, 403, 403, 403, 403, "302 /desk/supervision/rectifications/{rect}/", "302 /desk/supervision/rectifications/{rect}/", 403, 403, 403, 403, data={"action": "verify", "text": "已核实"}),
    row("supervision:appeals", "GET", "/desk/supervision/appeals/",                                  DL, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    row("supervision:notifications", "GET", "/desk/supervision/notifications/",                      DL, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    row("supervision:partner-messages", "GET", "/desk/supervision/partner-messages/",                DL, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    row("supervision:rate", "GET", "/desk/supervision/rate/{done}/",                                 DL, 403, 403, 403, 200, 404, 200, 200, 200, 404, 403, 403, 403, 403),
    row("supervision:rate", "POST", "/desk/supervision/rate/{done}/",                                DL, 403, 403, 403, "302 /desk/supervision/rate/{done}/", 404, "302 /desk/supervision/rate/{done}/", "302 /desk/supervision/rate/{done}/", "302 /desk/supervision/rate/{done}/", 404, 403, 403, 403, 403, data={"score": "5"}),
    row("supervision:demo-clock", "GET", "/desk/supervision/demo-clock/",                            405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    row("supervision:demo-clock", "POST", "/desk/supervision/demo-clock/",                           DL, 403, 403, 403, 403, 403, 403, 403, 404, 404, 403, 403, 403, 403, data={"days": "1"}),
    row("set_language", "GET", "/i18n/setlang/",                                                     P, P, P, P, P, P, P, P, P, P, P, P, P, P),
    row("set_language", "POST", "/i18n/setlang/",                                                    P, P, P, P, P, P, P, P, P, P, P, P, P, P, data={"language": "en"}),

    # --- The portal: the guides and the status look-up are public; the rest is for applicants
    # and agents, staff signed in are pointed to the desk (403). Files and notices are served
    # to staff who may see the case as well.
    row("portal:home", "GET", "/",                                                                   200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    row("portal:item", "GET", "/items/YB07019/",                                                     200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    row("portal:apply", "GET", "/items/YB07019/apply/",                                              PL, 200, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    row("portal:apply", "POST", "/items/YB07019/apply/",                                             PL, 400, 400, 400, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    row("portal:login", "GET", "/login/",                                                            200, "302 /cases/", "302 /cases/", "302 /cases/", "302 /cases/", "302 /cases/", "302 /cases/", "302 /cases/", "302 /cases/", "302 /cases/", "302 /cases/", "302 /cases/", "302 /cases/", "302 /cases/"),
    row("portal:login", "POST", "/login/",                                                           200, "302 /cases/", "302 /cases/", "302 /cases/", "302 /cases/", "302 /cases/", "302 /cases/", "302 /cases/", "302 /cases/", "302 /cases/", "302 /cases/", "302 /cases/", "302 /cases/", "302 /cases/"),
    row("portal:logout", "GET", "/logout/",                                                          405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    row("portal:logout", "POST", "/logout/",                                                         P, P, P, P, P, P, P, P, P, P, P, P, P, P),
    # Signing in by SMS code, registering, a forgotten password: public.
    row("portal:code-login", "GET", "/login/code/",                                                  200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    row("portal:code-login", "POST", "/login/code/",                                                 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    row("portal:register", "GET", "/register/",                                                      200, "302 /account/", "302 /account/", "302 /account/", "302 /account/", "302 /account/", "302 /account/", "302 /account/", "302 /account/", "302 /account/", "302 /account/", "302 /account/", "302 /account/", "302 /account/"),
    row("portal:register", "POST", "/register/",                                                     200, "302 /account/", "302 /account/", "302 /account/", "302 /account/", "302 /account/", "302 /account/", "302 /account/", "302 /account/", "302 /account/", "302 /account/", "302 /account/", "302 /account/", "302 /account/"),
    row("portal:forgot-password", "GET", "/password/forgot/",                                        200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    row("portal:forgot-password", "POST", "/password/forgot/",                                       200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    row("portal:account", "GET", "/account/",                                                        PL, 200, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    row("portal:verify", "GET", "/account/verify/",                                                  405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    row("portal:verify", "POST", "/account/verify/",                                                 PL, "302 /account/", "302 /account/", "302 /account/", 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    row("portal:my-data", "GET", "/account/data.json",                                               PL, 200, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    row("portal:authorisations", "GET", "/authorisations/",                                        PL, 200, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    row("portal:authorisations", "POST", "/authorisations/",                                       PL, 400, 400, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    row("portal:authorisation-revoke", "GET", "/authorisations/{auth}/revoke/",                    405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    row("portal:authorisation-revoke", "POST", "/authorisations/{auth}/revoke/",                   PL, "302 /authorisations/", 404, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    # The investor's account follows its projects (none of the cast's: {project}'s investor is an
    # employer); dave, the project's agent, sees it here too.
    row("portal:projects", "GET", "/projects/",                                                    PL, 200, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    row("portal:project", "GET", "/projects/{project}/",                                           PL, 404, 404, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    row("portal:lookup", "GET", "/lookup/",                                                          200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    row("portal:lookup-rate", "GET", "/lookup/rate/",                                                405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    row("portal:lookup-rate", "POST", "/lookup/rate/",                                               400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400),
    row("portal:my-cases", "GET", "/cases/",                                                         PL, 200, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    row("portal:case", "GET", "/cases/{case}/",                                                      PL, 200, 404, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    row("portal:case", "GET", "/cases/{agents}/",                                                    PL, 404, 404, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    row("portal:receipt", "GET", "/cases/{case}/receipt/",                                           PL, 200, 404, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    row("portal:supplement", "GET", "/cases/{case}/supplement/",                                     PL, 405, 405, 405, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    row("portal:supplement", "POST", "/cases/{case}/supplement/",                                    PL, 400, 404, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    row("portal:withdraw", "GET", "/cases/{case}/withdraw/",                                         PL, 200, 404, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    row("portal:withdraw", "POST", "/cases/{case}/withdraw/",                                        PL, "302 /cases/{case}/", 404, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    row("portal:urge", "GET", "/cases/{case}/urge/",                                                 PL, 405, 405, 405, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    row("portal:urge", "POST", "/cases/{case}/urge/",                                                PL, "302 /cases/{case}/", 404, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    row("portal:rate", "GET", "/cases/{done}/rate/",                                                 PL, 405, 405, 405, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    row("portal:rate", "POST", "/cases/{done}/rate/",                                                PL, "302 /cases/{done}/", 404, 404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, data={"score": "5"}),
    row("portal:attachment", "GET", "/cases/{case}/files/{file}/",                                   PL, 200, 404, 404, 200, 404, 200, 200, 200, 200, 404, 404, 404, 404),
    row("portal:notice", "GET", "/cases/{case}/notices/{notice}.pdf",                                PL, 200, 404, 404, 200, 404, 200, 200, 200, 200, 404, 404, 404, 404),

    # --- 帮办代办 (#13): agent points, home visits, a person's record on their behalf.
    row("api:agent-point-list", "GET", "/api/v1/agent-points",                                       200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    row("api:visit-list", "GET", "/api/v1/home-visits",                                              401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    row("api:visit-list", "POST", "/api/v1/home-visits",                                             401, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400),
    row("api:visit-detail", "GET", "/api/v1/home-visits/{visit}",                                    401, 200, 404, 200, 200, 404, 404, 404, 200, 200, 404, 404, 404, 404),
    row("api:visit-assign", "POST", "/api/v1/home-visits/{visit}/assign",                            401, 400, 404, 400, 400, 404, 404, 404, 400, 400, 404, 404, 404, 404),
    row("api:visit-close", "POST", "/api/v1/home-visits/{visit}/close",                              401, 400, 404, 400, 400, 404, 404, 404, 400, 400, 404, 404, 404, 404),
    row("api:visit-cancel", "POST", "/api/v1/home-visits/{visit}/cancel",                            401, 200, 404, 403, 200, 404, 404, 404, 200, 403, 404, 404, 404, 404),
    row("api:contact-code", "POST", "/api/v1/applicants/contact-code",                               401, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400),
    row("api:applicant-groups", "POST", "/api/v1/applicants/groups",                                 401, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400),
    row("api:stats-assistance", "GET", "/api/v1/stats/assistance",                                   401, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    row("api:stats-bundles", "GET", "/api/v1/stats/bundles",                                         401, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    row("api:stats-amounts", "GET", "/api/v1/stats/amounts",                                         401, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    row("desk:visits", "GET", "/desk/visits/",                                                       DL, P, P, 200, 200, 200, 200, 200, 200, 200, 403, 403, 403, 403),
    row("desk:visits", "POST", "/desk/visits/",                                                      DL, P, P, 403, 400, 400, 403, 403, 403, 403, 403, 403, 403, 403),
    row("desk:visit-step", "GET", "/desk/visits/{visit}/cancel/",                                    405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    row("desk:visit-step", "POST", "/desk/visits/{visit}/cancel/",                                   DL, P, P, '302 /desk/visits/', '302 /desk/visits/', 404, 404, 404, '302 /desk/visits/', '302 /desk/visits/', 403, 403, 403, 403),
    row("desk:case-forward", "GET", "/desk/cases/{case}/forward/",                                   DL, P, P, 404, 404, 404, 404, 404, 404, 404, 403, 403, 403, 403),
    row("desk:case-groups", "GET", "/desk/cases/{case}/groups/",                                     405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    row("desk:case-groups", "POST", "/desk/cases/{case}/groups/",                                    DL, P, P, 404, '302 /desk/cases/{case}/', 404, 403, 403, 403, 403, 403, 403, 403, 403),
    row("stats:assistance", "GET", "/desk/stats/assistance/",                                        DL, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403, 403, 403),
    row("portal:agent-points", "GET", "/agent-points/",                                              200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    row("portal:visits", "GET", "/visits/",                                                          PL, 200, 200, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    row("portal:visits", "POST", "/visits/",                                                         PL, 400, 400, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    row("portal:visit-cancel", "GET", "/visits/{visit}/cancel/",                                     405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    row("portal:visit-cancel", "POST", "/visits/{visit}/cancel/",                                    PL, '302 /visits/', 404, '302 /visits/', 403, 403, 403, 403, 403, 403, 403, 403, 403, 403),

    # --- The admin, beyond each model's pages (ADMIN_RIGHTS below): staff accounts only, the
    # administrators' (the desk's people have no is_staff); an app's index only to whoever
    # has a right in it.
    row("admin:index", "GET", "/admin/",                                                             AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, 200, 200, 200, 200),
    row("admin:login", "GET", "/admin/login/",                                                       200, 200, 200, 200, 200, 200, 200, 200, 200, 200, "302 /admin/", "302 /admin/", "302 /admin/", "302 /admin/"),
    row("admin:logout", "POST", "/admin/logout/",                                                    *["302 /admin/"] * 10, 200, 200, 200, 200),
    row("admin:password_change", "GET", "/admin/password_change/",                                   AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, 200, 200, 200, 200),
    row("admin:password_change_done", "GET", "/admin/password_change/done/",                         AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, 200, 200, 200, 200),
    row("admin:autocomplete", "GET", "/admin/autocomplete/",                                         AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, 403, 403, 403, 403),
    row("admin:jsi18n", "GET", "/admin/jsi18n/",                                                     AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, 200, 200, 200, 200),
    row("admin:view_on_site", "GET", "/admin/r/{user_type}/{auditor}/",                              AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, 404, 404, 404, 404),
    row("admin:app_list", "GET", "/admin/people/",                                                   AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, 404, 200, 200, 404),
    row("admin:app_list", "GET", "/admin/catalog/",                                                  AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, 200, 404, 404, 404),
    row("admin:app_list", "GET", "/admin/audit/",                                                    AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, 404, 404, 200, 200),
    row("admin:app_list", "GET", "/admin/cases/",                                                    AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, 404, 404, 404, 200),
    row("admin:app_list", "GET", "/admin/auth/",                                                     AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, 404, 404, 404, 404),
    row("admin:catch-all", "GET", "/admin/nothing/",                                                 AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, 404, 404, 404, 404),
    row("admin:catalog_serviceitem_import", "GET", "/admin/catalog/serviceitem/import/",             AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, 200, 403, 403, 403),
    row("admin:catalog_serviceitem_export", "GET", "/admin/catalog/serviceitem/export/",             AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, 200, 403, 403, 403),
    row("admin:catalog_serviceitem_new_version", "GET", "/admin/catalog/serviceitem/{item}/new-version/", AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, 200, 403, 403, 403),
    # 三权分立 on the auditor's account: the system administrator keeps (names) accounts, only the
    # security administrator sets another's password (people.roles, people.admin).
    row("admin:auth_user_password_change", "GET", "/admin/people/user/{auditor}/password/",          AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, 403, 403, 200, 403),
    row("admin:auth_user_password_change", "POST", "/admin/people/user/{auditor}/password/",         AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, 403, 403, 200, 403),
    row("admin:people_user_change", "POST", "/admin/people/user/{auditor}/change/",                  AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, 403, 200, 200, 403),
    # Records are read, never written, in the admin: not by those who may read them either.
    row("admin:audit_auditentry_change", "POST", "/admin/audit/auditentry/{obj_audit_auditentry}/change/", AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, 403, 403, 403, 403),
    row("admin:cases_caseevent_change", "POST", "/admin/cases/caseevent/{obj_cases_caseevent}/change/", AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, 403, 403, 403, 403),
    row("admin:cases_case_change", "POST", "/admin/cases/case/{obj_cases_case}/change/",             AL, AL, AL, AL, AL, AL, AL, AL, AL, AL, 403, 403, 403, 403),
]
# fmt: on

# Who holds which rights in the admin, per model (v view, c change, a add, d delete): what
# each administrator's role is given (people.roles.ADMIN_PERMISSIONS) as the ModelAdmins allow
# it (read-only records: v; an account is deactivated, never deleted). Nobody else has any:
# staff without the right get 403, the desk's and the portal's people the admin's sign-in.
# fmt: off
ADMIN_RIGHTS = {
    "auth.group": {},
    "django_tasks_database.dbtaskresult": {},
    "offices.office": {"sys": "vcad"},
    "offices.hall": {"sys": "vcad"},
    "offices.window": {"sys": "vcad"},
    "offices.agentpoint": {"sys": "vcad"},
    "people.user": {"sys": "vca", "sec": "vc"},  # the pages of the auditor's account
    "people.applicant": {},
    "people.apitoken": {"sec": "vd"},  # the security administrator revokes tokens
    "catalog.serviceitem": {"cat": "vca"},
    "catalog.itemversion": {"cat": "v"},
    "catalog.agreement": {"cat": "vcad"},
    "catalog.bundle": {"cat": "vcad"},
    "cases.case": {},
    "cases.caseevent": {"aud": "v"},
    "audit.auditentry": {"sec": "v", "aud": "v"},
    "evaluations.evaluation": {},
    "evaluations.rectification": {},
    "evaluations.appeal": {},
    "supervision.warning": {},
    "supervision.notification": {},
    "supervision.scheduledjob": {},
    "consultations.policyqa": {"cat": "vcad"},
    "consultations.consultation": {"cat": "v"},
    "workdays.calendaryear": {"cat": "vcad"},
}
# fmt: on
ADMIN_PAGES = {  # page: (path under the model, the right it needs; None: any staff account)
    "changelist": ("", "vc"),
    "add": ("add/", "a"),
    "change": ("{pk}/change/", "vc"),
    "delete": ("{pk}/delete/", "d"),
    "history": ("{pk}/history/", "vc"),
    "object": ("{pk}/", None),  # a redirect to the change page
}


def _obj(label: str) -> str:
    return "obj_" + label.replace(".", "_")


def _admin_rows():
    rows = []
    for label, rights in ADMIN_RIGHTS.items():
        base = "/admin/{}/{}/".format(*label.split("."))
        for page, (sub, needs) in ADMIN_PAGES.items():
            path = base + sub.replace("{pk}", "{" + _obj(label) + "}")
            cells = {role: AL for role in ROLES}
            for role in ADMINS:
                if needs is None:
                    cells[role] = "302 " + base + "{" + _obj(label) + "}/change/"
                else:
                    cells[role] = 200 if set(needs) & set(rights.get(role, "")) else 403
            name = f"admin:{label.replace('.', '_')}_{page}"
            rows.append((name, "GET", path, cells, None))
    return rows


ROWS += _admin_rows()


def _applicant(name, region, birth):
    return Applicant.objects.create(
        kind=Applicant.Kind.PERSON, id_number=synthetic_resident_id(region=region, birth=birth),
        name=name, insured_region=Office.objects.get(code=region),
    )  # fmt: skip


def _world() -> dict:
    """The cast, their cases and everything the rows open; sessions and API tokens for each."""
    carol = _user(
        "carol", Role.APPLICANT, applicant=_applicant("Carol 王", "371581", date(1970, 3, 1))
    )
    erin = _user(
        "erin", Role.APPLICANT, applicant=_applicant("Erin 李", "371502", date(1985, 6, 1))
    )
    users = {
        "carol": carol, "erin": erin, "dave": _user("dave", Role.AGENT, "371522"),
        "alice": _user("alice", Role.CLERK, "371522"), "bob": _user("bob", Role.CLERK, "371581"),
        "rita": _user("rita", Role.REVIEWER, "371522"),
        "sam": _user("sam", Role.SECOND_REVIEWER, "371522"),
        "olga": _user("olga", Role.SUPERVISOR, "371522"),
        "vera": _user("vera", Role.SUPERVISOR, "371500"),
        **{role: _user(role, ROLE_OF[role]) for role in ADMINS},
    }  # fmt: skip
    for role in ADMINS:
        role_privileges_apply(users[role])  # the admin entry and permissions of the role
    alice, bob, olga = users["alice"], users["bob"], users["olga"]
    frank = _applicant(FRANK["name"], "371522", date(1960, 1, 1))
    authorise(frank, users["dave"], by=users["alice"])  # dave acts for frank under a 委托书
    carols = authorise(carol.applicant, users["dave"], by=users["alice"])

    case = act(alice, submit(carol), "accept")
    upload = SimpleUploadedFile("m1.pdf", pdf_bytes(), "application/pdf")
    file = attachment_add(case=case, material="M1", file=upload, user=carol)
    notice = case.notices.get()
    notice_pdf_stored(notice)  # rendered once here, not once per row
    instant = {"item": INSTANT_ITEM, "materials": ("M1",)}
    rated = act(alice, submit(carol, **instant), "accept")
    rating = evaluation_submit(case=rated, score=1, channel="portal", by=carol)
    appeal_file(evaluation=rating, by=olga, reason="申请人对政策不满，非服务问题")
    rated_there = act(bob, submit(erin, **instant), "accept")
    rating_there = evaluation_submit(case=rated_there, score=1, channel="portal", by=erin)
    enquiry = consultation_log(clerk=alice, question="门诊报销要带什么？", answer="稍后答复", close=False)  # fmt: skip
    other_enquiry = consultation_log(clerk=bob, question="异地就医怎么备案？", answer="稍后答复", close=False)  # fmt: skip

    # One of each admin model, so that its pages show a real object.
    Agreement.objects.create(title="协议", partner=Office.objects.filter(external=True).first(),
                             mode=Agreement.Mode.ONLINE, valid_from=date(2025, 1, 1))  # fmt: skip
    Bundle.objects.create(code="B1", name="套餐")
    PolicyQA.objects.create(question="问", answer="答")
    Warning.objects.create(case=case, level="yellow", deadline=case.deadline or date(2030, 1, 1),
                           office=alice.office)  # fmt: skip
    Notification.objects.create(key="k", event="case.accepted", channel="sms",
                                recipient="13500000001", body="已受理", case=case)  # fmt: skip
    schedule_tick(now=timezone.now() + timedelta(days=1))  # scheduled jobs and task rows
    sessions, tokens = {}, {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        tokens[role] = ApiToken.issue(user)

    point = AgentPoint.objects.create(office=alice.office, code="DD-P-01", name="燕店集市代办点",
                                      kind="market", address="燕店镇", hours="集日")  # fmt: skip
    visit = visit_request(by=carol, office="371522", address="莘县燕店镇", phone="13500000001",
                          preferred_date=timezone.localdate() + timedelta(days=1))  # fmt: skip
    visit_assign(visit=visit, agent=users["dave"], by=alice)
    investor = applicant_upsert(id_number=synthetic_uscc(region="371522", seq=3),
                                name="莘县演示食品有限公司", insured_region="371522", kind="employer")  # fmt: skip
    project = project_create(name="莘县食品产业园", investor=investor, county="371522",
                             amount="6000", industry="food", signed_on=date(2025, 3, 3),
                             planned_start_on=date(2025, 9, 1), agent=users["dave"], by=alice)  # fmt: skip
    ptask = task_add(project=project, title="用地预审", responsible=users["dave"],
                     planned_on=date(2025, 4, 1), by=alice)  # fmt: skip
    papproval = approval_add(project=project, item="ZR001", task=ptask.pk, by=alice)
    bundled, _ = bundle_apply(bundle=Bundle.objects.get(code="YBS002"), channel="window", submitted_by=alice,
                              applicant=carol.applicant, materials=["B01"],
                              form={"note": "新生儿", "amount": "800", "bank_account": "6222020200112233445"})  # fmt: skip
    objects = {
        "visit": visit.pk, "point": point.pk, "bundle": bundled.number,
        "bnotice": bundled.notices.get().pk,
        "project": project.pk, "ptask": ptask.pk, "papproval": papproval.pk,
        "case": case.number, "other": act(bob, submit(erin), "accept").number,
        "intake": submit(erin).number, "agents": submit(users["dave"], applicant=frank).number,
        "done": act(alice, submit(carol, **instant), "accept").number,
        "file": file.pk, "notice": notice.pk, "rect": rating.rectification.pk,
        "rect_there": rating_there.rectification.pk, "enquiry": enquiry.pk,
        "other_enquiry": other_enquiry.pk, "auth": carols.pk,
        "auditor": users["aud"].pk, "user_type": ContentType.objects.get_for_model(User).pk,
        "item": ServiceItem.objects.get(code="YB07019").pk,
    }  # fmt: skip
    for label in ADMIN_RIGHTS:
        first = apps.get_model(label)._default_manager.order_by("pk").first()
        assert first is not None, label
        objects[_obj(label)] = first.pk
    objects[_obj("people.user")] = users["aud"].pk
    return {"users": users, "objects": objects, "sessions": sessions, "tokens": tokens}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module in a transaction rolled back at its end; each test's own
    transaction (pytest-django's `db`) nests inside it."""
    quick = override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    quick.enable()
    # A refused request is logged with its traceback (django.request); here that is the point.
    request_log = logging.getLogger("django.request")
    level, request_log.level = request_log.level, logging.ERROR
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            yield _world()
            transaction.set_rollback(True)
    finally:
        request_log.setLevel(level)
        quick.disable()


CLIENT = Client()  # one handler for every request: building one loads the middleware anew


def outcome(world, role: str, method: str, path: str, data) -> int | str:
    """What `role` gets for `method` `path`: the status, or "302 <path>" for a redirect."""
    client, extra = CLIENT, {}
    client.cookies.clear()
    api = path.startswith("/api/")
    if role != "anon" and api:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {world['tokens'][role]}"
    elif role != "anon":
        client.cookies[settings.SESSION_COOKIE_NAME] = world["sessions"][role]
    with transaction.atomic():  # whatever the request does is undone for the next one
        if method == "GET":
            response = client.get(path, **extra)
        elif method == "DELETE":
            response = client.delete(path, **extra)
        elif api:
            response = client.post(
                path, json.dumps(data or {}), content_type="application/json", **extra
            )
        else:
            response = client.post(path, data or {}, **extra)
        transaction.set_rollback(True)
    if 300 <= response.status_code < 400:
        return f"{response.status_code} {urlsplit(response['Location']).path}"
    return response.status_code


def _id(r) -> str:
    return f"{r[0]} {r[1]} {r[2]}" + (" +body" if r[4] else "")


# About 4,300 requests that check the views' access rules, not the database: PostgreSQL only.
@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the whole table runs on PostgreSQL")
@pytest.mark.parametrize("name, method, path, cells, data", ROWS, ids=[_id(r) for r in ROWS])
def test_who_gets_what(db, world, name, method, path, cells, data):
    cache.clear()  # the look-up's failure counts
    path = path.format(**world["objects"])
    expected = {
        role: c.format(**world["objects"]) if isinstance(c, str) else c for role, c in cells.items()
    }
    got = {role: outcome(world, role, method, path, data) for role in ROLES}
    wrong = [f"{role}: got {got[role]!r}, the table says {expected[role]!r}"
             for role in ROLES if got[role] != expected[role]]  # fmt: skip
    assert not wrong, "\n".join(wrong)


def _routes(patterns, prefix=""):
    """Every route as ResolverMatch.route spells it (a regex's "^" dropped when joined)."""
    for p in patterns:
        route = prefix + str(p.pattern).removeprefix("^") if prefix else str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, route)
        else:
            yield route


def test_every_route_has_a_row(db, world):
    rows = {
        resolve(urlsplit(path.format(**world["objects"])).path).route
        for _n, _m, path, _c, _d in ROWS
    }
    missing = set(_routes(get_resolver().url_patterns)) - rows
    assert not missing, "routes without a row in ROWS (or ADMIN_RIGHTS for an admin model)"


def test_every_role_has_a_column():
    assert set(ROLE_OF.values()) == set(Role)
    assert set(ROLES) == {"anon", *ROLE_OF}
    assert set(ADMIN_RIGHTS) == {m._meta.label_lower for m in admin.site._registry}


def test_a_list_shows_only_cases_the_role_may_open(db, world):
    """The API's case list against the detail: nothing listed that would be a 404, and nothing
    at all for the administrators (they handle no case)."""
    CLIENT.cookies.clear()
    for role in ROLES[1:]:
        auth = {"HTTP_AUTHORIZATION": f"Bearer {world['tokens'][role]}"}
        listed = [c["number"] for c in CLIENT.get("/api/v1/cases", **auth).json()["results"]]
        for number in listed:
            assert CLIENT.get(f"/api/v1/cases/{number}", **auth).status_code == 200, (role, number)
        assert bool(listed) == (role not in ADMINS), role
