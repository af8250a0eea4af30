"""The English face in the browser: the city supervisor's figures read in English with no
internal words; the 好差评 scale runs the same way on the portal and the window tablet and, in
English on a 375-pixel phone, its labels neither overlap nor push the page sideways; a wrong ID
check digit at the window shows one message, in English."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from conftest import INSTANT_ITEM, act, submit
from tongban.lib.identifiers import synthetic_resident_id

pytestmark = pytest.mark.e2e
CJK = re.compile(r"[\u4e00-\u9fff]")
PASSWORD = "Pw-test-12345"


def _english(page, live_server):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_city_figures_in_english(
    page, live_server, sign_in, shot, vera, alice, carol_applicant
):
    act(alice, submit(alice, INSTANT_ITEM, channel="window", applicant=carol_applicant,
                      materials=["M1"]), "accept")  # fmt: skip
    page.set_viewport_size({"width": 1280, "height": 900})
    _english(page, live_server)
    sign_in(page, "vera", PASSWORD)
    page.goto(live_server.url + "/desk/stats/")
    expect(page.get_by_role("heading", name="Citywide figures")).to_be_visible()
    labels = page.locator(".kpi-label").all_inner_texts()
    assert "Online rate" in labels and "On-time rate" in labels, labels
    assert not [label for label in labels if CJK.search(label)], labels
    heads = page.locator(".stats-table thead th").all_inner_texts()
    assert not [h for h in heads if CJK.search(h)], heads
    body = page.locator("main").inner_text()
    assert "selectors.py" not in body and "山东省" not in body
    assert "Instant rate" in body and "100.0%" in body
    offices = page.locator("select[name=office] option").all_inner_texts()
    assert "聊城市医疗保障局" in offices and not [o for o in offices if "山东" in o]
    shot(page, "english-dashboard")

    # The drill-down names the office, not its code.
    page.goto(live_server.url + "/desk/stats/cases/?office=371522&figure=received")
    expect(page.locator("main")).to_contain_text("Office 莘县医疗保障局")
    expect(page.locator("main")).not_to_contain_text("371522 ·")


def _rating_order(page) -> list[str]:
    """The portal's scale as laid out, left to right."""
    boxes = page.locator(".stars label").evaluate_all(
        "els => els.map(e => [e.getBoundingClientRect().left, e.getAttribute('for')])"
    )
    return [name for _left, name in sorted(boxes)]


def test_the_rating_scale_at_375_pixels_in_english(page, live_server, sign_in, shot, alice, carol):
    case = submit(
        alice, INSTANT_ITEM, channel="window", applicant=carol.applicant, materials=["M1"]
    )
    act(alice, case, "accept")
    _english(page, live_server)
    sign_in(page, "carol", PASSWORD, path="/login/")
    page.goto(f"{live_server.url}/cases/{case.number}/")
    stars = page.locator(".stars")
    expect(stars).to_be_visible()
    stars.scroll_into_view_if_needed()
    expect(page.locator(".stars")).to_contain_text("Very dissatisfied")
    _fits(page)
    boxes = page.locator(".stars .star-label").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.right]; })"
    )
    boxes.sort()
    assert all(a[1] <= b[0] + 0.5 for a, b in zip(boxes, boxes[1:], strict=False)), boxes
    assert all(right <= 375 for _left, right in boxes), boxes
    # No word cut or spilling out of its column.
    spill = page.locator(".stars .star-label").evaluate_all(
        "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)"
    )
    assert not spill, spill
    heights = page.locator(".stars .star-label").evaluate_all(
        "els => els.map(e => Math.round(e.getBoundingClientRect().height))"
    )
    assert max(heights) < 3 * 14, heights  # two lines at most: words wrap whole
    portal = _rating_order(page)
    shot(page, "english-rating-375")

    # The window tablet runs the same way: worst to best.
    page.context.clear_cookies()
    _english(page, live_server)
    sign_in(page, "alice", PASSWORD)
    page.goto(f"{live_server.url}/desk/supervision/rate/{case.number}/")
    tablet = page.locator(".rate-btn").evaluate_all("els => els.map(e => e.value)")
    assert [f"score-{v}" for v in tablet] == portal == [f"score-{n}" for n in (1, 2, 3, 4, 5)]
    _fits(page)
    shot(page, "english-rating-tablet-375")


def test_a_wrong_check_digit_is_one_message_in_english(page, live_server, sign_in, alice):
    number = synthetic_resident_id(region="371522", birth=date(1992, 4, 8), seq=5)
    wrong = number[:17] + ("1" if number[17] != "1" else "2")
    _english(page, live_server)
    sign_in(page, "alice", PASSWORD)
    page.goto(f"{live_server.url}/desk/apply/{INSTANT_ITEM}/")
    page.fill("#id_id_number", wrong)
    help_line = page.locator("#id-check-msg")
    expect(help_line).to_have_text("The check digit is wrong: check the number")
    assert not CJK.search(help_line.inner_text())
    page.fill("#id_id_number", number)
    expect(help_line).to_have_text("✓ Format and check digit are right")

    # Sent anyway (the browser's own check switched off): the server's one message, no second.
    page.fill("#id_id_number", wrong)
    page.evaluate("document.getElementById('apply-form').noValidate = true")
    page.fill("#id_name", "Zhao")
    page.get_by_role("button", name=re.compile("^Accept")).first.click()
    errors = page.locator(".field:has(#id_id_number) [role=alert]")
    expect(errors).to_have_count(1)
    expect(errors).to_have_text("The check digit of the resident ID number is wrong")
    assert "check the number" not in page.locator(".field:has(#id_id_number)").inner_text()
