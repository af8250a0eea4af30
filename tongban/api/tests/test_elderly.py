"""特殊群体: the elderly are told by the birth date in their ID number, and shown so on the
desk's queue rows, the case page and the API's case answers."""

from datetime import date

from django.utils import timezone

from conftest import authorise, submit
from tongban.lib.identifiers import synthetic_resident_id, synthetic_uscc
from tongban.offices.models import Office
from tongban.people.models import Applicant


def _person(born: date, **kw) -> Applicant:
    return Applicant(
        kind="person",
        id_number=synthetic_resident_id(region="371522", birth=born),
        name="某人",
        **kw,
    )


def test_seventy_or_more_by_the_id_number_is_elderly(settings):
    today = timezone.localdate()
    assert _person(date(today.year - 80, 1, 1)).elderly
    assert not _person(date(today.year - 40, 1, 1)).elderly
    assert not Applicant(kind="employer", id_number=synthetic_uscc(region="371522", seq=1)).elderly
    settings.TONGBAN_ELDERLY_AGE = 90
    assert not _person(date(today.year - 80, 1, 1)).elderly


def test_the_desk_and_the_api_show_it(client, alice, dave, api):
    today = timezone.localdate()
    old = Applicant.objects.create(
        kind="person", id_number=synthetic_resident_id(region="371522", birth=date(today.year - 85, 2, 3)),
        name="钱爷爷", phone="13700000055", insured_region=Office.objects.get(code="371522"),
    )  # fmt: skip
    authorise(old, dave)
    case = submit(dave, applicant=old)
    client.force_login(alice)
    assert "长者" in client.get("/desk/?scope=intake").content.decode()  # the queue row
    assert "长者" in client.get(f"/desk/cases/{case.number}/").content.decode()
    assert api(alice).get(f"/api/v1/cases/{case.number}").json()["applicant"]["elderly"] is True
