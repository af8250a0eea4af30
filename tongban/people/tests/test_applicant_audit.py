"""A change to an applicant's details is audited with who made it (issue #12): the clerk or
agent who applied for them, from their office."""

import pytest

from conftest import INSTANT_ITEM, submit
from tongban.audit.models import AuditEntry
from tongban.people.services import applicant_upsert


def _details(applicant, **changes):
    return {"id_number": applicant.id_number, "name": applicant.name, "phone": applicant.phone,
            "insured_region": applicant.insured_region.code, **changes}  # fmt: skip


def test_a_window_application_that_changes_a_phone_names_the_clerk(alice, carol_applicant):
    submit(alice, INSTANT_ITEM, channel="window", materials=["M1"],
           applicant={**_details(carol_applicant, phone="13900000009"), "identity_shown": True})  # fmt: skip
    entry = AuditEntry.objects.get(event="people.applicant_updated")
    assert entry.user == alice and entry.username == "alice"
    assert entry.office_id == alice.office_id
    assert entry.target == str(carol_applicant.pk)
    assert entry.data["changed"] == {"phone": ["135****0001", "139****0009"]}  # masked
    assert entry.data["confirmed"] == "identity_shown"


def test_nobody_changes_a_phone_or_region_silently(alice, carol_applicant):
    from tongban.lib.errors import InvalidInput

    for change, field in (({"phone": "13900000009"}, "applicant.phone"),
                          ({"insured_region": "371522"}, "applicant.insured_region")):  # fmt: skip
        with pytest.raises(InvalidInput) as refused:
            applicant_upsert(**_details(carol_applicant, **change), by=alice)
        assert (refused.value.code, refused.value.field) == ("contact_change_unconfirmed", field)
    carol_applicant.refresh_from_db()
    assert (carol_applicant.phone, carol_applicant.insured_region.code) == ("13500000001", "371581")
    assert not AuditEntry.objects.filter(event="people.applicant_updated").exists()


def test_the_caller_names_who_changed_the_details(dave, carol_applicant):
    applicant_upsert(**_details(carol_applicant, phone="13900000008"), by=dave, identity_shown=True)
    assert AuditEntry.objects.get(event="people.applicant_updated").user == dave


def test_an_unchanged_applicant_writes_no_entry(alice, carol_applicant):
    applicant_upsert(**_details(carol_applicant), by=alice)
    assert not AuditEntry.objects.filter(event="people.applicant_updated").exists()
