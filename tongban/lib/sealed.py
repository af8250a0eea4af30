"""Model fields for personal data sealed at rest (lib.crypto: SM4-GCM, HMAC-SM3 blind indexes).

A SealedField's column holds the sealed text; its attribute holds the plain value. A row read
from the database keeps the sealed text until the attribute is first read, so that code which
loads a record but never shows the value (a case action reads the applicant with the case)
never pays for decrypting it; and a record saved unchanged writes its sealed text back as it
was, without sealing it again. Lookups on a sealed column are refused: it holds a different
text each time the same value is sealed. Exact lookup and uniqueness go through a
BlindIndexField beside it (`blind_q`)."""

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
            value = decrypt_str(value, purpose=self.field.purpose)
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

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(
            f"{self.purpose} is sealed: look it up through its blind index (lib.sealed.blind_q)"
        )

    def get_transform(self, lookup_name):
        return None


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
