"""An item's own application form (ItemVersion.form) as Django form fields, for the desk's
window application and the portal's online one alike.

The fields only collect: what a value must be is form_clean()'s to check (catalog.services),
the same for the pages and the API, and its errors come back on the field they name
("form.<name>", lib.forms.form_add_domain_error)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ItemVersion

PREFIX = "form_"  # a page's field for the item's field "amount" is "form_amount"


def item_form_fields(version: ItemVersion) -> dict[str, forms.Field]:
    """A field per field of the version's form, named PREFIX + its name, in order."""
    return {PREFIX + spec["name"]: _field(spec) for spec in version.form}


def item_form_data(version: ItemVersion, cleaned_data: dict) -> dict:
    """The item's form from a page's cleaned data, as form_clean() takes it: what was filled
    in, and every yes/no field (an unticked box is an answer: no)."""
    out = {}
    for spec in version.form:
        value = cleaned_data.get(PREFIX + spec["name"])
        if spec["type"] == "bool":
            out[spec["name"]] = bool(value)
        elif value not in (None, ""):
            out[spec["name"]] = value
    return out


def _field(spec: dict) -> forms.Field:
    label, required = spec["label"], spec["required"]
    match spec["type"]:
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
