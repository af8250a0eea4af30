"""Input is checked by schemas.validated, which binds each input serializer's fields once per
class and language and shares them: each call still sees only its own data and its own
errors, in any thread, and the schema's generation does not write into them."""

import threading

import pytest
from rest_framework import serializers

from tongban.api import schemas
from tongban.api.schemas import CaseCreateSerializer, validated

GOOD = {
    "item": "YB01003",
    "channel": "window",
    "office": "371522",
    "applicant": {"id_number": "X", "name": "甲", "insured_region": "371521"},
    "materials": ["M1"],
}


def _check(data):
    try:
        return True, validated(CaseCreateSerializer, data)
    except serializers.ValidationError as e:
        return False, e.detail


def test_a_refused_call_leaves_nothing_for_the_next():
    ok, errors = _check({**GOOD, "applicant": {"name": "甲", "colour": "red"}, "channel": "fax"})
    assert not ok
    assert set(errors) == {"applicant", "channel"}
    ok, data = _check(GOOD)
    assert ok, data
    assert data["applicant"]["name"] == "甲" and data["materials"] == ["M1"]
    ok, errors = _check({"channel": "web"})
    assert not ok and set(errors) == {"item"}


def test_calls_share_the_fields_of_their_class():
    from django.utils.translation import get_language

    _check(GOOD)
    first = schemas._BOUND[CaseCreateSerializer, get_language()]
    _check({"item": "x"})
    assert schemas._BOUND[CaseCreateSerializer, get_language()] is first


def test_threads_validating_at_once_see_their_own_data():
    seen, barrier = {}, threading.Barrier(8)

    def run(i):
        barrier.wait()
        for _ in range(200):
            data = {**GOOD, "item": f"YB{i:05d}", "materials": [f"M{i}"] * (i % 3)}
            if i % 2:
                data["applicant"] = {"name": f"人{i}"}  # refused: id_number, insured_region
            ok, out = _check(data)
            assert ok == (i % 2 == 0), out
            if ok:
                assert out["item"] == f"YB{i:05d}" and out["materials"] == [f"M{i}"] * (i % 3)
            else:
                assert set(out["applicant"]) == {"id_number", "insured_region"}
        seen[i] = True

    threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(seen) == list(range(8))


def test_a_nested_serializer_refuses_unknown_fields_too():
    ok, errors = _check({**GOOD, "applicant": {**GOOD["applicant"], "x": 1}})
    assert not ok and "x" in errors["applicant"]


def test_each_language_gets_its_own_messages():
    from django.utils import translation

    def message():
        ok, errors = _check({**GOOD, "materials": ["M" * 21]})
        assert not ok
        return str(errors["materials"][0][0])

    with translation.override("zh-hans"):
        chinese = message()
    with translation.override("en"):
        english = message()
    with translation.override("zh-hans"):
        assert message() == chinese
    assert "20" in english and english != chinese and english.isascii()


@pytest.mark.django_db
def test_generating_the_schema_leaves_the_shared_fields_without_a_context(alice):
    from rest_framework.test import APIClient

    _check(GOOD)  # the shared fields exist
    client = APIClient()
    client.force_authenticate(user=alice)
    assert client.get("/api/schema/?format=json").status_code == 200
    for bound in schemas._BOUND.values():
        assert bound.serializer._context == {}
        for field in bound.values():
            assert getattr(field.root, "_context", {}) == {}
    assert _check(GOOD)[0]
