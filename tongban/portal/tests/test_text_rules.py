"""The portal applies lib.text's rules through the services, as the API and the desk do."""

from datetime import date

import pytest

from conftest import authorise
from tongban.cases.models import Case
from tongban.lib.identifiers import synthetic_resident_id
from tongban.people.models import Applicant

from .test_apply import _post

pytestmark = pytest.mark.django_db


def test_an_agent_cannot_name_someone_with_a_zero_width_space(client, dave, city):
    client.force_login(dave)
    response = _post(client, applicant_id_number=synthetic_resident_id(region="371522",
                     birth=date(1950, 1, 2)), applicant_name="赵\u200b大爷",
                     applicant_region="371522")  # fmt: skip
    assert response.status_code == 400
    assert "U+200B" in response.content.decode()
    assert not Case.objects.exists() and not Applicant.objects.exists()


def test_a_fifteen_digit_id_number_is_the_person_of_its_eighteen_digit_form(client, dave, city):
    new = synthetic_resident_id(region="371522", birth=date(1950, 1, 2))
    person = Applicant.objects.create(kind="person", id_number=new, name="赵大爷",
                                      insured_region_id=city.__class__.objects.get(code="371522").pk)  # fmt: skip
    authorise(person, dave)
    client.force_login(dave)
    response = _post(client, applicant_id_number=new[:6] + new[8:17], applicant_name="赵大爷",
                     applicant_region="371522")  # fmt: skip
    assert response.status_code == 302
    assert Case.objects.get().applicant.id_number == new
    assert Applicant.objects.count() == 1
