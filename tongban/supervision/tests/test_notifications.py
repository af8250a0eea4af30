"""Notifications: recorded once per event, channel and recipient; sent at most once, however
often and on however many workers the dispatcher runs."""

import json

import pytest
from django.utils import timezone

from conftest import INSTANT_ITEM, act, submit
from tongban.cases.models import CaseEvent
from tongban.evaluations.services import evaluation_submit
from tongban.lib import sms
from tongban.supervision import notifications
from tongban.supervision.models import Checkpoint, Notification
from tongban.supervision.notifications import (
    notifications_collect,
    notifications_dispatch,
    notifications_send,
)
from tongban.supervision.services import deadlines_scan

from .conftest import accepted_on, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisors(olga, vera):
    olga.email, vera.email = "olga@example.org", "vera@example.org"
    olga.save(), vera.save()
    return olga, vera


def test_accepting_a_case_sends_the_applicant_one_sms(alice, carol, _sms_outbox):
    case = act(alice, submit(carol), "accept")
    first = notifications_dispatch()
    second = notifications_dispatch()
    assert first["recorded"] == 1 and first["sent"] == 1
    assert second == {"recorded": 0, "sent": 0, "tried": 0, "interrupted": 0}
    n = Notification.objects.get()
    assert (n.event, n.channel, n.recipient, n.status) == (
        "case.accepted",
        "sms",
        "13500000001",
        "sent",
    )
    assert n.case == case and n.sent_at and n.attempts == 1
    assert len(_sms_outbox) == 1 and case.number in _sms_outbox[0]["text"]
    assert "已受理" in _sms_outbox[0]["text"]


def test_an_instant_case_finished_at_once_gets_only_the_finished_message(alice, carol_applicant,
                                                                          _sms_outbox):  # fmt: skip
    case = submit(
        alice, INSTANT_ITEM, channel="window", applicant=carol_applicant, materials=["M1"]
    )
    act(alice, case, "accept")
    notifications_dispatch()
    assert list(Notification.objects.values_list("event", flat=True)) == ["case.completed"]
    assert "已办结" in _sms_outbox[0]["text"]


def test_a_supplement_request_names_every_material(alice, carol, rita, _sms_outbox):
    case = accepted_on("2025-03-03", alice, carol)
    act(rita, case, "request_supplement", missing_materials=["M3", "M4"], reason="不清晰")
    notifications_dispatch()
    texts = [m["text"] for m in _sms_outbox]
    assert len(texts) == 2 and "需要补正材料" in texts[1]
    names = {m["code"]: m["name"] for m in case.item_version.materials}
    assert names["M3"] in texts[1] and names["M4"] in texts[1]


def test_cards_are_mailed_to_the_supervisors(alice, carol, supervisors, mailoutbox):
    olga, vera = supervisors
    case = accepted_on("2025-03-03", alice, carol)
    deadlines_scan(now=at("2025-03-13 09:00"))  # yellow: the office's supervisor
    notifications_dispatch(now=at("2025-03-13 09:01"))
    assert [m.to for m in mailoutbox] == [["olga@example.org"]]
    assert "黄牌" in mailoutbox[0].subject and case.number in mailoutbox[0].body
    deadlines_scan(now=at("2025-03-18 09:00"))  # red: the city's too
    notifications_dispatch(now=at("2025-03-18 09:01"))
    notifications_dispatch(now=at("2025-03-18 09:02"))
    assert sorted(m.to[0] for m in mailoutbox[1:]) == ["olga@example.org", "vera@example.org"]
    assert Notification.objects.filter(event="warning.red").count() == 2


def test_a_bad_rating_is_mailed_to_the_supervisors(alice, carol, rita, sam, supervisors,
                                                   mailoutbox):  # fmt: skip
    case = accepted_on("2025-03-03", alice, carol)
    act(rita, case, "approve"), act(sam, case, "approve")
    evaluation_submit(case=case, score=1, comment="态度差", channel="portal", by=carol,
                      now=case.completed_at)  # fmt: skip
    notifications_dispatch()
    bad = [m for m in mailoutbox if "差评" in m.subject]
    assert sorted(m.to[0] for m in bad) == ["olga@example.org", "vera@example.org"]
    assert "态度差" in bad[0].body


def test_staff_without_an_address_get_a_failed_record_not_silence(alice, carol, olga):
    accepted_on("2025-03-03", alice, carol)
    deadlines_scan(now=at("2025-03-13 09:00"))
    notifications_dispatch()
    n = Notification.objects.get(event="warning.yellow")
    assert n.status == "failed" and n.user == olga and "电子邮箱" in n.error


def test_an_event_committed_behind_the_checkpoint_is_still_sent(alice, carol, _sms_outbox):
    case = act(alice, submit(carol), "accept")
    event = CaseEvent.objects.get(case=case, action="accept")
    # Another transaction's later ids were read first and the checkpoint moved past this one.
    Checkpoint.objects.create(name="case-events", position=event.pk + 50)
    notifications_collect()
    assert Notification.objects.filter(key=f"case-event:{event.pk}:sms:applicant").exists()


def test_a_gateway_failure_is_retried_then_given_up(alice, carol, settings, monkeypatch):
    act(alice, submit(carol), "accept")
    notifications_collect()

    def refuse(**kw):
        raise sms.SmsError("gateway down")

    monkeypatch.setattr(sms, "send_sms", refuse)
    for _ in range(notifications.MAX_ATTEMPTS - 1):
        assert notifications_send()["sent"] == 0
        assert Notification.objects.get().status == "pending"
    notifications_send()
    n = Notification.objects.get()
    assert (n.status, n.attempts) == ("failed", notifications.MAX_ATTEMPTS)
    assert "gateway down" in n.error


def test_a_failure_that_repeats_the_number_keeps_it_masked(alice, carol, monkeypatch, caplog):
    act(alice, submit(carol), "accept")
    notifications_collect()

    def refuse(*, phone, text):
        raise sms.SmsError(f"number {phone} is not reachable")

    monkeypatch.setattr(sms, "send_sms", refuse)
    notifications_send()
    n = Notification.objects.get()
    assert "135****0001 is not reachable" in n.error and "13500000001" not in n.error
    assert "13500000001" not in caplog.text


def test_a_message_left_sending_by_a_dead_worker_is_never_sent_again(alice, carol, _sms_outbox):
    act(alice, submit(carol), "accept")
    notifications_collect()
    Notification.objects.update(
        status="sending", claimed_at=timezone.now() - notifications.STALE_SENDING * 2
    )
    assert notifications_send()["interrupted"] == 1
    assert Notification.objects.get().status == "failed" and _sms_outbox == []


def test_the_file_backend_writes_one_json_line_per_message(alice, carol, settings, tmp_path):
    settings.TONGBAN_SMS_BACKEND = "file"
    settings.TONGBAN_SMS_DIR = tmp_path
    act(alice, submit(carol), "accept")
    notifications_dispatch()
    (day,) = tmp_path.iterdir()
    (line,) = day.read_text(encoding="utf-8").splitlines()
    message = json.loads(line)
    assert message["phone"] == "135****0001" and "已受理" in message["text"]  # a log: masked


def test_cards_raised_together_reach_a_supervisor_as_one_digest(alice, carol, supervisors,
                                                                 mailoutbox):  # fmt: skip
    cases = [accepted_on("2025-03-03", alice, carol) for _ in range(3)]
    deadlines_scan(now=at("2025-03-13 09:00"))
    notifications_dispatch(now=at("2025-03-13 09:01"))
    assert [m.to for m in mailoutbox] == [["olga@example.org"]]
    assert "3 条" in mailoutbox[0].subject
    assert all(c.number in mailoutbox[0].body for c in cases)
    assert Notification.objects.filter(event="warning.yellow", status="sent").count() == 3


def test_recording_costs_no_query_per_card(alice, carol, supervisors):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def collect_cost(n):
        for _ in range(n):
            accepted_on("2025-03-03", alice, carol)
        deadlines_scan(now=at("2025-03-18 09:00"))
        with CaptureQueriesContext(connection) as q:
            notifications_collect()
        return len(q)

    collect_cost(1)  # the checkpoints exist from here on
    assert collect_cost(1) == collect_cost(10)


def test_a_missing_calendar_year_is_mailed_weekly_to_those_who_load_it(supervisors, mailoutbox):
    """From 1 November the State Council's notice for next year is due: until it is loaded,
    the catalog administrators and the city's supervisors hear so once a week."""
    from tongban.people.models import Role, User

    User.objects.create_user("cat", email="cat@example.org", role=Role.CATALOG_ADMIN)
    notifications_dispatch(now=at("2026-10-30 09:00"))  # 2026 loaded, 2027 not due yet
    assert mailoutbox == []
    notifications_dispatch(now=at("2026-11-02 09:00"))
    notifications_dispatch(now=at("2026-11-03 09:00"))  # the same week: nothing again
    assert sorted(m.to[0] for m in mailoutbox) == ["cat@example.org", "vera@example.org"]
    assert "2027" in mailoutbox[0].subject
    notifications_dispatch(now=at("2026-11-09 09:00"))  # a week on
    assert len(mailoutbox) == 4
