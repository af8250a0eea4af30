import pytest
from django.urls import reverse

from conftest import act

pytestmark = pytest.mark.django_db

LOOKUP = reverse("portal:lookup")


def test_the_lookup_page_is_public_and_takes_the_number_from_the_qr_code(client, online_case):
    response = client.get(LOOKUP, {"number": online_case.number})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{online_case.number}"' in html and "申请人证件号码" in html


def test_the_right_number_and_id_show_the_status_and_nothing_personal(
    client, accepted_case, carol_applicant
):
    response = client.post(
        LOOKUP, {"number": accepted_case.number, "id": carol_applicant.id_number}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "门诊费用报销" in html and "已受理" in html and "办结期限" in html
    for personal in (carol_applicant.name, carol_applicant.id_number, carol_applicant.phone,
                     carol_applicant.masked_id, "6222020200112233445", "1280.50"):  # fmt: skip
        assert personal not in html
    assert response["Cache-Control"] == "private, no-store"


def test_the_query_string_form_works_too(client, online_case, carol_applicant):
    response = client.get(
        LOOKUP, {"number": online_case.number, "id": carol_applicant.id_number.lower()}
    )
    assert response.status_code == 200 and "已申请" in response.content.decode()


def test_the_fifteen_digits_of_a_first_generation_card_find_it_too(client, online_case, carol_applicant):
    number = carol_applicant.id_number
    response = client.post(LOOKUP, {"number": online_case.number, "id": number[:6] + number[8:17]})
    assert response.status_code == 200 and online_case.number in response.content.decode()


def test_a_wrong_id_or_number_never_says_which(client, online_case, carol_applicant):
    wrong_id = client.post(LOOKUP, {"number": online_case.number, "id": "371581197003010011"})
    wrong_number = client.post(
        LOOKUP, {"number": "371500-20200101-000001", "id": carol_applicant.id_number}
    )
    assert wrong_id.status_code == wrong_number.status_code == 404
    message = "没有找到与该办件编号和证件号码相符的办件"
    assert message in wrong_id.content.decode() and message in wrong_number.content.decode()
    assert "门诊费用报销" not in wrong_id.content.decode()


def test_failed_lookups_are_limited_per_address(client, online_case, carol_applicant):
    for _ in range(10):
        assert client.post(LOOKUP, {"number": online_case.number, "id": "x"}).status_code == 404
    # Even the right pair is refused for a while now.
    response = client.post(LOOKUP, {"number": online_case.number, "id": carol_applicant.id_number})
    assert response.status_code == 429 and "10 分钟后再试" in response.content.decode()
    # The case number has had its tries too, from anywhere: guesses spread over addresses
    # get no further.
    other = client.post(LOOKUP, {"number": online_case.number, "id": carol_applicant.id_number},
                        REMOTE_ADDR="10.0.0.2")  # fmt: skip
    assert other.status_code == 429


def test_the_limit_is_kept_where_every_server_process_sees_it(client, online_case, carol_applicant):
    from tongban.people.limits import limit_peek

    for _ in range(3):
        client.post(LOOKUP, {"number": online_case.number, "id": "x"})
    assert limit_peek("lookup-ip:127.0.0.1").count == 3  # in the database, not this process
    client.post(LOOKUP, {"number": online_case.number, "id": carol_applicant.id_number})
    assert limit_peek("lookup-ip:127.0.0.1").count == 3  # a find gives its try back


def test_a_finished_case_can_be_rated_from_the_qr_code(
    client, accepted_case, carol_applicant, rita, sam
):
    pytest.importorskip("tongban.evaluations.services")
    act(rita, accepted_case, "approve")
    act(sam, accepted_case, "approve")
    html = client.post(
        LOOKUP, {"number": accepted_case.number, "id": carol_applicant.id_number}
    ).content.decode()
    assert "评价本次服务" in html
    # A forged look-up cannot rate.
    response = client.post(
        reverse("portal:lookup-rate"), {"number": accepted_case.number, "id": "x", "score": "1"}
    )
    assert response.status_code == 404
    assert not accepted_case.evaluations.exists()
    response = client.post(reverse("portal:lookup-rate"), {"number": accepted_case.number,
                                                           "id": carol_applicant.id_number, "score": "5",
                                                           "comment": "很快"})  # fmt: skip
    assert response.status_code == 200
    evaluation = accepted_case.evaluations.get()
    assert (evaluation.score, evaluation.channel, evaluation.rated_by) == (5, "qr", None)
    assert "感谢你的评价" in response.content.decode() and "非常满意" in response.content.decode()
    assert "很快" not in response.content.decode()  # the comment is not shown to the public
