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
