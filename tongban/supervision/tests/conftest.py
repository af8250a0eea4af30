from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import act, submit
from tongban.lib import sms

CITY = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    """An aware datetime in the city's time: at("2025-03-13 09:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=CITY)


@pytest.fixture(autouse=True)
def _sms_outbox(settings):
    settings.TONGBAN_SMS_BACKEND = "locmem"
    sms.LocmemBackend.outbox = []
    return sms.LocmemBackend.outbox


def accepted_on(day: str, clerk, applicant_user, **kw):
    """carol's 门诊费用报销 (10 working days), accepted by `clerk` on `day` at 10:00."""
    with time_machine.travel(at(f"{day} 10:00")):
        return act(clerk, submit(applicant_user, **kw), "accept")
