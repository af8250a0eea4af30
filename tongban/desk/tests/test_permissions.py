"""Who may open which desk page (pretix's test_permissions style): a table of
(user, url, expected status). Someone else's case is 404, not 403."""

import pytest

from conftest import INSTANT_ITEM, PROMISED_ITEM, act

ANON = None
PAGES = [
    # (user fixture, url, status)
    (ANON, "/desk/", 302),
    (ANON, "/desk/login/", 200),
    (ANON, "/desk/apply/", 302),
    (ANON, "/desk/cases/{accepted}/", 302),
    (ANON, "/desk/consultations/", 302),
    (ANON, "/desk/policies/", 302),
    ("carol", "/desk/", 302),  # applicants are sent to the portal
    ("carol", "/desk/cases/{accepted}/", 302),
    ("alice", "/desk/", 200),
    ("alice", "/desk/?scope=intake", 200),
    ("alice", "/desk/apply/", 200),
    ("alice", f"/desk/apply/{INSTANT_ITEM}/", 200),
    ("alice", "/desk/apply/NOPE/", 404),
    ("alice", "/desk/cases/{accepted}/", 200),
    ("alice", "/desk/cases/{submitted}/", 200),  # the city-wide intake
    ("alice", "/desk/cases/371500-20000101-999999/", 404),
    ("alice", "/desk/consultations/", 200),
    ("alice", "/desk/policies/", 200),
    ("alice", f"/desk/items/{PROMISED_ITEM}/", 200),
    ("bob", "/desk/", 200),
    ("bob", "/desk/cases/{accepted}/", 404),  # accepted by alice's office: not bob's
    ("bob", "/desk/cases/{submitted}/", 200),
    ("rita", "/desk/", 200),
    ("rita", "/desk/?scope=review", 200),
    ("rita", "/desk/apply/", 200),  # may look items up
    ("rita", f"/desk/apply/{INSTANT_ITEM}/", 403),  # only clerks take window applications
    ("rita", "/desk/cases/{accepted}/", 200),
    ("rita", "/desk/cases/{submitted}/", 404),  # reviewers see only their office's cases
    ("sam", "/desk/cases/{accepted}/", 200),
    ("olga", "/desk/", 200),
    ("olga", "/desk/cases/{accepted}/", 200),
    ("olga", f"/desk/apply/{INSTANT_ITEM}/", 403),
    ("vera", "/desk/", 200),
    ("vera", "/desk/?office=371522", 200),
    ("vera", "/desk/cases/{accepted}/", 200),
    ("dave", "/desk/", 200),
    ("dave", "/desk/cases/{accepted}/", 404),
    ("dave", "/desk/consultations/", 404),
    ("dave", f"/desk/apply/{INSTANT_ITEM}/", 403),
]


@pytest.fixture
def cases(carol, alice):
    from conftest import submit

    accepted = act(alice, submit(carol), "accept")
    submitted = submit(carol)
    return {"accepted": accepted.number, "submitted": submitted.number}


@pytest.mark.parametrize(("who", "url", "status"), PAGES)
def test_page_access(request, client, cases, who, url, status):
    if who:
        client.force_login(request.getfixturevalue(who))
    response = client.get(url.format(**cases))
    assert response.status_code == status


def test_anonymous_users_go_to_the_sign_in_page(client, city):
    response = client.get("/desk/")
    assert response["Location"].startswith("/desk/login/?next=/desk/")


def test_applicants_go_to_the_portal(client, carol):
    client.force_login(carol)
    assert client.get("/desk/")["Location"] == "/"


def test_administrators_get_no_desk(client, city):
    from tongban.people.models import Role, User

    admin = User.objects.create_user(username="cat", password="x", role=Role.CATALOG_ADMIN)
    client.force_login(admin)
    assert client.get("/desk/").status_code == 403


@pytest.mark.parametrize("action", ["accept", "approve", "transfer"])
def test_actions_on_someone_elses_case_are_404(client, bob, cases, action):
    client.force_login(bob)
    response = client.post(f"/desk/cases/{cases['accepted']}/{action}/", {"reason": "x"})
    assert response.status_code == 404


def test_actions_need_post(client, alice, cases):
    client.force_login(alice)
    assert client.get(f"/desk/cases/{cases['submitted']}/accept/").status_code == 405
