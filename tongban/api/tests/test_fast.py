"""tongban.api.fast: the short way for bearer-token JSON calls answers exactly as DRF's whole
path does, and what it cannot answer itself takes the whole path."""

import json

import pytest
from rest_framework.permissions import BasePermission
from rest_framework.throttling import BaseThrottle

from conftest import PROMISED_FORM, PROMISED_ITEM, submit
from tongban.api import views
from tongban.people.services import user_save

from .conftest import error

pytestmark = pytest.mark.django_db

FAST_VIEWS = (views.CaseCollectionView, views.CaseDetailView, views.CaseActionView)
ONLINE = {"item": PROMISED_ITEM, "channel": "web", "materials": ["M1", "M2", "M3", "M4"],
          "form": PROMISED_FORM}  # fmt: skip


@pytest.fixture
def whole_path(monkeypatch):
    """Turns the short way off, so that the same request takes DRF's whole path."""

    def off():
        for view in FAST_VIEWS:
            monkeypatch.setattr(view, "fast_methods", ())

    return off


def _seen(response) -> tuple:
    headers = {k: v for k, v in response.headers.items() if k not in ("Date", "Location")}
    return response.status_code, headers, response.json()


def _calls(client, numbers):
    """A read, a refused action, a bad argument, a list, a case not found."""
    first, second = numbers
    return [
        client.get(f"/api/v1/cases/{first}"),
        client.post(f"/api/v1/cases/{first}/actions/approve", {}),
        client.post(f"/api/v1/cases/{first}/actions/accept", {"reason": 3, "nonsense": 1}),
        client.post(f"/api/v1/cases/{second}/actions/reject", {}),
        client.get("/api/v1/cases?status=submitted"),
        client.get("/api/v1/cases/371500-20250101-999999"),
    ]


def test_both_paths_answer_alike(api, carol, alice, whole_path):
    numbers = [submit(carol).number, submit(carol).number]
    clerk = api(alice)
    fast = [_seen(r) for r in _calls(clerk, numbers)]
    whole_path()
    assert [_seen(r) for r in _calls(clerk, numbers)] == fast
    assert [status for status, *_ in fast] == [200, 409, 400, 400, 200, 404]
    assert fast[0][1]["Allow"] == "GET, HEAD, OPTIONS"
    assert fast[0][1]["Content-Type"] == "application/json"


def test_an_action_and_an_application_take_the_short_way(api, carol, alice, whole_path):
    applicant, clerk = api(carol), api(alice)
    created = applicant.post("/api/v1/cases", ONLINE, headers={"Idempotency-Key": "k1"})
    accepted = clerk.post(f"/api/v1/cases/{created.json()['number']}/actions/accept", {})
    replayed = applicant.post("/api/v1/cases", ONLINE, headers={"Idempotency-Key": "k1"})
    assert (created.status_code, accepted.status_code, replayed.status_code) == (201, 200, 201)
    assert replayed["Idempotent-Replayed"] == "true"
    assert replayed.json()["number"] == created.json()["number"]
    assert accepted.json()["status"] == "accepted"
    whole_path()
    again = applicant.post("/api/v1/cases", ONLINE, headers={"Idempotency-Key": "k1"})
    assert _seen(again) == _seen(replayed)


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b"[1, 2]", "application/json", 400, "invalid"),
        (b'{"reason": NaN}', "application/json", 400, "malformed_json"),
        (b'{"reason": "x"', "application/json", 400, "malformed_json"),
        (b"\xff\xfe{}", "application/json", 400, "malformed_json"),
        (b"reason=x", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    ],
)
def test_what_the_short_way_leaves_to_drf(api, online_case, alice, body, content_type, status,
                                          code):  # fmt: skip
    response = api(alice).generic(
        "POST", f"/api/v1/cases/{online_case.number}/actions/accept", body, content_type
    )
    assert response.status_code == status, response.content
    assert error(response)["code"] == code
    online_case.refresh_from_db()
    assert online_case.status == "submitted"


def test_an_unknown_or_malformed_token_is_401_either_way(api, online_case):
    for header in ("Bearer nosuchtoken", "Bearer two words", "Bearer "):
        client = api()
        client.credentials(HTTP_AUTHORIZATION=header)
        response = client.get(f"/api/v1/cases/{online_case.number}")
        assert response.status_code == 401, (header, response.content)
        assert error(response)["code"] in ("authentication_failed", "not_authenticated")


def test_a_deactivated_user_is_refused_at_once(api, online_case, alice, settings):
    client = api(alice)
    assert client.get(f"/api/v1/cases/{online_case.number}").status_code == 200
    alice.is_active = False
    user_save(user=alice)
    response = client.get(f"/api/v1/cases/{online_case.number}")
    assert response.status_code == 401
    assert json.loads(response.content)["error"]["code"] == "authentication_failed"


class _StaffOnly(BasePermission):
    message = "staff only"

    def has_permission(self, request, view):
        return request.user.role != "applicant"


class _Closed(BaseThrottle):
    def allow_request(self, request, view):
        return False

    def wait(self):
        return 7


@pytest.mark.parametrize(
    "attribute, rule, status",
    [("permission_classes", _StaffOnly, 403), ("throttle_classes", _Closed, 429)],
)
def test_a_views_permission_and_throttle_hold_on_the_short_way(
    api, carol, whole_path, monkeypatch, attribute, rule, status
):
    """A rule added to a view later must not be skipped by the short way (DRF's initial())."""
    number = submit(carol).number
    for view in FAST_VIEWS:
        monkeypatch.setattr(view, attribute, [*getattr(view, attribute), rule])
    client = api(carol)
    fast = _seen(client.get(f"/api/v1/cases/{number}"))
    fast_post = _seen(client.post(f"/api/v1/cases/{number}/actions/withdraw", {}))
    whole_path()
    assert _seen(client.get(f"/api/v1/cases/{number}")) == fast
    assert _seen(client.post(f"/api/v1/cases/{number}/actions/withdraw", {})) == fast_post
    assert fast[0] == fast_post[0] == status
    submit_case = carol.applicant.cases.get(number=number)
    assert submit_case.status == "submitted"  # the refused withdrawal changed nothing
