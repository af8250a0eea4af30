"""A `?page=` no list has (huge, negative, not a number) shows the first page, never a 500
(issue #12's probe found six desk pages answering 500; lib.paging.page_number holds)."""

import pytest

pytestmark = pytest.mark.django_db

PAGES = [
    ("alice", "/desk/"),
    ("alice", "/desk/consultations/"),
    ("alice", "/desk/consultations/mine/"),
    ("vera", "/desk/supervision/"),
    ("vera", "/desk/supervision/rectifications/"),
    ("vera", "/desk/supervision/appeals/"),
    ("vera", "/desk/supervision/notifications/"),
    ("vera", "/desk/stats/cases/?figure=received"),
]


@pytest.mark.parametrize("page", ["100001", "9" * 30, "9" * 5000, "-5", "1e9", "0x10", "\x00"])
@pytest.mark.parametrize("who, url", PAGES)
def test_any_page_number_shows_a_page(client, request, who, url, page):
    client.force_login(request.getfixturevalue(who))
    path, _, query = url.partition("?")
    params = dict(p.split("=") for p in query.split("&") if p)
    response = client.get(path, {**params, "page": page})
    assert response.status_code == 200
