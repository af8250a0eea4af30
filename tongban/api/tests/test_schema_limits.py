"""The OpenAPI document states the limits the server enforces (issue #12: schemathesis counted
620 schema-valid requests refused): unknown fields refused, non-blank text, the text rules of
lib.text, ID number shapes, known office and item codes, the years a date may have.
test_schemathesis.py holds the server to it; these name each limit."""

import re

import pytest

from tongban.lib.identifiers import ID_NUMBER_PATTERN
from tongban.lib.text import PHONE_PATTERN, name_pattern, text_pattern
from tongban.offices.models import Office

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client, city):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def _request_components(schema):
    return {n: c for n, c in schema["components"]["schemas"].items() if n.endswith("Request")}


def test_every_input_object_refuses_other_properties(schema):
    components = _request_components(schema)
    assert {"CaseCreateRequest", "ApplicantInputRequest", "CaseActionRequest",
            "TokenRequestRequest", "BundleApplicationCreateRequest"} <= set(components)  # fmt: skip
    for name, component in components.items():
        assert component.get("additionalProperties") is False, name


def test_request_text_says_what_the_server_refuses(schema):
    components = schema["components"]["schemas"]
    applicant = components["ApplicantInputRequest"]["properties"]
    assert applicant["name"]["pattern"] == name_pattern()
    assert applicant["phone"]["pattern"] == PHONE_PATTERN
    assert applicant["id_number"]["pattern"] == ID_NUMBER_PATTERN
    assert components["CaseActionRequest"]["properties"]["reason"]["pattern"] == text_pattern()
    token = components["TokenRequestRequest"]["properties"]
    assert not re.search(token["username"]["pattern"], "   ")  # blank once stripped
    assert not re.search(token["username"]["pattern"], "a\x00b")  # DRF refuses NUL


def test_office_and_item_codes_are_the_known_ones(schema, client):
    components = schema["components"]["schemas"]
    offices = sorted(Office.objects.values_list("code", flat=True))
    assert components["OfficeCode"]["enum"] == offices
    assert components["OfficeCodeOrBlank"]["enum"] == [*offices, ""]
    assert "YB07019" in components["ItemCode"]["enum"]
    parameters = {
        p["name"]: p["schema"] for p in schema["paths"]["/api/v1/cases"]["get"]["parameters"]
    }
    assert "#/components/schemas/OfficeCode" in str(parameters["office"])


def test_the_years_of_a_date_are_stated(schema, api, city):
    parameters = {
        p["name"]: p["schema"]
        for p in schema["paths"]["/api/v1/calendar/add-workdays"]["get"]["parameters"]
    }
    pattern = parameters["start"]["pattern"]
    assert re.search(pattern, "1900-01-01") and re.search(pattern, "2999-12-31")
    assert not re.search(pattern, "1899-12-31") and not re.search(pattern, "3000-01-01")
    response = api().get("/api/v1/calendar/add-workdays", {"start": "1899-12-31", "days": 1})
    assert response.status_code == 400
