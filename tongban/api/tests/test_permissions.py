"""Who may read and act on which case, as a table (pretix's test_permissions.py).

`accepted` is carol's online application accepted at 莘县 (alice's office); `intake` is erin's
online application no office has taken on yet. Someone else's case is 404, never 403."""

import pytest

from conftest import act, submit
from tongban.offices.models import Office
from tongban.people.models import Role, User

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

ROWS = [
    # (user, method, url, expected status)
    ("alice", "GET", "/api/v1/cases/{accepted}", 200),
    ("rita", "GET", "/api/v1/cases/{accepted}", 200),
    ("olga", "GET", "/api/v1/cases/{accepted}", 200),
    ("vera", "GET", "/api/v1/cases/{accepted}", 200),
    ("carol", "GET", "/api/v1/cases/{accepted}", 200),
    ("bob", "GET", "/api/v1/cases/{accepted}", 404),
    ("erin", "GET", "/api/v1/cases/{accepted}", 404),
    ("dave", "GET", "/api/v1/cases/{accepted}", 404),
    ("catalog_admin", "GET", "/api/v1/cases/{accepted}", 404),
    (None, "GET", "/api/v1/cases/{accepted}", 401),
    ("alice", "GET", "/api/v1/cases/{accepted}/notices", 200),
    ("carol", "GET", "/api/v1/cases/{accepted}/notices", 200),
    ("bob", "GET", "/api/v1/cases/{accepted}/notices", 404),
    ("erin", "GET", "/api/v1/cases/{accepted}/notices", 404),
    (None, "GET", "/api/v1/cases/{accepted}/notices", 401),
    ("bob", "GET", "/api/v1/cases/{intake}", 200),  # every clerk sees the intake queue
    ("alice", "GET", "/api/v1/cases/{intake}", 200),
    ("olga", "GET", "/api/v1/cases/{intake}", 200),
    ("rita", "GET", "/api/v1/cases/{intake}", 404),  # reviewers see their office's cases
    ("erin", "GET", "/api/v1/cases/{intake}", 200),
    ("carol", "GET", "/api/v1/cases/{intake}", 404),
    ("alice", "GET", "/api/v1/cases/nonexistent-number", 404),
    ("rita", "POST", "/api/v1/cases/{accepted}/actions/approve", 200),
    ("sam", "POST", "/api/v1/cases/{accepted}/actions/approve", 403),  # not his step yet
    ("alice", "POST", "/api/v1/cases/{accepted}/actions/approve", 403),
    ("carol", "POST", "/api/v1/cases/{accepted}/actions/approve", 403),
    ("bob", "POST", "/api/v1/cases/{accepted}/actions/approve", 404),
    ("erin", "POST", "/api/v1/cases/{accepted}/actions/withdraw", 404),
    ("carol", "POST", "/api/v1/cases/{accepted}/actions/withdraw", 200),
    (None, "POST", "/api/v1/cases/{accepted}/actions/withdraw", 401),
    ("bob", "POST", "/api/v1/cases/{intake}/actions/claim", 200),
    ("rita", "POST", "/api/v1/cases/{intake}/actions/claim", 404),
    ("erin", "POST", "/api/v1/cases/{intake}/actions/claim", 403),
    (None, "GET", "/api/v1/cases", 401),
    ("catalog_admin", "GET", "/api/v1/cases", 200),  # an empty queue
    (None, "POST", "/api/v1/cases", 401),
    (None, "POST", "/api/v1/bundle-applications", 401),
    (None, "GET", "/api/v1/items", 200),
    (None, "GET", "/api/v1/offices", 200),
]


@pytest.fixture
def cast(alice, bob, rita, sam, olga, vera, carol, dave, erin):
    admin = User.objects.create_user(
        username="catalog_admin", password=PASSWORD, role=Role.CATALOG_ADMIN,
        office=Office.objects.get(code="371500"),
    )  # fmt: skip
    names = ("alice", "bob", "rita", "sam", "olga", "vera", "carol", "dave", "erin")
    users = dict(zip(names, (alice, bob, rita, sam, olga, vera, carol, dave, erin), strict=True))
    return {**users, "catalog_admin": admin}


@pytest.mark.parametrize("who, method, url, expected", ROWS, ids=[f"{r[0]}-{r[1]}-{r[2]}" for r in ROWS])  # fmt: skip
def test_permission(api, cast, who, method, url, expected):
    accepted = act(cast["alice"], submit(cast["carol"]), "accept")
    intake = submit(cast["erin"])
    client = api(cast[who] if who else None)
    url = url.format(accepted=accepted.number, intake=intake.number)
    response = client.get(url) if method == "GET" else client.post(url, {})
    assert response.status_code == expected, response.content
    if expected == 404 and "nonexistent" not in url:
        assert response.json()["error"]["code"] == "case_not_found"


def test_the_list_never_shows_what_the_detail_would_hide(api, cast):
    accepted = act(cast["alice"], submit(cast["carol"]), "accept")
    for who in ("bob", "erin", "dave", "catalog_admin"):
        numbers = [c["number"] for c in api(cast[who]).get("/api/v1/cases").json()["results"]]
        assert accepted.number not in numbers, who
