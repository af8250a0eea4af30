"""Django forms meet the services: a service's DomainError names the input at fault
(`field`), and the form shows it on that field."""

import re

from django import forms

from tongban.lib.errors import DomainError


def form_add_domain_error(
    form: forms.BaseForm, error: DomainError, mapping: dict | None = None
) -> None:
    """Put `error` on the form field it names, or on the form as a whole.

    `mapping` renames a service's field to the form's ("applicant.id_number" ->
    "applicant_id_number"; a name mapped to None goes on the form). Otherwise "applicant.x" is
    looked up as "x", "form.x" (an item's own form field) as "form_x", and a path into a field
    ("materials[2].code") as the field it starts with, the message saying where inside it."""
    name = error.field or ""
    message = error.message
    if name in (mapping or {}):
        target = mapping[name]
    elif name.startswith("form."):
        target = "form_" + name.removeprefix("form.")
    elif name.startswith("applicant."):
        target = name.removeprefix("applicant.")
    else:  # the field it starts with; the message says where inside it, once
        target = re.split(r"[.\[]", name)[0]
        bare = message.removeprefix(f"{name}: ")
        message = bare if target == name else f"{name}: {bare}"
    form.add_error(target if target in form.fields else None, message)
