from .models import Office

# An office's code is its identity (the division code): kept per process once read.
_CODES: dict[int, str] = {}


def office_codes(pks) -> dict[int, str]:
    """{pk: division code} for the given office pks; a query only for pks not seen before."""
    missing = {pk for pk in pks if pk is not None and pk not in _CODES}
    if missing:
        _CODES.update(Office.objects.filter(pk__in=missing).values_list("pk", "code"))
    return {pk: _CODES[pk] for pk in pks if pk in _CODES}


def office_codes_cache_clear() -> None:
    _CODES.clear()
