import pytest

pytestmark = pytest.mark.django_db


def test_operators_read_cases_and_history_but_cannot_change_them(admin_client, accepted_case):
    assert admin_client.get("/admin/cases/case/").status_code == 200
    page = admin_client.get(f"/admin/cases/case/{accepted_case.pk}/change/")
    assert page.status_code == 200 and accepted_case.number in page.content.decode()
    event = accepted_case.events.first()
    assert admin_client.get(f"/admin/cases/caseevent/{event.pk}/delete/").status_code == 403
    assert admin_client.get("/admin/cases/caseevent/add/").status_code == 403
    assert admin_client.get("/admin/cases/case/add/").status_code == 403


def test_not_even_a_superuser_edits_a_case_behind_the_lifecycle(admin_client, accepted_case):
    """#12's probe: the amount 1280.50 → 88000.00 through the admin's change form."""
    url = f"/admin/cases/case/{accepted_case.pk}/change/"
    form = {"form": '{"amount": "88000.00", "bank_account": "6222000000000000000"}'}
    response = admin_client.post(url, form)
    assert response.status_code == 403
    accepted_case.refresh_from_db()
    assert accepted_case.form["amount"] == "1280.50"
    assert "<textarea" not in admin_client.get(url).content.decode()  # nothing to edit


def test_an_applicants_identity_is_read_only_in_the_admin(admin_client, carol_applicant):
    url = f"/admin/people/applicant/{carol_applicant.pk}/change/"
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"name": "别人", "phone": "13900000000"}).status_code == 403
    carol_applicant.refresh_from_db()
    assert carol_applicant.name == "Carol 王"
