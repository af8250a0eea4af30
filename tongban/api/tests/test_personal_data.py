"""The API masks bank accounts to staff; the full values are one audited read away."""

from conftest import PROMISED_FORM, submit
from tongban.audit.models import AuditEntry


def test_staff_see_the_account_masked_the_applicant_in_full(api, alice, carol):
    case = submit(carol)
    staff = api(alice).get(f"/api/v1/cases/{case.number}").json()
    assert staff["form"] == {"amount": "1280.50", "bank_account": "6222 **** 3445"}
    assert api(carol).get(f"/api/v1/cases/{case.number}").json()["form"] == PROMISED_FORM
    answer = api(alice).post(f"/api/v1/cases/{case.number}/actions/accept").json()
    assert answer["form"]["bank_account"] == "6222 **** 3445"  # every action's answer too


def test_personal_data_is_read_in_full_and_audited(api, alice, carol):
    case = submit(carol)
    response = api(alice).get(f"/api/v1/cases/{case.number}/personal-data")
    assert response.status_code == 200
    assert response.json() == {"id_number": case.applicant.id_number,
                               "phone": "13500000001", "form": PROMISED_FORM, "decision": {}}  # fmt: skip
    (entry,) = AuditEntry.objects.filter(event="personal_data.viewed")
    assert (entry.username, entry.target) == ("alice", case.number)


def test_someone_elses_case_is_404(api, rita, carol, dave):
    case = submit(carol)
    assert api(dave).get(f"/api/v1/cases/{case.number}/personal-data").status_code == 404
    assert api(rita).get(f"/api/v1/cases/{case.number}/personal-data").status_code == 404
    assert api().get(f"/api/v1/cases/{case.number}/personal-data").status_code == 401
    assert not AuditEntry.objects.filter(event="personal_data.viewed").exists()
