import pytest

from conftest import INSTANT_ITEM, PROMISED_ITEM, act, submit
from tongban.consultations.models import Consultation, PolicyQA
from tongban.consultations.seed import policies_seed
from tongban.consultations.selectors import consultations_for_office
from tongban.consultations.services import consultation_link_case, consultation_log, policy_search
from tongban.lib.errors import Forbidden, InvalidInput


def test_a_clerk_logs_an_enquiry_and_is_its_first_responder(alice):
    c = consultation_log(clerk=alice, question="门诊报销要带什么？", answer="身份证、发票、清单",
                         item=f"{PROMISED_ITEM} 门诊费用报销", asker_name="王女士", channel="phone")  # fmt: skip
    assert c.clerk == alice and c.office == alice.office
    assert c.item.code == PROMISED_ITEM and c.channel == "phone"


def test_the_item_may_be_given_by_name(alice):
    c = consultation_log(clerk=alice, question="q", answer="a", item="城乡居民参保登记")
    assert c.item.code == INSTANT_ITEM


@pytest.mark.parametrize(("field", "kwargs"), [
    ("question", {"question": " "}),
    ("answer", {"answer": ""}),
    ("item", {"item": "NOPE"}),
    ("asker_phone", {"asker_phone": "call me"}),
    ("channel", {"channel": "fax"}),
    ("turned_into_case", {"case_number": "371522-20250101-000001"}),
])  # fmt: skip
def test_bad_input_names_its_field(alice, field, kwargs):
    args = {"question": "q", "answer": "a", **kwargs}
    with pytest.raises(InvalidInput) as e:
        consultation_log(clerk=alice, **args)
    assert e.value.field == field
    assert not Consultation.objects.exists()


def test_applicants_and_agents_log_nothing(carol, dave):
    with pytest.raises(Forbidden):
        consultation_log(clerk=carol, question="q", answer="a")
    with pytest.raises(Forbidden):
        consultation_log(clerk=dave, question="q", answer="a")


def test_it_links_only_a_case_the_clerk_can_see(alice, bob, carol):
    accepted = act(alice, submit(carol), "accept")
    with pytest.raises(InvalidInput):
        consultation_log(clerk=bob, question="q", answer="a", case_number=accepted.number)
    c = consultation_log(clerk=alice, question="q", answer="a", case_number=accepted.number)
    assert c.turned_into_case == accepted


def test_linking_later_keeps_the_first_responder(alice, bob, carol):
    c = consultation_log(clerk=alice, question="q", answer="a")
    case = submit(carol)
    with pytest.raises(Forbidden):
        consultation_link_case(consultation=c, case=case, actor=bob)  # another office
    consultation_link_case(consultation=c, case=case, actor=alice)
    c.refresh_from_db()
    assert c.turned_into_case == case and c.clerk == alice


def test_the_office_list_is_searchable_and_per_office(alice, bob):
    consultation_log(clerk=alice, question="新生儿参保", answer="带出生证明", item=INSTANT_ITEM)
    consultation_log(clerk=alice, question="异地备案", answer="网上办")
    consultation_log(clerk=bob, question="新生儿参保", answer="同上")
    assert consultations_for_office(office_id=alice.office_id).count() == 2
    assert [
        c.question for c in consultations_for_office(office_id=alice.office_id, q="新生儿")
    ] == ["新生儿参保"]
    assert consultations_for_office(office_id=alice.office_id, q="城乡居民").count() == 1


def test_policy_search_finds_published_answers_by_every_word(city):
    policies_seed()
    PolicyQA.objects.create(question="草稿问题 容缺", answer="未发布", published=False)
    found = list(policy_search(q="容缺"))
    assert found and all(p.published for p in found)
    assert list(policy_search(q="容缺 清单")) == [
        p for p in found if "清单" in p.question + p.answer + p.source
    ]
    by_item = list(policy_search(item=INSTANT_ITEM))
    assert len(by_item) == 2 and all(p.item.code == INSTANT_ITEM for p in by_item)


def test_the_seed_can_run_twice(city):
    first = policies_seed()
    assert first >= 6
    assert policies_seed() == first
