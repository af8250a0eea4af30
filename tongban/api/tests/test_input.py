"""The input serializers share one bound set of fields per class (schemas.StrictSerializer):
each call still sees only its own data and its own errors, in any thread."""

import threading

import pytest
from rest_framework import serializers

from tongban.api.schemas import CaseCreateSerializer

GOOD = {
    "item": "YB01003",
    "channel": "window",
    "office": "371522",
    "applicant": {"id_number": "X", "name": "甲", "insured_region": "371521"},
    "materials": ["M1"],
}


def _check(data):
    serializer = CaseCreateSerializer(data=data)
    ok = serializer.is_valid()
    return ok, serializer.validated_data if ok else serializer.errors


def test_a_refused_call_leaves_nothing_for_the_next():
    ok, errors = _check({**GOOD, "applicant": {"name": "甲", "colour": "red"}, "channel": "fax"})
    assert not ok
    assert set(errors) == {"applicant", "channel"}
    ok, data = _check(GOOD)
    assert ok, data
    assert data["applicant"]["name"] == "甲" and data["materials"] == ["M1"]
    ok, errors = _check({"channel": "web"})
    assert not ok and set(errors) == {"item"}


def test_instances_share_the_fields_of_their_class_but_not_their_data():
    one, two = CaseCreateSerializer(data=GOOD), CaseCreateSerializer(data={"item": "x"})
    assert one.fields is two.fields
    assert one.is_valid() and not two.is_valid()
    assert one.validated_data["item"] == "YB01003" and set(two.errors) == {"channel"}


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
    with pytest.raises(serializers.ValidationError) as info:
        CaseCreateSerializer(data={**GOOD, "applicant": {**GOOD["applicant"], "x": 1}}).is_valid(
            raise_exception=True
        )
    assert "x" in info.value.detail["applicant"]


def test_each_language_gets_its_own_messages():
    from django.utils import translation

    def message():
        serializer = CaseCreateSerializer(data={**GOOD, "materials": ["M" * 21]})
        assert not serializer.is_valid()
        return str(serializer.errors["materials"][0][0])

    with translation.override("zh-hans"):
        chinese = message()
    with translation.override("en"):
        english = message()
    with translation.override("zh-hans"):
        assert message() == chinese
    assert "20" in english and english != chinese and english.isascii()
