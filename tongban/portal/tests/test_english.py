"""The portal speaks Chinese by default and English once the visitor switches."""

import pytest
from django.urls import reverse

from conftest import INSTANT_ITEM, PROMISED_ITEM

pytestmark = pytest.mark.django_db


def _english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


def test_chinese_is_the_default(client, city):
    html = client.get("/").content.decode()
    assert "<h1>办事指南</h1>" in html and "我的办件" in html and "办件查询" in html
    assert "Service guides" not in html
    guide = client.get(reverse("portal:item", args=[PROMISED_ITEM])).content.decode()
    assert "<h2>申请材料</h2>" in guide and "10 个工作日" in guide
    assert "Required documents" not in guide


def test_the_home_page_in_english(client, city):
    html = _english(client).get("/").content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Service guides</h1>" in html
    for text in ("My cases", "Track a case", "Medical Insurance Online Services", "Search",
                 "Promised-time item · 10 working days", "Instant item"):  # fmt: skip
        assert text in html, text
    assert "办事指南" not in html and "承诺件" not in html
    assert "中文" in html  # the way back


def test_an_item_guide_in_english(client, city):
    _english(client)
    html = client.get(reverse("portal:item", args=[PROMISED_ITEM])).content.decode()
    for text in ("Basic information", "Eligibility", "Required documents", "Process",
                 "Legal basis", "May be supplied later", "10 working days",
                 "Print the guide", "Apply online", "<li>Submit application</li>"):  # fmt: skip
        assert text in html, text
    for text in ("基本信息", "申请条件", "申请材料", "办理流程", "打印指南", "个工作日内答复"):
        assert text not in html, text
    instant = client.get(reverse("portal:item", args=[INSTANT_ITEM])).content.decode()
    assert "Instant item (completed on the spot" in instant
    assert "Accepted and completed at once" in instant


def test_the_language_cookie_alone_switches_too(client, city):
    client.cookies["django_language"] = "en"
    html = client.get(reverse("portal:lookup")).content.decode()
    assert "<h1>Track a case</h1>" in html and "Case number" in html
