import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN = reverse("portal:login")


def test_an_applicant_signs_in_and_lands_on_my_cases(client, carol):
    response = client.post(LOGIN, {"username": "carol", "password": "Pw-test-12345"})
    assert response.status_code == 302 and response["Location"] == reverse("portal:my-cases")


def test_sign_in_returns_to_the_page_asked_for(client, carol):
    url = reverse("portal:apply", args=["YB07019"])
    response = client.post(LOGIN + f"?next={url}", {"username": "carol", "password": "Pw-test-12345",
                                                    "next": url})  # fmt: skip
    assert response["Location"] == url


def test_staff_are_pointed_to_the_desk(client, alice):
    response = client.post(LOGIN, {"username": "alice", "password": "Pw-test-12345"})
    assert response.status_code == 200
    assert "工作人员请从" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failures_pause_the_account(client, carol):
    for _ in range(5):
        client.post(LOGIN, {"username": "carol", "password": "wrong-password"})
    response = client.post(LOGIN, {"username": "carol", "password": "Pw-test-12345"})
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_out(client, carol):
    client.force_login(carol)
    response = client.post(reverse("portal:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
