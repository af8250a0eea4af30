from datetime import date

import pytest

from tongban.lib.identifiers import synthetic_resident_id


@pytest.fixture
def signed_in(client):
    """signed_in(user) -> the test client, signed in as user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def new_person_id():
    """A valid synthetic ID number of someone not yet known (insured in 莘县)."""
    return synthetic_resident_id(region="371522", birth=date(1985, 6, 15), seq=3)


def window_data(id_number, decision="accept", **overrides):
    """A complete window application for the instant item YB01003 (one main material)."""
    data = {
        "id_number": id_number, "name": "测试申请人", "phone": "13800000000",
        "insured_region": "371522", "materials": ["M1"], "decision": decision,
    }  # fmt: skip
    data.update(overrides)
    return data
