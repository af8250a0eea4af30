"""The public catalogue: offices, items and their guides, agreements, bundles, the calendar."""

from datetime import date

import pytest

from tongban.catalog.models import Agreement, Bundle, ServiceItem
from tongban.offices.models import Office

from .conftest import error

pytestmark = pytest.mark.django_db


def test_offices_form_the_city_tree_with_partners_flagged(api, city):
    body = api().get("/api/v1/offices").json()
    by_code = {o["code"]: o for o in body["results"]}
    assert body["count"] == len(by_code) == Office.objects.count()
    assert body["next"] is None
    assert by_code["371500"] == {"code": "371500", "name": "聊城市医疗保障局", "level": "city",
                                 "parent": "370000", "external": False}  # fmt: skip
    assert by_code["371522"]["parent"] == "371500"
    assert by_code["371522"]["level"] == "county"
    assert by_code["410922"]["external"] is True


def test_the_item_list_shows_active_items_with_their_guide(api, city):
    body = api().get("/api/v1/items").json()
    codes = [i["code"] for i in body["results"]]
    # The medical-insurance items and the other departments' (ZR…, NY…): two pages.
    assert body["count"] == ServiceItem.objects.filter(status="active").count() > len(codes) == 50
    codes += [i["code"] for i in api().get(body["next"]).json()["results"]]
    assert len(codes) == body["count"]
    assert "YB11031" not in codes  # suspended
    assert {"ZR001", "NY001", "FG001"} <= set(codes)
    item = next(i for i in body["results"] if i["code"] == "YB07019")
    assert item["name"] == "门诊费用报销"
    assert (item["handling_type"], item["promised_days"]) == ("promised", 10)
    assert item["legal_days"] >= item["promised_days"]
    assert item["channels"] == ["web", "mobile", "window"]
    assert item["citywide"] is True
    assert [m["code"] for m in item["materials"]] == ["M1", "M2", "M3", "M4"]
    assert [m["secondary"] for m in item["materials"]] == [False, False, True, True]
    assert item["materials"][0]["form"] == "original"
    assert item["steps"] == ["审核", "复审"]
    assert item["version"] == 1 and item["effective_from"] == "2025-01-01"
    assert [f["name"] for f in item["form"]] == ["amount", "bank_account"]
    assert item["applicant_kinds"] == ["person"]
    assert {"conditions", "legal_basis", "fees", "category", "department"} <= set(item)


def test_the_item_list_costs_the_same_queries_for_any_number_of_items(
    api, city, django_assert_max_num_queries
):
    client = api()
    # The page, its versions, and the count: with the other departments' items the list is two
    # pages, so the first page cannot tell the count by itself.
    with django_assert_max_num_queries(3):
        client.get("/api/v1/items")


def test_one_items_guide(api, city):
    response = api().get("/api/v1/items/YB01003")
    assert response.status_code == 200
    guide = response.json()
    assert (guide["code"], guide["handling_type"], guide["steps"]) == ("YB01003", "instant", [])


def test_an_unknown_item_is_404(api, city):
    response = api().get("/api/v1/items/NOPE")
    assert response.status_code == 404
    assert error(response)["code"] == "unknown_item"


def test_a_suspended_item_is_404_with_its_own_code_and_reason(api, city):
    response = api().get("/api/v1/items/YB11031")
    assert response.status_code == 404
    err = error(response)
    assert err["code"] == "item_suspended"
    assert "待事项管理员核定" in err["message"]


def test_agreements_list_partners_and_items(api, city):
    agreement = Agreement.objects.create(
        title="莘县—清丰县医保跨区通办协议", partner=Office.objects.get(code="410922"),
        mode=Agreement.Mode.PROXY, valid_from=date(2025, 1, 1), valid_to=date(2025, 12, 31),
    )  # fmt: skip
    agreement.items.set(ServiceItem.objects.filter(code__in=["YB07019", "YB01003"]))
    body = api().get("/api/v1/agreements").json()
    assert body["count"] == 11  # the ten seeded ones of 莘县 and this
    mine = next(a for a in body["results"] if a["title"] == "莘县—清丰县医保跨区通办协议")
    assert mine == {
        "code": None, "title": "莘县—清丰县医保跨区通办协议", "office": None,
        "partner": "410922", "partner_name": "清丰县医疗保障局", "partner_province": "河南省",
        "mode": "proxy", "items": ["YB01003", "YB07019"],
        "valid_from": "2025-01-01", "valid_to": "2025-12-31", "in_force": False,
        "duties": {"ours": "", "partner": ""}, "connected": False,
    }  # fmt: skip


def test_the_seeded_agreements_are_shinxian_s_ten_partners_for_five_agriculture_items(api, city):
    rows = api().get("/api/v1/agreements").json()["results"]
    seeded = [a for a in rows if a["code"]]
    assert len(seeded) == 10
    assert {a["office"] for a in seeded} == {"371522"}
    assert {a["partner_province"] for a in seeded} == {"河南省", "河北省"}
    assert all(a["items"] == ["NY001", "NY002", "NY003", "NY004", "NY005"] for a in seeded)
    assert {a["mode"] for a in seeded} == {"proxy"}
    qingfeng = next(a for a in seeded if a["partner"] == "410922")
    assert qingfeng["code"] == "KQ-371522-410922"
    assert "收件地" in qingfeng["duties"]["ours"] and "办理地" in qingfeng["duties"]["partner"]


def test_bundles_list_their_items(api, city):
    bundle = Bundle.objects.create(code="B-BIRTH", name="生育一件事", description="参保+报销")
    bundle.items.set(ServiceItem.objects.filter(code__in=["YB08022", "YB01003"]))
    body = api().get("/api/v1/bundles").json()
    birth = next(b for b in body["results"] if b["code"] == "B-BIRTH")
    assert {k: birth[k] for k in ("code", "name", "description", "items")} == {
        "code": "B-BIRTH",
        "name": "生育一件事",
        "description": "参保+报销",
        "items": ["YB01003", "YB08022"],
    }
    assert [f["name"] for f in birth["form"]] == ["note", "amount", "bank_account"]
    assert (birth["applicant_kinds"], birth["channels"]) == (
        ["person"],
        ["web", "mobile", "window"],
    )


@pytest.mark.parametrize(
    "start, days, expected, provisional",
    [
        ("2025-09-30", 1, "2025-10-09", False),  # 国庆中秋 2025-10-01..08
        ("2025-03-07", 10, "2025-03-21", False),
        ("2025-03-07", 0, "2025-03-07", False),
        ("2031-03-07", 5, "2031-03-14", True),  # no 2031 calendar: weekdays, marked provisional
    ],
)
def test_add_workdays(api, city, start, days, expected, provisional):
    response = api().get("/api/v1/calendar/add-workdays", {"start": start, "days": days})
    assert response.status_code == 200
    assert response.json() == {"date": expected, "provisional": provisional}


@pytest.mark.parametrize(
    "params, field",
    [
        ({"start": "2025-02-30", "days": 3}, "start"),
        ({"start": "soon", "days": 3}, "start"),
        ({"start": "9999-12-31", "days": 3}, "start"),
        ({"start": "2025-03-07", "days": -1}, "days"),
        ({"start": "2025-03-07", "days": "ten"}, "days"),
        ({"start": "2025-03-07", "days": 100000}, "days"),
        ({"start": "2025-03-07"}, "days"),
        ({"days": 3}, "start"),
        ({"start": "2025-03-07", "days": 3, "from": "x"}, "from"),
    ],
)
def test_add_workdays_names_the_bad_parameter(api, city, params, field):
    response = api().get("/api/v1/calendar/add-workdays", params)
    assert response.status_code == 400
    assert error(response)["field"] == field


def test_the_catalogue_is_public_but_cases_are_not(api, city):
    client = api()
    for url in ("/api/v1/offices", "/api/v1/items", "/api/v1/items/YB01003",
                "/api/v1/agreements", "/api/v1/bundles",
                "/api/v1/calendar/add-workdays?start=2025-03-07&days=1"):  # fmt: skip
        assert client.get(url).status_code == 200, url
    assert client.get("/api/v1/cases").status_code == 401
