"""The demo seed and the demo clock: cards appear as the clock moves."""

import pytest

from tongban.cases.models import Case
from tongban.people.demo import people_demo
from tongban.supervision.demo import demo_clock_advance, supervision_demo_seed
from tongban.supervision.models import Warning

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(city, settings):
    settings.TONGBAN_DEMO = True
    people_demo(password="Pw-test-12345")
    return supervision_demo_seed()


def test_the_seed_makes_cases_at_several_ages_once(demo):
    assert "error" not in demo, demo
    assert len(demo["running"]) == 14 and len(demo["finished"]) == 2 and len(demo["unrated"]) == 1
    assert (
        Warning.objects.filter(level="red").exists()
        and Warning.objects.filter(level="yellow").exists()
    )
    again = supervision_demo_seed()
    assert again["running"] == [] and again["finished"] == []


def test_the_clock_moves_open_cases_and_raises_cards(demo):
    case = Case.objects.get(number=demo["running"][0])  # accepted 1 working day ago
    before = case.deadline
    cards = Warning.objects.count()
    result = demo_clock_advance(days=9)
    case.refresh_from_db()
    assert case.deadline < before
    assert result["cases"] >= 12 and Warning.objects.count() > cards
    assert Warning.objects.filter(case=case, level="yellow").exists()  # 1 working day left
    assert result["deemed_accepted"] == 1  # the application near its 5-day pre-review limit


def test_the_clock_refuses_off_the_demo(city, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.TONGBAN_DEMO = False
    with pytest.raises(ImproperlyConfigured):
        demo_clock_advance(days=1)


def test_the_board_offers_the_demo_clock_on_the_demo(demo, client):
    from tongban.people.models import User

    client.force_login(User.objects.get(username="supervisor-371500"))
    assert "演示时钟" in client.get("/desk/supervision/").content.decode()
    r = client.post("/desk/supervision/demo-clock/", {"days": 1}, follow=True)
    assert "演示时钟前进 1 个工作日" in r.content.decode()
