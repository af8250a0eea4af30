"""Model fields for personal data sealed at rest (lib.crypto: SM4-GCM, HMAC-SM3 blind indexes).

A SealedField's column holds the sealed text; its attribute holds the plain value. A row read
from the database keeps the sealed text until the attribute is first read, so that code which
loads a record but never shows the value (a case action reads the applicant with the case)
never pays for decrypting it; and a record saved unchanged writes its sealed text back as it
was, without sealing it again. Lookups on a sealed column are refused: it holds a different
text each time the same value is sealed. Exact lookup and uniqueness go through a
BlindIndexField beside it (`blind_q`)."""

import json

from django.core.exceptions import FieldError
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from .crypto import blind_index, blind_indexes, decrypt_str, encrypt_str


class SealedText(str):
    """A value as the column holds it, not yet opened."""

    __slots__ = ()


class SealedAttribute(DeferredAttribute):
    """Opens the sealed text on first read and keeps the plain value."""

    def __get__(self, instance, cls=None):
        value = super().__get__(instance, cls)
        if type(value) is SealedText:
            value = self.field.open(value)
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class SealedField(models.TextField):
    """Text sealed with the data key, bound to "<app>.<model>.<field>"; "" stays "" (nothing
    to hide), None stays NULL."""

    descriptor_class = SealedAttribute

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        self.purpose = f"{cls._meta.label_lower}.{name}"

    def from_db_value(self, value, expression, connection):
        return SealedText(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value or type(value) is SealedText:
            return value  # empty, or read and never opened: as it is stored
        return encrypt_str(value, purpose=self.purpose)

    def open(self, sealed: str):
        return decrypt_str(sealed, purpose=self.purpose)

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(
            f"{self.purpose} is sealed: look it up through its blind index (lib.sealed.blind_q)"
        )

    def get_transform(self, lookup_name):
        return None


class SealedJSONField(SealedField):
    """A JSON object sealed as one value (a case's application form: bank accounts and
    whatever else an item's form asks). Never NULL: an empty object is stored as ""."""

    def from_db_value(self, value, expression, connection):
        return SealedText(value) if value else {}

    def open(self, sealed: str):
        return json.loads(super().open(sealed))

    def get_prep_value(self, value):
        if type(value) is SealedText:
            return value
        if not value:
            return ""
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return encrypt_str(text, purpose=self.purpose)

    def to_python(self, value):
        return value

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj), ensure_ascii=False)


class BlindIndexField(models.CharField):
    """The blind index (HMAC-SM3) of the SealedField `source` of the same model, written on
    every save from the plain value; NULL when the value is empty."""

    def __init__(self, *args, source: str = "", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("null", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        if type(model_instance.__dict__.get(self.source)) is SealedText:
            return getattr(model_instance, self.attname)  # unchanged since read: so is its index
        value = getattr(model_instance, self.source)
        purpose = model_instance._meta.get_field(self.source).purpose
        index = blind_index(value, purpose=purpose) if value else None
        setattr(model_instance, self.attname, index)
        return index


def blind_q(model, field: str, value: str, *, prefix: str = "") -> models.Q:
    """Q for rows of `model` whose sealed `field` equals `value` (by its blind index, under
    every key of the ring while a rotation runs). `prefix` reaches it through a relation:
    blind_q(Applicant, "id_number", n, prefix="applicant__")."""
    index = _index_of(model, field)
    purpose = model._meta.get_field(field).purpose
    return models.Q(**{f"{prefix}{index.name}__in": blind_indexes(value, purpose=purpose)})


def _index_of(model, field: str) -> BlindIndexField:
    for f in model._meta.concrete_fields:
        if isinstance(f, BlindIndexField) and f.source == field:
            return f
    raise FieldError(f"{model._meta.label}.{field} has no blind index")


def seal_column(
    schema_editor,
    table: str,
    column: str,
    *,
    purpose: str,
    index: str = "",
    as_json: bool = False,
    batch: int = 1000,
) -> int:
    """For migrations: seal the values of `table.column` still held in the clear (and write
    their blind index to `index`); values sealed already are left. `as_json`: the column held
    JSON, sealed as SealedJSONField writes it (compact; an empty object as "")."""
    from .crypto import SCHEME

    sealed, last = 0, 0
    connection = schema_editor.connection
    t, c, qn = connection.ops.quote_name(table), connection.ops.quote_name(column), connection.ops.quote_name  # fmt: skip
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                f"SELECT id, {c} FROM {t} WHERE id > %s ORDER BY id LIMIT {batch}", [last]
            )
            rows = cursor.fetchall()
            if not rows:
                return sealed
            for pk, value in rows:
                last = pk
                if not value or value.startswith(SCHEME + "$"):
                    continue
                plain = value
                if as_json:
                    data = json.loads(value)
                    plain = (
                        json.dumps(data, ensure_ascii=False, separators=(",", ":")) if data else ""
                    )
                new = encrypt_str(plain, purpose=purpose) if plain else ""
                sets, params = [f"{c} = %s"], [new]
                if index:
                    sets.append(f"{qn(index)} = %s")
                    params.append(blind_index(plain, purpose=purpose) if plain else None)
                cursor.execute(f"UPDATE {t} SET {', '.join(sets)} WHERE id = %s", [*params, pk])
                sealed += 1
