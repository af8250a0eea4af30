import pytest
from django.urls import reverse

from conftest import INSTANT_ITEM, PROMISED_ITEM
from tongban.catalog.models import ServiceItem

pytestmark = pytest.mark.django_db


def test_the_home_page_leads_with_the_item_guides_by_category(client, city):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "办事指南" in html
    assert "基本医疗保险参保人员医疗费用手工（零星）报销" in html  # a category heading
    assert reverse("portal:item", args=[PROMISED_ITEM]) in html
    assert "门诊费用报销" in html


def test_the_search_narrows_the_items(client, city):
    html = client.get("/", {"q": "门诊费用"}).content.decode()
    assert "门诊费用报销" in html
    assert "城乡居民参保登记" not in html
    assert client.get("/", {"q": PROMISED_ITEM.lower()}).content.decode().count("门诊费用报销") >= 1


def test_a_guide_is_public_and_says_everything_an_applicant_needs(client, city):
    response = client.get(reverse("portal:item", args=[PROMISED_ITEM]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("门诊费用报销", "申请条件", "申请材料", "医院收费票据", "可容缺", "10 个工作日",
                 "不收费", "网上办", "窗口办", "设定依据", "社会保险法", "办理流程", "审核", "复审",
                 "打印指南", "在线申请"):  # fmt: skip
        assert text in html, text


def test_an_instant_item_says_it_is_finished_on_the_spot(client, city):
    html = client.get(reverse("portal:item", args=[INSTANT_ITEM])).content.decode()
    assert "即办件" in html and "受理即办结" in html


def test_a_suspended_item_shows_its_guide_without_the_apply_button(client, city):
    ServiceItem.objects.filter(code=PROMISED_ITEM).update(status=ServiceItem.Status.SUSPENDED,
                                                          status_reason="政策调整")  # fmt: skip
    html = client.get(reverse("portal:item", args=[PROMISED_ITEM])).content.decode()
    assert "暂停" in html and "政策调整" in html
    assert "在线申请</a>" not in html
    assert "门诊费用报销" not in client.get("/").content.decode()


def test_an_unknown_item_is_404(client, city):
    assert client.get(reverse("portal:item", args=["YB99999"])).status_code == 404
