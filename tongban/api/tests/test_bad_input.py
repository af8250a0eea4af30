"""Bad input gets a clear 4xx (issue #12's probe): deeply nested JSON on every JSON endpoint,
huge values that error messages must not repeat, names with invisible characters, phones in
other digits, and a 15-digit ID number that is the same person as its 18-digit form."""

import json
from datetime import date

import pytest

from conftest import INSTANT_ITEM
from tongban.api.parsers import JSON_DEPTH, too_deep
from tongban.consultations.services import consultation_log
from tongban.lib.identifiers import synthetic_resident_id
from tongban.people.models import Applicant

from .conftest import error

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 50_000 + "1" + "}" * 50_000


@pytest.fixture
def open_consultation(alice):
    return consultation_log(
        clerk=alice, question="异地就医怎么备案？", answer="稍后回复", close=False
    )


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["arrays", "objects"])
def test_deeply_nested_json_is_400_on_every_json_endpoint(
    api, alice, carol, online_case, open_consultation, body
):
    number, pk = online_case.number, open_consultation.pk
    for who, url in [
        (None, "/api/v1/auth/token"),
        (carol, "/api/v1/cases"),  # the short way (api/fast.py)
        (carol, f"/api/v1/cases/{number}/evaluation"),
        (carol, "/api/v1/bundle-applications"),
        (alice, f"/api/v1/cases/{number}/actions/claim"),  # the short way
        (alice, f"/api/v1/consultations/{pk}/hand-on"),
        (alice, f"/api/v1/consultations/{pk}/close"),
    ]:
        response = api(who).post(url, body, content_type="application/json")
        assert response.status_code == 400, (url, response.content[:200])
        err = error(response)
        assert err["code"] == "json_too_deep", (url, err)
        assert str(JSON_DEPTH) in err["message"]


def test_deeply_nested_json_is_400_for_a_session_too(client, alice, online_case):
    client.force_login(alice)
    response = client.post(
        f"/api/v1/cases/{online_case.number}/actions/claim", DEEP, content_type="application/json"
    )
    assert (response.status_code, error(response)["code"]) == (400, "json_too_deep")


def test_nesting_within_the_limit_reaches_the_service(api, carol):
    form = {"note": json.loads("[" * (JSON_DEPTH - 2) + "]" * (JSON_DEPTH - 2))}
    response = api(carol).post(
        "/api/v1/cases", {"item": INSTANT_ITEM, "channel": "web", "form": form}
    )
    assert response.status_code == 400
    assert error(response)["code"] == "invalid_form"  # the item's form, not the parser


def test_brackets_inside_strings_do_not_count():
    assert not too_deep(json.dumps({"reason": "[" * 1000 + "{" * 1000}))
    assert not too_deep("[" * JSON_DEPTH + "]" * JSON_DEPTH)
    assert too_deep("[" * (JSON_DEPTH + 1) + "]" * (JSON_DEPTH + 1))
    assert too_deep('{"a": "\\"[", "b":' + "[" * 40 + "]" * 40 + "}")


# --- error messages quote a short prefix ------------------------------------------------------

HUGE = "Z" * 500_000


@pytest.mark.parametrize(
    "url, body",
    [
        ("/api/v1/cases", {"item": INSTANT_ITEM, "channel": HUGE}),  # an enum
        ("/api/v1/cases", {HUGE: 1}),  # an unknown field
        ("/api/v1/cases", {"item": INSTANT_ITEM, "channel": "web", "form": {HUGE: 1}}),
        ("/api/v1/cases", {"item": "YB07019", "channel": "web", "form": {"amount": HUGE}}),
        ("/api/v1/auth/token", {"username": "a", "password": "b", HUGE: 1}),
    ],
)
def test_an_error_never_repeats_a_huge_value(api, carol, url, body):
    response = api(carol).post(url, body)
    assert response.status_code == 400
    assert len(response.content) < 1000, response.content[:300]
    err = error(response)
    assert "ZZZZ" in err["message"] + err.get("field", "")  # a prefix names it


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cases?status=" + HUGE[:100_000],
        "/api/v1/calendar/add-workdays?days=1&start=" + HUGE[:100_000],
        "/api/v1/cases?" + HUGE[:100_000] + "=1",
    ],
)
def test_a_query_error_never_repeats_a_huge_value(api, vera, url):
    response = api(vera).get(url)
    assert response.status_code == 400
    assert len(response.content) < 1000, response.content[:300]


# --- names, phones and ID numbers, through the API -------------------------------------------


def window_application(name="王五", phone="13500000000", id_number=None):
    return {
        "item": INSTANT_ITEM, "channel": "window", "materials": ["M1"],
        "applicant": {
            "id_number": id_number or synthetic_resident_id(region="371581", birth=date(1970, 3, 2)),
            "name": name, "phone": phone, "insured_region": "371581",
        },
    }  # fmt: skip


@pytest.mark.parametrize("name", ["王\u202e五", "王\u200b五", "王\n五"])
def test_a_name_with_an_invisible_character_is_refused(api, alice, name):
    response = api(alice).post("/api/v1/cases", window_application(name=name))
    err = error(response)
    assert (response.status_code, err["code"], err["field"]) == (
        400, "invalid_characters", "applicant.name"
    )  # fmt: skip
    assert not Applicant.objects.exists()


def test_full_width_phone_digits_are_stored_as_ascii(api, alice):
    response = api(alice).post("/api/v1/cases", window_application(phone="１３５００００００００"))
    assert response.status_code == 201, response.content
    assert Applicant.objects.get().phone == "13500000000"


def test_arabic_indic_phone_digits_are_refused(api, alice):
    response = api(alice).post("/api/v1/cases", window_application(phone="١٣٥٠٠٠٠٠٠٠٠"))
    err = error(response)
    assert (response.status_code, err["code"], err["field"]) == (
        400, "invalid_phone", "applicant.phone"
    )  # fmt: skip
    assert not Applicant.objects.exists()


def test_a_fifteen_digit_id_number_finds_the_same_person(api, alice):
    new = synthetic_resident_id(region="371581", birth=date(1970, 3, 2))
    old = new[:6] + new[8:17]  # the first-generation card: no century, no check character
    client = api(alice)
    assert client.post("/api/v1/cases", window_application(id_number=new)).status_code == 201
    response = client.post("/api/v1/cases", window_application(id_number=old))
    assert response.status_code == 201, response.content
    assert [a.id_number for a in Applicant.objects.all()] == [new]
    assert response.json()["applicant"]["masked_id"] == f"{new[:6]}********{new[-4:]}"
