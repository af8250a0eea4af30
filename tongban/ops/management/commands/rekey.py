"""tongban rekey: seal every sealed field again with the current data key, and index it again.

Step 3 of a key rotation (README, "Keys and backups"): after the new key is first in the ring
on every server. It goes through the rows in batches, each in its own transaction, so the
servers go on working; a row whose value is sealed with the current key already is left as
it is, so the command can be stopped and run again. It ends by saying how many rows still
hold values of other keys (none, when it ran through)."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from tongban.audit.services import record
from tongban.lib.crypto import blind_index, decrypt_str, is_current, keyring, reencrypt
from tongban.lib.sealed import BlindIndexField, SealedField, SealedText

BATCH = 500


def sealed_models() -> list[tuple]:
    """(model, its sealed fields, its blind indexes) of every model with a sealed field."""
    found = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, SealedField)]
        if fields:
            indexes = [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]
            found.append((model, fields, indexes))
    return found


def rekey_model(model, fields, indexes) -> int:
    """Re-seal the rows of `model` not under the current key; returns how many changed."""
    changed, last = 0, 0
    names = [f.attname for f in fields]
    while True:
        with transaction.atomic():
            rows = list(
                model.objects.select_for_update().filter(pk__gt=last).order_by("pk")
                .values_list("pk", *names)[:BATCH]
            )  # fmt: skip
            if not rows:
                return changed
            for pk, *values in rows:
                last = pk
                update = {}
                for field, value in zip(fields, values, strict=True):
                    if value and not is_current(value):
                        # SealedText: written as it is, not sealed once more
                        update[field.attname] = SealedText(reencrypt(value, purpose=field.purpose))
                if not update:
                    continue
                sealed = dict(zip(names, values, strict=True))
                for index in indexes:
                    source = model._meta.get_field(index.source)
                    value = sealed[source.attname]
                    opened = decrypt_str(value, purpose=source.purpose) if value else ""
                    update[index.attname] = (
                        blind_index(opened, purpose=source.purpose) if opened else None
                    )
                model.objects.filter(pk=pk).update(**update)
                changed += 1


class Command(BaseCommand):
    help = "Re-seal every sealed field with the current data key (a key rotation's step 3)."

    def handle(self, *args, **options):
        current = keyring().current.id
        total = 0
        for model, fields, indexes in sealed_models():
            n = rekey_model(model, fields, indexes)
            total += n
            self.stdout.write(f"{model._meta.label}: {n} rows sealed again with key {current}")
        record(event="ops.data_key_rotated", key=current, rows=total)
        self.stdout.write(f"done: {total} rows; every sealed value is now under key {current}")
