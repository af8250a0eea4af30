"""The public signs up, signs in by password or code, and gets a new password by code; an
account not verified as the person can browse and ask, not apply."""

import re
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from conftest import PROMISED_ITEM
from tongban.audit.models import AuditEntry
from tongban.lib.identifiers import synthetic_resident_id, synthetic_uscc
from tongban.lib.sealed import blind_q
from tongban.offices.models import Office
from tongban.people.models import ApiToken, Applicant, PhoneCode, Role, User

from .test_apply import _post

pytestmark = pytest.mark.django_db

REGISTER = reverse("portal:register")
CODE_LOGIN = reverse("portal:code-login")
FORGOT = reverse("portal:forgot-password")
PASSWORD = "Winter-river-2025"


@pytest.fixture
def api():
    """api() is an anonymous JSON client; api(user) one with a token of `user`."""
    from rest_framework.test import APIClient

    def make(user=None):
        client = APIClient()
        client.default_format = "json"
        if user is not None:
            response = client.post(
                "/api/v1/auth/token", {"username": user.username, "password": "Pw-test-12345"}
            )
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
        return client

    return make


def _account(phone) -> User:
    return User.objects.get(blind_q(User, "phone", phone))


def _code(outbox, phone) -> str:
    texts = [m["text"] for m in outbox if m["phone"] == phone]
    assert texts, f"no SMS to {phone}"
    return re.search(r"验证码 (\d{6})", texts[-1]).group(1)


def _details(**kw):
    return {"details": "1", "kind": "person", "name": "李新民", "insured_region": "371522",
            "phone": "138 0000 1111", "id_number": synthetic_resident_id(region="371522", birth=date(1990, 5, 6)),
            **kw}  # fmt: skip


def _register(client, outbox, **kw):
    details = _details(**kw)
    response = client.post(REGISTER, details)
    assert response.status_code == 302, response.content.decode()
    phone = re.sub(r"\D", "", details["phone"])
    return client.post(REGISTER, {"confirm": "1", "code": _code(outbox, phone),
                                  "password1": PASSWORD, "password2": PASSWORD})  # fmt: skip


def test_a_person_in_the_registry_signs_up_and_may_apply(client, city, sms_outbox):
    number = synthetic_resident_id(region="371522", birth=date(1990, 5, 6))
    known = Applicant.objects.create(kind="person", id_number=number, name="李新民",
                                     insured_region=Office.objects.get(code="371522"))  # fmt: skip
    response = _register(client, sms_outbox)
    assert response.status_code == 302 and response.url == reverse("portal:account")
    user = _account("13800001111")
    assert (user.role, user.phone, user.applicant, bool(user.verified_at)) == (
        Role.APPLICANT, "13800001111", known, True)  # fmt: skip
    assert "13800001111" not in user.username  # the phone is sealed; the user name is no phone
    page = client.get(reverse("portal:account")).content.decode()
    assert "已通过" in page and number not in page  # the number masked
    assert _post(client).status_code == 302  # an application goes in
    events = set(AuditEntry.objects.values_list("event", flat=True))
    assert {"auth.code_sent", "people.account_registered", "people.identity_verified"} <= events


def test_an_unverified_account_may_browse_and_ask_but_not_apply(client, city, sms_outbox, api):
    _register(client, sms_outbox)  # a person the demo registry does not hold
    user = _account("13800001111")
    assert user.verified_at is None and user.applicant.name == "李新民"
    assert "未通过" in client.get(reverse("portal:account")).content.decode()
    assert client.get(reverse("portal:home")).status_code == 200
    response = _post(client)
    assert response.status_code == 400 and "实名核验" in response.content.decode()
    token = api().post(
        "/api/v1/auth/token", {"username": "13800001111", "password": PASSWORD}
    )  # by phone
    client_api = api()
    client_api.credentials(HTTP_AUTHORIZATION=f"Bearer {token.json()['token']}")
    refused = client_api.post("/api/v1/cases", {"item": PROMISED_ITEM, "channel": "web"})
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "identity_unverified")
    # Trying again asks the registry again: the record sign-up made is not the registry's.
    assert client.post(reverse("portal:verify")).status_code == 302
    user.refresh_from_db()
    assert user.verified_at is None
    Applicant.objects.filter(pk=user.applicant_id).update(self_registered=False)  # seen at a window
    client.post(reverse("portal:verify"))
    user.refresh_from_db()
    assert user.verified_at is not None
    assert _post(client, key="k-2").status_code == 302


def test_an_employer_operator_signs_up_with_the_uscc(client, city, sms_outbox):
    uscc = synthetic_uscc(region="371522", seq=7)
    Applicant.objects.create(kind="employer", id_number=uscc, name="莘县鲁西化工有限公司",
                             insured_region=Office.objects.get(code="371522"))  # fmt: skip
    missing = client.post(
        REGISTER, _details(kind="employer", id_number=uscc, name="莘县鲁西化工有限公司")
    )
    assert "经办人姓名" in missing.content.decode() and missing.status_code == 400
    response = _register(client, sms_outbox, kind="employer", id_number=uscc,
                         name="莘县鲁西化工有限公司", operator_name="赵会计")  # fmt: skip
    assert response.status_code == 302
    user = _account("13800001111")
    assert (user.applicant.kind, user.first_name, bool(user.verified_at)) == (
        "employer",
        "赵会计",
        True,
    )


def test_bad_details_are_named_before_any_code_is_sent(client, carol, sms_outbox):
    cases = [
        (_details(id_number="110101199003070000"), "校验位"),
        (_details(phone="12345"), "11 位手机号码"),
        (_details(phone=carol.applicant.phone), None),  # carol's applicant phone: no account's
        (_details(id_number=carol.applicant.id_number, name="Carol 王"), "已注册账户"),
        (_details(id_number=carol.applicant.id_number, name="别人"), None),
    ]
    for details, message in cases:
        response = client.post(REGISTER, details)
        if message:
            assert response.status_code == 400 and message in response.content.decode(), message
    assert User.objects.filter(role=Role.APPLICANT).count() == 1


def test_a_wrong_code_is_refused_and_five_spend_it(client, city, sms_outbox):
    client.post(REGISTER, _details())
    right = _code(sms_outbox, "13800001111")
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        response = client.post(REGISTER, {"confirm": "1", "code": wrong, "password1": PASSWORD,
                                          "password2": PASSWORD})  # fmt: skip
        assert response.status_code == 400 and "验证码不正确" in response.content.decode()
    response = client.post(REGISTER, {"confirm": "1", "code": right, "password1": PASSWORD,
                                      "password2": PASSWORD})  # fmt: skip
    assert response.status_code == 400  # spent
    assert not User.objects.filter(blind_q(User, "phone", "13800001111")).exists()


def test_a_weak_password_is_named_and_keeps_the_code(client, city, sms_outbox):
    client.post(REGISTER, _details())
    code = _code(sms_outbox, "13800001111")
    weak = client.post(REGISTER, {"confirm": "1", "code": code, "password1": "12345678",
                                  "password2": "12345678"})  # fmt: skip
    assert weak.status_code == 400 and "密码" in weak.content.decode()
    ok = client.post(REGISTER, {"confirm": "1", "code": code, "password1": PASSWORD,
                                "password2": PASSWORD})  # fmt: skip
    assert ok.status_code == 302


def test_codes_are_limited_per_number_and_per_address(client, city, sms_outbox, settings):
    settings.TONGBAN_CODES_PER_HOUR = 3
    with time_machine.travel("2026-03-02 09:00+08:00", tick=False) as clock:
        assert client.post(REGISTER, _details()).status_code == 302
        again = client.post(REGISTER, _details())
        assert again.status_code == 400 and "1 分钟后" in again.content.decode()
        clock.shift(61)
        assert client.post(REGISTER, _details()).status_code == 302
        clock.shift(61)
        third = client.post(REGISTER, _details(phone="13900002222"))
        assert third.status_code == 302
        clock.shift(61)
        limited = client.post(REGISTER, _details(phone="13700003333"))
        assert limited.status_code == 400 and "分钟后再试" in limited.content.decode()
    assert len(sms_outbox) == 3
    assert AuditEntry.objects.filter(event="auth.code_limited").count() == 2


def test_sign_in_by_code_and_a_forgotten_password(client, carol, sms_outbox, api):
    carol.phone = "13500000001"
    carol.save()
    api(carol)  # a token issued before the reset
    assert ApiToken.objects.filter(user=carol).count() == 1
    assert client.post(CODE_LOGIN, {"send": "1", "phone": "13500000001"}).status_code == 302
    code = _code(sms_outbox, "13500000001")
    response = client.post(CODE_LOGIN, {"confirm": "1", "code": code})
    assert response.status_code == 302 and response.url == reverse("portal:my-cases")
    assert AuditEntry.objects.filter(
        event="auth.login", user=carol, data__face="portal-code"
    ).exists()
    client.logout()

    assert client.post(FORGOT, {"send": "1", "phone": "13500000001"}).status_code == 302
    code = _code(sms_outbox, "13500000001")
    assert client.post(FORGOT, {"confirm": "1", "code": code, "password1": PASSWORD,
                                "password2": PASSWORD}).url == reverse("portal:login")  # fmt: skip
    old = api().post("/api/v1/auth/token", {"username": "carol", "password": "Pw-test-12345"})
    new = api().post("/api/v1/auth/token", {"username": "carol", "password": PASSWORD})
    assert (old.status_code, new.status_code) == (401, 200)
    tokens = ApiToken.objects.filter(user=carol).order_by("created_at")
    from tongban.people.selectors import token_alive

    carol.refresh_from_db()
    assert [token_alive(t, carol) for t in tokens] == [False, True]  # the old one died


def test_a_number_without_an_account_gets_the_same_answer_and_no_sms(client, city, sms_outbox):
    response = client.post(CODE_LOGIN, {"send": "1", "phone": "13600009999"})
    assert response.status_code == 302
    page = client.get(CODE_LOGIN).content.decode()
    assert "如果 136****9999 已注册" in page
    assert sms_outbox == []
    wrong = client.post(CODE_LOGIN, {"confirm": "1", "code": "123456"})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()


def test_a_code_for_one_purpose_does_not_serve_another(client, carol, sms_outbox):
    carol.phone = "13500000001"
    carol.save()
    client.post(FORGOT, {"send": "1", "phone": "13500000001"})
    code = _code(sms_outbox, "13500000001")
    client.post(CODE_LOGIN, {"send": "1", "phone": "13500000001"})
    sms_outbox.clear()
    PhoneCode.objects.filter(purpose="sign_in").delete()
    assert client.post(CODE_LOGIN, {"confirm": "1", "code": code}).status_code == 400


def test_a_person_downloads_everything_held_about_them(carol_client, carol, online_case, alice):
    import json

    from conftest import act

    act(alice, online_case, "accept")
    response = carol_client.get(reverse("portal:my-data"))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["applicant"]["id_number"] == carol.applicant.id_number
    assert [c["number"] for c in data["cases"]] == [online_case.number]
    assert {e["action"] for e in data["case_events"]} >= {"submit", "accept"}
    assert any(e["actor"] == "alice" for e in data["case_events"])  # staff by user name only
    assert "password" not in data["account"] and "Pw-test" not in response.content.decode()
    assert AuditEntry.objects.filter(event="people.data_exported", user=carol).exists()


def test_nobody_else_downloads_it(client, alice):
    assert client.get(reverse("portal:my-data")).status_code == 302  # to sign in
    client.force_login(alice)
    assert client.get(reverse("portal:my-data")).status_code == 403


def test_a_mobile_number_is_ascii_digits_full_width_folded():
    from tongban.lib.errors import InvalidInput
    from tongban.people.accounts import mobile_clean

    assert mobile_clean("１３９ ６３５０-１２３４") == "13963501234"
    assert mobile_clean("+8613963501234") == "13963501234"
    for bad in ("١٣٩٦٣٥٠١٢٣٤", "1396350123", "23963501234"):  # Arabic-Indic, short, not 1x
        with pytest.raises(InvalidInput):
            mobile_clean(bad)


def test_a_known_number_under_another_name_is_refused_for_employers_too(client, city, sms_outbox):
    uscc = synthetic_uscc(region="371522", seq=7)
    Applicant.objects.create(kind="employer", id_number=uscc, name="莘县鲁西化工有限公司",
                             insured_region=Office.objects.get(code="371522"))  # fmt: skip
    response = client.post(REGISTER, _details(kind="employer", id_number=uscc, name="随便写的名字",
                                              operator_name="某人"))  # fmt: skip
    assert response.status_code == 400 and "姓名与证件号码不符" in response.content.decode()
    assert not User.objects.filter(role=Role.APPLICANT).exists() and sms_outbox == []


def test_an_unverified_account_sees_none_of_the_records_cases(client, city, sms_outbox, alice):
    from conftest import submit

    number = synthetic_resident_id(region="371522", birth=date(1990, 5, 6))
    _register(client, sms_outbox)  # not in the demo registry: unverified
    user = _account("13800001111")
    assert user.verified_at is None
    case = submit(alice, channel="window", applicant=user.applicant)  # a case at a window
    assert client.get(reverse("portal:case", args=[case.number])).status_code == 404
    assert case.number not in client.get(reverse("portal:my-cases")).content.decode()
    data = client.get(reverse("portal:my-data")).json()
    assert data.get("cases", []) == [] and number not in str(data)
    assert user.first_name == ""  # the person's name is sealed on their record, not here


def test_a_wrong_reset_code_costs_no_password_hashing(client, carol, sms_outbox, monkeypatch):
    """The password rules hash the new password against the last ones: only a right code
    makes the server do that."""
    from django.contrib.auth import password_validation

    from tongban.people import accounts

    carol.phone = "13500000001"
    carol.save()
    calls = []
    real = password_validation.validate_password
    monkeypatch.setattr(password_validation, "validate_password",
                        lambda *a, **k: calls.append(1) or real(*a, **k))  # fmt: skip
    client.post(FORGOT, {"send": "1", "phone": "13500000001"})
    with pytest.raises(accounts.InvalidInput):
        accounts.password_reset(phone="13500000001", code="000000", password=PASSWORD, ip=None)
    assert calls == []
    code = _code(sms_outbox, "13500000001")
    assert accounts.password_reset(phone="13500000001", code=code, password=PASSWORD, ip=None) == carol
    assert calls == [1]
    with pytest.raises(accounts.InvalidInput):  # the code is spent
        accounts.password_reset(phone="13500000001", code=code, password=PASSWORD, ip=None)


def test_the_download_costs_the_same_queries_however_much_is_held(carol, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from conftest import act, submit
    from tongban.portal.mydata import personal_data

    def cost():
        with CaptureQueriesContext(connection) as q:
            personal_data(carol)
        return len(q)

    act(alice, submit(carol), "accept")
    one = cost()
    for _ in range(3):
        act(alice, submit(carol), "accept")
    assert cost() == one
