"""Pages stay light: a constant number of queries, whatever the data behind them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import PROMISED_ITEM, act, submit
from tongban.cases.attachments import attachment_add

from .samples import pdf_bytes, upload

pytestmark = pytest.mark.django_db


def _queries(client, url, method="get", data=None) -> int:
    """Queries of one request, the session included (SESSION_SAVE_EVERY_REQUEST: 3 of them)."""
    getattr(client, method)(url, data or {})  # warm: the first request after a login differs
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {})
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/", "/?q=报销", f"/items/{PROMISED_ITEM}/"])
def test_the_public_pages_take_a_few_queries(client, city, url):
    assert _queries(client, url) <= 2


def test_my_cases_does_not_grow_with_the_cases(carol_client, carol):
    submit(carol)
    few = _queries(carol_client, reverse("portal:my-cases"))
    for _ in range(25):
        submit(carol)
    assert _queries(carol_client, reverse("portal:my-cases")) == few <= 7


def test_the_case_page_does_not_grow_with_its_history(carol_client, carol, alice):
    case = submit(carol, materials=["M1"])
    few = _queries(carol_client, reverse("portal:case", args=[case.number]))
    act(alice, case, "request_supplement", missing_materials=["M2", "M3", "M4"])
    act(carol, case, "supplement", materials=["M2", "M3", "M4"])
    for code in ("M2", "M3", "M4"):
        attachment_add(
            case=case, material=code, file=upload(f"{code}.pdf", pdf_bytes()), user=carol
        )
    act(alice, case, "accept")
    many = _queries(carol_client, reverse("portal:case", args=[case.number]))
    assert many == few <= 10


def test_the_lookup_takes_a_few_queries(client, accepted_case, carol_applicant):
    n = _queries(client, reverse("portal:lookup"), "post",
                 {"number": accepted_case.number, "id": carol_applicant.id_number})  # fmt: skip
    assert n <= 6  # two counted tries, the case, two given back, the page's
