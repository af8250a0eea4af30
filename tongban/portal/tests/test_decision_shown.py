"""#15 on the portal: the applicant sees the decision of a finished reimbursement, and an
instant case as 即办件 finished on the spot with its one notice."""

import pytest

from conftest import INSTANT_ITEM, act, decision_for, submit

pytestmark = pytest.mark.django_db


def test_the_applicant_sees_the_decision(carol_client, carol, alice, rita, sam):
    case = act(alice, submit(carol), "accept")
    act(rita, case, "approve")
    act(sam, case, "approve", decision=decision_for(case, amount_approved="1200.00"))
    page = carol_client.get(f"/cases/{case.number}/").content.decode()
    assert "核准支付金额（元）" in page and "1200.00 元" in page
    assert "预计支付日期" in page


def test_an_instant_case_shows_it_was_finished_on_the_spot(carol_client, carol, alice):
    case = act(alice, submit(carol, INSTANT_ITEM, materials=["M1"]), "accept")
    page = carol_client.get(f"/cases/{case.number}/").content.decode()
    assert "即办件 · 当场受理、当场办结" in page
    assert page.count("办结通知书") == 1 and "受理通知书" not in page
