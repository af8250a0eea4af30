"""Several workers at once: two scans, two dispatchers, released together. Needs real
concurrency, so it runs on PostgreSQL."""

import pytest
from django.db import connection

from conftest import act, race, submit
from tongban.supervision.models import Notification, Warning
from tongban.supervision.notifications import notifications_dispatch
from tongban.supervision.services import deadlines_scan

from .conftest import accepted_on, at

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency needs PostgreSQL"),
]


def test_concurrent_scans_raise_each_card_once(alice, carol):
    cases = [accepted_on("2025-03-03", alice, carol) for _ in range(20)]
    cases += [accepted_on("2025-03-10", alice, carol) for _ in range(20)]  # due 03-24
    results = race([lambda: deadlines_scan(now=at("2025-03-20 09:00"))] * 4)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r["red"] for r in results) == 20 and sum(r["overdue"] for r in results) == 20
    assert sum(r["yellow"] for r in results) == 20
    assert Warning.objects.count() == 40
    assert Warning.objects.filter(case__in=cases[:20], level="red").count() == 20


def test_concurrent_dispatchers_send_each_message_once(alice, carol, _sms_outbox):
    for _ in range(30):
        act(alice, submit(carol), "accept")
    results = race([notifications_dispatch] * 4)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r["sent"] for r in results) == 30
    assert len(_sms_outbox) == 30
    assert Notification.objects.filter(status="sent").count() == 30
