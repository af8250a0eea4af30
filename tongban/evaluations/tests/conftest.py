from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import _user, act, submit
from tongban.people.models import Role

CITY = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CITY)


def finished_on(day: str, *, alice, rita, sam, carol, accepted: str | None = None):
    """carol's 门诊费用报销, accepted by alice and approved through both review steps on `day`."""
    with time_machine.travel(at(f"{accepted or day} 10:00")):
        case = act(alice, submit(carol), "accept")
    with time_machine.travel(at(f"{day} 15:00")):
        act(rita, case, "approve")
        return act(sam, case, "approve")


@pytest.fixture
def finished(alice, rita, sam, carol):
    """Finished on Monday 2025-03-03 at 15:00."""
    return finished_on("2025-03-03", alice=alice, rita=rita, sam=sam, carol=carol)


@pytest.fixture
def oscar(city):
    """A supervisor of 临清 (371581), another office."""
    return _user("oscar", Role.SUPERVISOR, "371581")
