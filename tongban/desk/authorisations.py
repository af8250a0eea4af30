"""The desk's 委托书 page: a clerk records an authorisation at the window (both identity
documents checked, the signed letter uploaded) and revokes one for the person; clerks see
those made at their office, an agent sees the ones they hold. The rules are
tongban.cases.authorisations'."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.cases.authorisations import (
    authorisation_make,
    authorisation_revoke,
    authorisation_visible,
    authorisations_stated,
    authorisations_visible,
)
from tongban.cases.models import Authorisation
from tongban.catalog.selectors import item_choices
from tongban.lib.errors import Conflict, DomainError
from tongban.lib.forms import form_add_domain_error
from tongban.lib.http import client_ip
from tongban.lib.paging import page_number, page_rows
from tongban.people.models import Role

from .access import desk_view
from .forms import AuthorisationForm

PAGE_SIZE = 50


@desk_view
def authorisations(request):
    user = request.user
    if user.role not in (Role.CLERK, Role.AGENT):
        raise Http404("委托书由窗口受理员办理")
    form = None
    if user.role == Role.CLERK:
        posted = request.method == "POST"
        form = AuthorisationForm(request.POST if posted else None, request.FILES if posted else None,
                                 items=item_choices())  # fmt: skip
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                person = {k: d[k] for k in ("id_number", "name", "phone", "insured_region")}
                person["identity_shown"] = d["identities_checked"]  # both documents, checked
                made = authorisation_make(applicant=person, agent=d["agent"], items=d["items"],
                                   valid_from=d["valid_from"], valid_to=d["valid_to"],
                                   letter=d["letter"], by=user,
                                   identities_checked=d["identities_checked"],
                                   ip=client_ip(request))  # fmt: skip
            except DomainError as e:
                form_add_domain_error(form, e, {"applicant.id_number": "id_number",
                                                "applicant.name": "name", "applicant.phone": "phone",
                                                "applicant.insured_region": "insured_region"})  # fmt: skip
            else:
                messages.success(request, _("委托书已登记：%(agent)s 可为 %(name)s 代办") % {
                    "agent": d["agent"], "name": made.applicant.name})  # fmt: skip
                return redirect("desk:authorisations")
    page = page_number(request.GET.get("page"))
    rows, has_next = page_rows(
        authorisations_visible(user).select_related("made_by"), page, PAGE_SIZE
    )
    rows = authorisations_stated(rows)
    status = 400 if form is not None and form.errors else 200
    return render(request, "desk/authorisations.html", {
        "form": form, "rows": rows, "page": page, "has_next": has_next,
    }, status=status)  # fmt: skip


@require_POST
@desk_view
def authorisation_revoke_view(request, pk: int):
    authorisation = Authorisation.objects.filter(pk=pk).first()
    if authorisation is None or not authorisation_visible(request.user, authorisation):
        raise Http404("没有这份委托书")
    try:
        authorisation_revoke(authorisation=authorisation, by=request.user, ip=client_ip(request))
    except Conflict as e:  # revoked already; whoever may not revoke it gets the service's 404
        messages.error(request, e.message)
    else:
        messages.success(request, _("委托书已撤销"))
    return redirect("desk:authorisations")
