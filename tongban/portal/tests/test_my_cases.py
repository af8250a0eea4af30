import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from conftest import act, submit
from tongban.cases.models import Case

from .samples import pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db


def _page(client, case):
    return client.get(reverse("portal:case", args=[case.number]))


def test_my_cases_lists_only_my_own(carol_client, carol, alice, carol_applicant, dave):
    mine = submit(carol)
    at_window = submit(
        alice, "YB01003", channel="window", applicant=carol_applicant, materials=["M1"]
    )
    html = carol_client.get(reverse("portal:my-cases")).content.decode()
    assert (
        mine.number in html and at_window.number in html
    )  # both are carol's, whatever the channel
    assert "门诊费用报销" in html and "已申请" in html


def test_an_empty_list_leads_to_the_guides(carol_client):
    html = carol_client.get(reverse("portal:my-cases")).content.decode()
    assert "还没有办件" in html


def test_the_case_page_shows_status_timeline_and_deadline(carol_client, accepted_case):
    html = _page(carol_client, accepted_case).content.decode()
    assert "已受理" in html and "莘县医疗保障局" in html
    assert "办理进度" in html and "申请" in html and "受理" in html
    case = Case.objects.get(pk=accepted_case.pk)
    assert f"{case.deadline.year}年{case.deadline.month}月{case.deadline.day}日" in html
    assert "受理通知书" in html
    assert "撤回申请" in html


def test_a_provisional_deadline_is_marked(carol_client, carol, alice):
    with time_machine.travel("2026-12-21 10:00+08:00"):
        case = submit(carol)
        act(alice, case, "accept")
    case.refresh_from_db()
    assert case.deadline_provisional
    assert "暂定" in _page(carol_client, case).content.decode()


def test_someone_elses_case_is_404(client, online_case, dave, alice, city):
    client.force_login(dave)
    assert _page(client, online_case).status_code == 404
    client.force_login(alice)
    assert _page(client, online_case).status_code == 403  # staff use the desk


def test_the_applicant_answers_a_supplement_request_by_uploading(carol_client, carol, alice):
    case = submit(carol, materials=["M1"])
    act(
        alice, case, "request_supplement", missing_materials=["M2", "M3", "M4"], reason="请补充票据"
    )
    html = _page(carol_client, case).content.decode()
    for text in ("请补正材料", "医院收费票据", "门急诊费用清单", "处方底方或病历资料", "补正材料通知书",
                 "提交补正材料"):  # fmt: skip
        assert text in html, text
    url = reverse("portal:supplement", args=[case.number])
    # Everything asked must come at once.
    response = carol_client.post(url, {"material_M2": upload("票据.pdf", pdf_bytes())})
    assert response.status_code == 400 and "请上传此材料" in response.content.decode()
    assert case.attachments.count() == 0
    response = carol_client.post(url, {"material_M2": upload("票据.pdf", pdf_bytes()),
                                       "material_M3": upload("清单.png", png_bytes(), "image/png"),
                                       "material_M4": upload("病历.pdf", pdf_bytes())})  # fmt: skip
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED
    assert case.missing_materials == [] and case.supplied_materials == ["M1", "M2", "M3", "M4"]
    assert sorted(case.attachments.values_list("material", flat=True)) == ["M2", "M3", "M4"]
    assert case.events.last().action == "supplement"


def test_a_bad_supplement_file_saves_nothing(carol_client, carol, alice, settings):
    case = submit(carol, materials=["M1", "M2", "M3"])
    act(alice, case, "request_supplement", missing_materials=["M4"])
    response = carol_client.post(reverse("portal:supplement", args=[case.number]),
                                 {"material_M4": upload("病历.pdf", b"#!/bin/sh\nrm -rf /\n")})  # fmt: skip
    assert response.status_code == 400
    assert "只接受 PDF、JPG 或 PNG 文件" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.AWAITING_SUPPLEMENT and case.attachments.count() == 0


def test_a_promised_secondary_material_can_be_handed_in_after_acceptance(
    carol_client, carol, alice
):
    case = submit(carol, materials=["M1", "M2", "M3"])
    act(alice, case, "accept", promised_supplement_by=str(timezone.localdate()))
    html = _page(carol_client, case).content.decode()
    assert "容缺补交" in html and "提交补正材料" in html
    response = carol_client.post(reverse("portal:supplement", args=[case.number]),
                                 {"material_M4": upload("病历.pdf", pdf_bytes())})  # fmt: skip
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED and case.missing_materials == []


def test_the_applicant_withdraws_after_confirming(carol_client, online_case):
    url = reverse("portal:withdraw", args=[online_case.number])
    assert "确认撤回" in carol_client.get(url).content.decode()
    response = carol_client.post(url, {"reason": "已在单位报销"})
    assert response.status_code == 302
    online_case.refresh_from_db()
    assert online_case.status == Case.Status.WITHDRAWN
    assert online_case.events.last().reason == "已在单位报销"
    html = _page(carol_client, online_case).content.decode()
    assert "已撤回" in html and "撤回申请</a>" not in html


def test_a_finished_case_cannot_be_withdrawn(carol_client, accepted_case, rita, sam):
    act(rita, accepted_case, "approve")
    act(sam, accepted_case, "approve")
    response = carol_client.post(reverse("portal:withdraw", args=[accepted_case.number]))
    assert response.status_code == 302
    accepted_case.refresh_from_db()
    assert accepted_case.status == Case.Status.COMPLETED
    html = _page(carol_client, accepted_case).content.decode()
    assert "办结通知书" in html and "已办结" in html
