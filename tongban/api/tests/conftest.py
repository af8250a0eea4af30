"""API test helpers: clients that sign in through POST /api/v1/auth/token like any client."""

from datetime import date

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tongban.lib.identifiers import synthetic_resident_id
from tongban.offices.models import Office
from tongban.people.models import Applicant, Role, User

PASSWORD = "Pw-test-12345"  # the cast's password (root conftest.py)


def sign_in(client: APIClient, user) -> str:
    response = client.post(
        "/api/v1/auth/token", {"username": user.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


@pytest.fixture
def api(db):
    """api(user) is a JSON client carrying a real bearer token of `user`; api() is anonymous."""

    def make(user=None) -> APIClient:
        client = APIClient()
        client.default_format = "json"
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {sign_in(client, user)}")
        return client

    return make


@pytest.fixture
def erin(city):
    """Another applicant, insured in 东昌府区 (371502)."""
    applicant = Applicant.objects.create(
        kind=Applicant.Kind.PERSON,
        id_number=synthetic_resident_id(region="371502", birth=date(1985, 6, 1)),
        name="Erin 李",
        insured_region=Office.objects.get(code="371502"),
    )
    return User.objects.create_user(
        username="erin",
        password=PASSWORD,
        role=Role.APPLICANT,
        applicant=applicant,
        verified_at=timezone.now(),
    )


def error(response) -> dict:
    """The error object of an error response, after checking the body has the agreed shape."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"]) <= {"code", "message", "field"}, body
    assert body["error"]["code"] and body["error"]["message"]
    return body["error"]
