"""The portal's 委托书 page: an applicant authorises an agent (the signed letter uploaded),
sees their authorisations and revokes one; an agent sees the ones they hold. The rules are
tongban.cases.authorisations'."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import pgettext
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
from tongban.people.models import Role

from .access import portal_login_required
from .forms import AuthorisationForm


@portal_login_required
def authorisations(request):
    user = request.user
    form = None
    if user.role == Role.APPLICANT and user.applicant_id:
        posted = request.method == "POST"
        form = AuthorisationForm(request.POST if posted else None, request.FILES if posted else None,
                                 items=item_choices())  # fmt: skip
        if posted and form.is_valid():
            d = form.cleaned_data
            try:
                authorisation_make(applicant=user.applicant, agent=d["agent"], items=d["items"],
                                   valid_from=d["valid_from"], valid_to=d["valid_to"],
                                   letter=d["letter"], by=user, ip=client_ip(request))  # fmt: skip
            except DomainError as e:
                form_add_domain_error(form, e)
            else:
                messages.success(request, pgettext("portal", "委托书已生效：%(agent)s 可以为您代办") % {
                    "agent": d["agent"]})  # fmt: skip
                return redirect("portal:authorisations")
    rows = authorisations_stated(authorisations_visible(user).select_related("made_by")[:200])
    status = 400 if form is not None and form.errors else 200
    return render(
        request, "portal/authorisations.html", {"form": form, "rows": rows}, status=status
    )


@require_POST
@portal_login_required
def authorisation_revoke_view(request, pk: int):
    authorisation = Authorisation.objects.filter(pk=pk).first()
    if authorisation is None or not authorisation_visible(request.user, authorisation):
        raise Http404("没有这份委托书")
    try:
        authorisation_revoke(authorisation=authorisation, by=request.user, ip=client_ip(request))
    except Conflict as e:
        messages.error(request, e.message)
    else:
        messages.success(request, pgettext("portal", "委托书已撤销，代办人不能再为您办理"))
    return redirect("portal:authorisations")
