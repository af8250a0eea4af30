"""Who may see a case and which actions their role allows on it. The API, the desk, the
portal and the services all ask here, so the rule is written once; `case_for` is the one way
a face loads a case by its number.

An online application nobody has taken sits in the city-wide intake: every clerk of the city
sees it. The first clerk who takes it owns it (首问负责) and it moves to their office's queue;
from then on, and after acceptance, staff of other offices no longer see it, the city's
supervisors do."""

import operator
from datetime import timedelta
from functools import reduce

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.catalog.models import ItemVersion
from tongban.lib.errors import Forbidden, NotFound
from tongban.offices.selectors import office_by_code
from tongban.people.models import Role

from .models import IN_INTAKE, Action, Authorisation, BundleApplication, Case, Status, action_open
from .selectors import case_by_number

TAKEN_GRACE = timedelta(minutes=10)
OWN_ACTIONS = {Action.WITHDRAW, Action.SUPPLEMENT}  # an applicant's or agent's on their own case
INTAKE_ACTIONS = {Action.CLAIM, Action.ACCEPT, Action.REJECT, Action.REQUEST_SUPPLEMENT}
# A clerk at an agent point who applied as the applicant's agent (as_agent) hands in for them
# but neither accepts nor decides: another clerk of the office does (回避).
AGENT_RECUSES = {*INTAKE_ACTIONS, Action.APPROVE, Action.DENY}
# What the reviewer whose step it is may do; what a supervisor of the handling office may do.
REVIEW_ACTIONS = {Action.APPROVE, Action.DENY, Action.REQUEST_SUPPLEMENT, Action.REQUEST_EXTENSION,
                  Action.START_PROCEDURE, Action.END_PROCEDURE}  # fmt: skip
SUPERVISOR_ACTIONS = {Action.TRANSFER, Action.DECIDE_EXTENSION}


# Why an agent may not act for someone (the API's error codes; the refusal's message).
AUTHORISATION_REFUSALS = {
    "authorisation_missing": gettext_lazy(
        "没有该申请人给您的委托书，请先办理委托（窗口或申请人网上委托）"
    ),
    "authorisation_revoked": gettext_lazy("该申请人已撤销给您的委托书"),
    "authorisation_not_yet_valid": gettext_lazy("委托书尚未生效"),
    "authorisation_expired": gettext_lazy("委托书已过期，请申请人重新委托"),
    "authorisation_out_of_scope": gettext_lazy("委托书的委托事项不包括此事项"),
}


def authorisation_refused(code: str) -> Forbidden:
    return Forbidden(str(AUTHORISATION_REFUSALS[code]), code=code)


def authorisation_refusal(
    authorisation: Authorisation | None, *, on, item_code: str | None = None
) -> str | None:
    """Why `authorisation` does not let its agent act on day `on` (for the item `item_code`,
    when given): one of AUTHORISATION_REFUSALS' codes; None when it does."""
    if authorisation is None:
        return "authorisation_missing"
    if authorisation.revoked_at is not None:
        return "authorisation_revoked"
    if on < authorisation.valid_from:
        return "authorisation_not_yet_valid"
    if on > authorisation.valid_to:
        return "authorisation_expired"
    if item_code is not None:
        codes = {i.code for i in authorisation.items.all()}
        if codes and item_code not in codes:
            return "authorisation_out_of_scope"
    return None


def agent_authorised(user, case: Case) -> None:
    """An agent follows and acts on a case they applied for while the authorisation it was
    made under is in force; Forbidden with the code that says why not (the case is theirs:
    no secret is kept from them by a 404)."""
    if user.role == Role.AGENT and case.agent_id == user.pk:
        authorisation = (
            Authorisation.objects.filter(pk=case.authorisation_id).first()
            if case.authorisation_id else None
        )  # fmt: skip
        refusal = authorisation_refusal(authorisation, on=timezone.localdate())
        if refusal:
            raise authorisation_refused(refusal)


def case_is_own(user, case: Case) -> bool:
    if user.role == Role.APPLICANT:  # once the identity service confirmed who they are
        return user.own_applicant_id is not None and case.applicant_id == user.own_applicant_id
    if user.role == Role.AGENT:
        return case.agent_id == user.pk
    return False


def case_visible(user, case: Case) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.role in (Role.APPLICANT, Role.AGENT):
        return case_is_own(user, case)
    if user.role == Role.SUPERVISOR and user.is_city_supervisor:
        return True
    if user.role not in (Role.CLERK, Role.REVIEWER, Role.SECOND_REVIEWER, Role.SUPERVISOR):
        return False
    if case.handling_office_id is None:  # the city-wide intake (nobody has taken it yet)
        return sees_intake(user) and case.in_intake
    return case.handling_office_id == user.office_id or takes_step(user, case)


def takes_step(user, case: Case) -> bool:
    """Whether `user` takes the case's current review step (ItemVersion.steps): their role is
    the step's; their office is the one the step names, or the handling office when it names
    none (清联办: another office's department can take a step behind one window); and their
    department (科室) is the step's, when it names one."""
    step = case.current_step
    if step is None or step["role"] != user.role or user.office_id is None:
        return False
    if step.get("office"):
        office = office_by_code(step["office"])
        if office is None or office.pk != user.office_id:
            return False
    elif case.handling_office_id != user.office_id:
        return False
    return not step.get("department") or step["department"] == user.department


def steps_taken_q(user) -> Q:
    """takes_step() as a query: accepted cases at a step that `user` takes. The (version, step)
    pairs are read from the few item versions, so the case query stays on its indexes."""
    own, named = Q(pk__in=[]), Q(pk__in=[])  # steps of the handling office; steps naming theirs
    code = user.office.code if user.office_id else None
    for pk, steps in ItemVersion.objects.values_list("pk", "steps"):
        for i, step in enumerate(steps or []):
            if step.get("role") != user.role or code is None:
                continue
            if step.get("department") and step["department"] != user.department:
                continue
            if not step.get("office"):
                own |= Q(step=i, item_version_id=pk)
            elif step["office"] == code:
                named |= Q(step=i, item_version_id=pk)
    return Q(status=Status.ACCEPTED) & ((Q(handling_office_id=user.office_id) & own) | named)


def case_for(user, number: str, *, history: bool = False) -> Case:
    """Case `number` if `user` may see it, with its item, item version, applicant and handling
    office loaded (and its history in `case.history_rows`, with `history`): one query.

    Raises NotFound otherwise: someone else's case is "not found", never "forbidden", so that
    nothing leaks (and a page shows its 404, lib.errors)."""
    case = case_by_number(number, history=history) if _plausible(number) else None
    if case is None or not case_visible(user, case):
        raise NotFound(_("办件 %(number)s 不存在") % {"number": number[:40]}, code="case_not_found")
    agent_authorised(user, case)
    return case


def _plausible(number: str) -> bool:
    # What a case number can be (max_length 24): a longer or NUL-bearing path segment is simply
    # not found, never a database error.
    return 0 < len(number) <= 24 and "\x00" not in number


def sees_intake(user) -> bool:
    """Whether the whole city-wide intake is within what `user` may see."""
    return user.role in (Role.CLERK, Role.SUPERVISOR)


def case_just_taken(user, case: Case, action: str) -> bool:
    """Whether `case` left the city-wide intake, where `user` saw it, only moments ago: the
    loser of a race to take it hears that someone else did (409), not that it is gone (404).
    Anything else they try on it, or a look at it, is a 404 like any other office's case."""
    return (
        action in INTAKE_ACTIONS
        and sees_intake(user)
        and case.taken_at is not None
        and timezone.now() - case.taken_at < TAKEN_GRACE
    )


def visible_conditions(user) -> list[Q]:
    """What `user` may see, as disjoint conditions whose union it is (none: nothing). A
    reviewer's read the item versions' steps: ask once for both a list and its count."""
    if user.role == Role.APPLICANT:
        return [Q(applicant_id=user.own_applicant_id)] if user.own_applicant_id else []
    if user.role == Role.AGENT:  # under an authorisation in force
        today = timezone.localdate()
        return [Q(agent=user, authorisation__revoked_at__isnull=True,
                  authorisation__valid_from__lte=today, authorisation__valid_to__gte=today)]  # fmt: skip
    if user.role == Role.SUPERVISOR and user.is_city_supervisor:
        return [Q()]
    if sees_intake(user):
        return [Q(handling_office_id=user.office_id), IN_INTAKE]
    if user.role in (Role.REVIEWER, Role.SECOND_REVIEWER):
        # Their office's cases, and another office's while at a step that names their office.
        return [Q(handling_office_id=user.office_id),
                steps_taken_q(user) & ~Q(handling_office_id=user.office_id)]  # fmt: skip
    return []


def cases_visible(user, *, conditions: list[Q] | None = None) -> QuerySet:
    """The cases `user` may see, as a queryset to filter further. `conditions`: what
    visible_conditions(user) gave, when the caller also counts by cases_visible_parts."""
    parts = visible_conditions(user) if conditions is None else conditions
    if not parts:
        return Case.objects.none()
    return Case.objects.filter(reduce(operator.or_, parts))


def cases_visible_parts(user, *, conditions: list[Q] | None = None) -> list[QuerySet]:
    """cases_visible(user) as disjoint querysets, for counting: an OR of an office's cases and
    the intake makes PostgreSQL read every row, each part alone counts from an index."""
    parts = visible_conditions(user) if conditions is None else conditions
    return [Case.objects.filter(part) for part in parts] or [Case.objects.none()]


def action_permitted(user, case: Case, action: str) -> bool:
    """Whether `user`'s role and office allow `action` on `case`, whatever its status."""
    if action in OWN_ACTIONS and case_is_own(user, case):
        return True
    role = user.role
    in_office = case.handling_office_id is not None and case.handling_office_id == user.office_id
    if role == Role.CLERK:
        if case.agent_id == user.pk and action in AGENT_RECUSES:
            return False  # 回避: who applied as the applicant's agent does not decide on it
        if action in INTAKE_ACTIONS and case.accepted_at is None:
            return case.handling_office_id is None or in_office
        # At the window a clerk hands in a supplement or a withdrawal for the applicant.
        if in_office and action in (Action.TRANSFER, Action.SUPPLEMENT, Action.WITHDRAW):
            return True
        # An accepted case with no review step (an instant item that was not finished on the
        # spot: deemed accepted under §32) is decided at the window, as instant items are.
        return (
            in_office
            and action in (Action.APPROVE, Action.DENY)
            and case.accepted_at is not None
            and not case.item_version.steps
        )
    if role in (Role.REVIEWER, Role.SECOND_REVIEWER):
        return action in REVIEW_ACTIONS and takes_step(user, case)
    if role == Role.SUPERVISOR:
        return action in SUPERVISOR_ACTIONS and (in_office or user.is_city_supervisor)
    return False


def actions_available(user, case: Case) -> list[str]:
    """The actions `user` may take on `case` now: permitted for them and open from its status."""
    return [a for a in Case.ACTIONS if action_permitted(user, case, a) and action_open(case, a)]


def bundle_visible(user, application, cases) -> bool:
    """Who sees a bundle application (一件事): whoever sees any of its cases (case_visible: the
    applicant, their agent, the clerk and office that hold it, the intake before anyone takes
    it), and whoever submitted it. Someone else's bundle is "not found", as a case is."""
    if user is None or not user.is_authenticated:
        return False
    if application.submitted_by_id == user.pk and user.role != Role.APPLICANT:
        return True
    return any(case_visible(user, c) for c in cases)


def bundle_for(user, number: str):
    """Bundle application `number` and its cases (items and versions loaded, by item code) if
    `user` may see it. Raises NotFound otherwise."""
    application = None
    if _plausible(number):
        application = (BundleApplication.objects.select_related("bundle", "applicant", "owner", "office")
                       .filter(number=number).first())  # fmt: skip
    cases = (list(application.cases.select_related("item", "item_version", "handling_office")
                  .order_by("item__code")) if application else [])  # fmt: skip
    if application is None or not bundle_visible(user, application, cases):
        raise NotFound(_("一件事申请 %(number)s 不存在") % {"number": number[:40]},
                       code="bundle_application_not_found")  # fmt: skip
    return application, cases


def bundles_visible(user):
    """The bundle applications `user` follows: an applicant their own, an agent those they
    handle, a clerk those their office holds or they submitted (portal, desk and API lists)."""
    if user.role == Role.APPLICANT and user.applicant_id and user.verified_at:
        return BundleApplication.objects.filter(applicant_id=user.applicant_id)
    if user.role == Role.AGENT:
        return BundleApplication.objects.filter(cases__agent=user).distinct()
    if user.role == Role.CLERK:
        held = Q(submitted_by=user)
        if user.office_id:
            held |= Q(office_id=user.office_id)
        return BundleApplication.objects.filter(held)
    return BundleApplication.objects.none()
