"""An item's own application form (ItemVersion.form) as Django form fields, for the desk's
window application and the portal's online one alike.

The fields only collect: what a value must be is form_clean()'s to check (catalog.services),
the same for the pages and the API, and its errors come back on the field they name
("form.<name>", lib.forms.form_add_domain_error)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ItemVersion

PREFIX = "form_"  # a page's field for the item's field "amount" is "form_amount"
DECISION_PREFIX = (
    "decision_"  # and for its decision's "amount_approved", "decision_amount_approved"
)


def item_form_fields(version: ItemVersion, *, decision: bool = False) -> dict[str, forms.Field]:
    """A field per field of the version's form (or, with `decision`, of its decision), named
    PREFIX (DECISION_PREFIX) + its name, in order."""
    specs, prefix = (version.decision, DECISION_PREFIX) if decision else (version.form, PREFIX)
    return {prefix + spec["name"]: _field(spec) for spec in specs}


def item_form_data(version: ItemVersion, cleaned_data: dict, *, decision: bool = False) -> dict:
    """The item's form (or decision) from a page's cleaned data, as form_clean() (or
    decision_clean()) takes it: what was filled in, and every yes/no field (an unticked box
    is an answer: no)."""
    specs, prefix = (version.decision, DECISION_PREFIX) if decision else (version.form, PREFIX)
    out = {}
    for spec in specs:
        value = cleaned_data.get(prefix + spec["name"])
        if spec["type"] == "bool":
            out[spec["name"]] = bool(value)
        elif value not in (None, ""):
            out[spec["name"]] = value
    return out


def _field(spec: dict) -> forms.Field:
    label, required = spec["label"], spec["required"]
    match spec["type"]:
        case "money":
            return forms.CharField(label=label, required=required, max_length=30,
                                   widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "0.00"}))  # fmt: skip
        case "phone":
            return forms.CharField(label=label, required=required, max_length=30,
                                   widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))  # fmt: skip
        case "number":
            return forms.CharField(label=label, required=required, max_length=30,
                                   widget=forms.TextInput(attrs={"inputmode": "decimal"}))  # fmt: skip
        case "date":
            return forms.CharField(label=label, required=required,
                                   widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
        case "account":
            return forms.CharField(label=label, required=required, max_length=40,
                                   widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))  # fmt: skip
        case "choice":
            choices = [("", _("请选择"))] + [(c, c) for c in spec["choices"]]
            return forms.ChoiceField(label=label, required=required, choices=choices)
        case "bool":
            # A box answers yes or no either way, so a required yes/no field is answered by
            # leaving it unticked too: never required here.
            return forms.BooleanField(label=label, required=False)
    return forms.CharField(label=label, required=required, max_length=2000)
