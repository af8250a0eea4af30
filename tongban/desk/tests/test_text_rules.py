"""The desk applies lib.text's rules through the services, as the API and the portal do: a
name with an invisible character is refused at its field, a full-width phone is stored as
ASCII, an enquiry's phone in other digits is refused."""

import pytest

from conftest import INSTANT_ITEM
from tongban.consultations.models import Consultation
from tongban.people.models import Applicant

from .conftest import window_data

pytestmark = pytest.mark.django_db

URL = f"/desk/apply/{INSTANT_ITEM}/"


def test_a_name_with_a_right_to_left_override_is_refused_at_its_field(client, alice, new_person_id):
    client.force_login(alice)
    response = client.post(URL, window_data(new_person_id, name="王\u202e五"))
    assert response.status_code == 400
    assert "U+202E" in response.context["form"].errors["name"][0]
    assert not Applicant.objects.exists()


def test_a_full_width_phone_is_stored_as_ascii(client, alice, new_person_id):
    client.force_login(alice)
    response = client.post(URL, window_data(new_person_id, phone="１３８００００００００"))
    assert response.status_code == 302, response.content[:500]
    assert Applicant.objects.get().phone == "13800000000"


def test_an_enquiry_phone_in_other_digits_is_refused(client, alice):
    client.force_login(alice)
    response = client.post("/desk/consultations/", {
        "question": "异地就医怎么备案？", "answer": "已答复", "channel": "phone",
        "asker_phone": "١٣٨٠٠٠٠٠٠٠٠",
    })  # fmt: skip
    assert response.status_code == 400
    assert "0–9" in response.context["form"].errors["asker_phone"][0]
    assert not Consultation.objects.exists()
