"""帮办代办 in a browser: an elderly person and an agent come to the 莘县 window, the clerk
records the 委托书 (both identity documents checked, the signed letter uploaded); the agent,
at the 燕店 market agent point on a phone, applies for her; she sees the case, who applied for
her and through which agent point on the portal, where the agent points of each county are
listed. Screenshots land in TONGBAN_SHOTS_DIR."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from conftest import _user
from tongban.cases.models import Authorisation, Case
from tongban.lib.identifiers import synthetic_resident_id
from tongban.offices.models import AgentPoint, Office
from tongban.people.models import Applicant, Role
from tongban.portal.tests.samples import pdf_bytes, png_bytes

pytestmark = pytest.mark.e2e
PASSWORD = "Pw-test-12345"


def _file(name: str, content: bytes, mime: str) -> dict:
    return {"name": name, "mimeType": mime, "buffer": content}


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_an_agent_applies_for_an_elderly_person_under_a_fresh_authorisation(
    browser, browser_context_args, live_server, sign_in, shot, alice, dave
):
    number = synthetic_resident_id(region="371522", birth=date(1944, 4, 4), seq=7)
    grandma = Applicant.objects.create(kind="person", id_number=number, name="周奶奶",
                                       phone="13700001234", insured_region=Office.objects.get(code="371522"))  # fmt: skip
    _user("zhou", Role.APPLICANT, applicant=grandma)
    market = AgentPoint.objects.create(office=grandma.insured_region, code="DD371522-01",
                                       name="燕店镇集贸市场代办点", kind=AgentPoint.Kind.MARKET,
                                       address="莘县燕店镇集贸市场东门", hours="逢二、七集日 8:00–12:00")  # fmt: skip
    dave.agent_point = market
    dave.save(update_fields=["agent_point"])

    # --- at the window: alice records the authorisation --------------------------------
    desk = browser.new_context(**{**browser_context_args, "viewport": {"width": 1280, "height": 900}}).new_page()
    sign_in(desk, "alice", PASSWORD)
    desk.get_by_role("link", name="委托书").click()
    desk.fill("input[name=id_number]", number)
    desk.fill("input[name=name]", "周奶奶")
    desk.fill("input[name=phone]", "13700001234")
    desk.select_option("select[name=insured_region]", "371522")
    desk.fill("input[name=agent]", "dave")
    desk.fill("input[name=valid_from]", date.today().isoformat())
    desk.fill("input[name=valid_to]", (date.today() + timedelta(days=180)).isoformat())
    desk.set_input_files("input[name=letter]", _file("委托书.pdf", pdf_bytes("letter"), "application/pdf"))
    desk.get_by_role("button", name="登记委托书").click()
    expect(desk.locator(".error")).to_contain_text("请核验委托人和代办人的身份证件")  # not ticked
    desk.set_input_files("input[name=letter]", _file("委托书.pdf", pdf_bytes("letter"), "application/pdf"))
    desk.check("input[name=identities_checked]")
    shot(desk, "agent-1-window-authorisation")
    desk.get_by_role("button", name="登记委托书").click()
    expect(desk.get_by_text("委托书已登记")).to_be_visible()
    expect(desk.locator("table.rows")).to_contain_text("周奶奶")
    shot(desk, "agent-2-authorisations")
    assert Authorisation.objects.get().agent == dave

    # --- at the agent point: dave applies for her on his phone --------------------------
    agent = browser.new_context(**browser_context_args).new_page()
    sign_in(agent, "dave", PASSWORD, path="/login/")
    agent.goto(live_server.url + "/items/YB07019/apply/")
    agent.fill("input[name=applicant_id_number]", number)
    agent.fill("input[name=applicant_name]", "周奶奶")
    agent.fill("input[name=applicant_phone]", "13700001234")
    agent.select_option("select[name=applicant_region]", "371522")
    agent.fill("#id_form_amount", "356.20")
    agent.fill("#id_form_bank_account", "6222020200112233445")
    agent.set_input_files("#id_material_M1", _file("身份证.pdf", pdf_bytes("ID card"), "application/pdf"))
    agent.set_input_files("#id_material_M2", _file("票据.png", png_bytes(40, 30), "image/png"))
    shot(agent, "agent-3-apply")
    agent.get_by_role("button", name="提交申请").click()
    expect(agent.get_by_role("heading", name="申请已提交")).to_be_visible()
    case_number = agent.locator("#case-number").inner_text().strip()
    case = Case.objects.get(number=case_number)
    assert (case.agent, case.applicant, case.authorisation.agent) == (dave, grandma, dave)
    assert case.agent_point == market

    # --- at home: she sees her case and who applied for her -------------------------------
    me = browser.new_context(**browser_context_args).new_page()
    sign_in(me, "zhou", PASSWORD, path="/login/")
    me.goto(live_server.url + f"/cases/{case_number}/")
    expect(me.locator("dl")).to_contain_text("代办人")
    expect(me.locator("dl")).to_contain_text("dave")
    expect(me.locator("dl")).to_contain_text("燕店镇集贸市场代办点")
    shot(me, "agent-4-her-case")
    me.get_by_role("link", name="帮办代办").click()
    expect(me.get_by_role("heading", name="莘县医疗保障局")).to_be_visible()
    expect(me.get_by_text("燕店镇集贸市场代办点")).to_be_visible()
    expect(me.get_by_text("1 名代办员")).to_be_visible()
    shot(me, "agent-4b-agent-points")
    me.get_by_role("link", name="委托代办").click()
    expect(me.get_by_text("有效")).to_be_visible()
    me.get_by_role("button", name="撤销").click()
    expect(me.get_by_text("委托书已撤销")).to_be_visible()
    agent.goto(live_server.url + f"/cases/{case_number}/")
    expect(agent.get_by_text(re.compile("已撤销给您的委托书"))).to_be_visible()
    shot(agent, "agent-5-revoked")
