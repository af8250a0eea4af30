"""The OpenAPI document: generated without warnings, every reference resolves, and every
operation declares its errors (so schemathesis can hold the API to it)."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

WRITES = {"400", "401", "403", "404", "409", "413", "415"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_the_schema_builds_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "s.yaml")


def _refs(node):
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_every_reference_resolves(schema):
    components = schema["components"]["schemas"]
    for ref in set(_refs(schema)):
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.rsplit("/", 1)[1] in components, ref


def test_every_operation_declares_its_errors(schema):
    operations = {
        (method.upper(), path): op
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/")
        for method, op in item.items()
    }
    assert {
        ("POST", "/api/v1/auth/token"),
        ("GET", "/api/v1/offices"),
        ("GET", "/api/v1/items"),
        ("GET", "/api/v1/items/{code}"),
        ("GET", "/api/v1/cases"),
        ("POST", "/api/v1/cases"),
        ("GET", "/api/v1/cases/{number}"),
        ("POST", "/api/v1/cases/{number}/actions/{action}"),
        ("GET", "/api/v1/cases/{number}/notices"),
        ("GET", "/api/v1/calendar/add-workdays"),
        ("GET", "/api/v1/agreements"),
        ("GET", "/api/v1/bundles"),
        ("POST", "/api/v1/bundle-applications"),
    } <= set(operations)
    for (method, path), op in operations.items():
        statuses = set(op["responses"])
        assert statuses & {"200", "201", "204"}, (method, path)
        if path != "/api/v1/auth/token":
            assert "401" in statuses, (method, path)
        if method == "POST" and path != "/api/v1/auth/token":
            assert WRITES <= statuses, (method, path)
        for status, response in op["responses"].items():
            if status.startswith("4"):
                body = response["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/Error"}, (method, path, status)
