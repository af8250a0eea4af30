"""跨区通办 at the window: a clerk forwards a window application, with the materials scanned
now, to the partner platform that decides it (tongban.cases.partners.case_forward); the case
page shows a forwarded or received case's partner and messages (partner_panel)."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.cases.models import Case, PartnerRole, Status
from tongban.cases.partners import agreements_for_case, case_forward
from tongban.catalog.models import Channel
from tongban.crossregion.services import messages_of_case
from tongban.lib.errors import DomainError
from tongban.lib.forms import form_add_domain_error
from tongban.lib.http import client_ip
from tongban.people.models import Role

from .access import case_for_page, desk_view


def _may_forward(user, case: Case) -> bool:
    """Whether the page offers forwarding (the service checks again): a clerk of the case's
    office, a window application not yet acted on. No query."""
    return (user.role == Role.CLERK and not case.partner_role and case.channel == Channel.WINDOW
            and case.status == Status.SUBMITTED and case.handling_office_id == user.office_id)  # fmt: skip


def partner_panel(user, case: Case) -> dict | None:
    """What the case page shows of 跨区通办: nothing (no query) for most cases."""
    if case.partner_role:
        agreement = case.agreement
        return {"role": case.get_partner_role_display(), "collecting": case.partner_role == PartnerRole.COLLECTING,
                "agreement": agreement, "partner": agreement.partner, "partner_number": case.partner_number,
                "messages": messages_of_case(case)}  # fmt: skip
    if _may_forward(user, case):
        agreements = agreements_for_case(case)
        if agreements:
            return {"forwardable": agreements}
    return None


class ForwardForm(forms.Form):
    agreement = forms.ChoiceField(label=gettext_lazy("办理地（跨区通办协议）"))
    reason = forms.CharField(label=gettext_lazy("备注"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    checked = forms.BooleanField(label=gettext_lazy("已核验申请人身份和材料形式（收件地职责）"))

    def __init__(self, *args, agreements, materials, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].choices = [
            (a.code, f"{a.partner.name}（{a.partner.province}）· {a.code}") for a in agreements
        ]
        for m in materials:
            self.fields[f"file_{m['code']}"] = forms.FileField(
                label=f"{m['code']} {m['name']}", required=False
            )


@desk_view
def case_forward_view(request, number: str):
    case = case_for_page(request.user, number)
    if not _may_forward(request.user, case):
        raise Http404(_("此办件不能转交办理地"))
    agreements = agreements_for_case(case)
    materials = case.item_version.materials
    posted = request.method == "POST"
    form = ForwardForm(request.POST if posted else None, request.FILES if posted else None,
                       agreements=agreements, materials=materials)  # fmt: skip
    if posted and form.is_valid():
        files = [(m["code"], request.FILES[f"file_{m['code']}"]) for m in materials
                 if f"file_{m['code']}" in request.FILES]  # fmt: skip
        try:
            case_forward(number=case.number, agreement=form.cleaned_data["agreement"],
                         actor=request.user, reason=form.cleaned_data["reason"], files=files,
                         ip=client_ip(request))  # fmt: skip
        except DomainError as e:
            if e.status not in (400, 409):
                raise
            form_add_domain_error(form, e, {"materials": None, "files": None, "file": None})
        else:
            messages.success(
                request, _("已转交办理地，报文由后台任务发送；办理地每一步结果都会回传到本办件")
            )
            return redirect("desk:case-detail", case.number)
    return render(request, "desk/case_forward.html", {
        "case": case, "form": form, "agreements": agreements,
    }, status=400 if form.errors else 200)  # fmt: skip
