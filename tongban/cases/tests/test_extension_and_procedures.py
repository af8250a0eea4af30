"""延期 and 特别程序, and a deemed acceptance that the office can still decide, worked out by
hand on March 2025 (no holidays). 门诊费用报销: 10 working days, 审核 (rita) → 复审 (sam);
olga supervises 莘县 (371522), vera the city."""

import subprocess
from datetime import date

import pytest
import time_machine

from conftest import act, submit
from tongban.cases.models import Case, Extension, Notice, SpecialProcedure
from tongban.cases.notices import notice_pdf
from tongban.cases.services import case_deem_accepted
from tongban.lib.errors import Conflict, Forbidden, InvalidInput
from tongban.stats.selectors import Figures, Period

pytestmark = pytest.mark.django_db


def on(day: str, at: str = "10:00"):
    return time_machine.travel(f"{day} {at}+08:00", tick=False)


def fresh(case) -> Case:
    return Case.objects.get(pk=case.pk)


def pdf_text(notice) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=notice_pdf(notice), capture_output=True,
                          check=True).stdout.decode().replace("\n", "")  # fmt: skip


@pytest.fixture
def accepted(carol, alice):
    with on("2025-03-03"):  # due Mon 03-17
        return act(alice, submit(carol), "accept")


class TestExtension:
    def test_approved_it_moves_the_deadline_and_tells_the_applicant(self, accepted, rita, olga):
        with on("2025-03-12"):
            act(rita, accepted, "request_extension", days=3, reason="需向外地医院核实票据")
        case = fresh(accepted)
        assert case.extension_pending and case.deadline == date(2025, 3, 17)
        with on("2025-03-13"):
            act(olga, case, "decide_extension", approve=True)
        case = fresh(case)
        # three more working days after Mon 03-17: Tue 18, Wed 19, Thu 20
        assert (case.deadline, case.extended_days, case.extension_pending) == (
            date(2025, 3, 20),
            3,
            False,
        )
        extension = case.extensions.get()
        assert (extension.status, extension.deadline_after) == (
            Extension.Status.APPROVED,
            date(2025, 3, 20),
        )
        notice = case.notices.get(kind=Notice.Kind.EXTENSION)
        text = pdf_text(notice)
        assert "延期办理告知书" in text and "延长 3 个工作日" in text
        assert "2025年3月17日" in text and "2025年3月20日" in text

    def test_finished_within_the_extended_deadline_is_on_time_and_counted_apart(
        self, accepted, rita, sam, olga
    ):
        with on("2025-03-12"):
            act(rita, accepted, "request_extension", days=3, reason="需核实")
            act(olga, accepted, "decide_extension", approve=True)
        with on("2025-03-19"):  # after the first deadline, within the extended one
            act(sam, act(rita, accepted, "approve"), "approve")
        with on("2025-03-25"):
            summary = Figures(Period(date(2025, 3, 1), date(2025, 3, 31))).summary()
        assert (summary["on_time_rate"], summary["overdue"], summary["extended"]) == (1.0, 0, 1)

    def test_asked_for_after_the_deadline_it_is_refused(self, accepted, rita):
        with on("2025-03-18"), pytest.raises(Conflict) as e:
            act(rita, accepted, "request_extension", days=3, reason="需核实")
        assert e.value.code == "extension_too_late"

    def test_approved_after_the_old_deadline_it_is_refused_but_it_can_be_turned_down(
        self, accepted, rita, olga
    ):
        with on("2025-03-17"):
            act(rita, accepted, "request_extension", days=2, reason="需核实")
        with on("2025-03-18"), pytest.raises(Conflict) as e:
            act(olga, accepted, "decide_extension", approve=True)
        assert e.value.code == "extension_too_late"
        with on("2025-03-18"):
            act(olga, accepted, "decide_extension", approve=False, reason="已逾期，应尽快办结")
        assert fresh(accepted).extensions.get().status == Extension.Status.REFUSED

    def test_who_may_ask_and_decide(self, accepted, alice, rita, sam, olga, bob):
        with on("2025-03-10"):
            for who in (alice, sam, olga):  # the step is 审核: rita's
                with pytest.raises(Forbidden):
                    act(who, accepted, "request_extension", days=1, reason="x")
            with pytest.raises(InvalidInput) as e:
                act(rita, accepted, "request_extension", days=11, reason="x")
            assert e.value.code == "invalid_days"
            act(rita, accepted, "request_extension", days=1, reason="需核实")
            with pytest.raises(Conflict):  # one pending at a time
                act(rita, accepted, "request_extension", days=1, reason="再延")
            with pytest.raises(Forbidden):
                act(rita, accepted, "decide_extension", approve=True)
            with pytest.raises(InvalidInput):  # a refusal says why
                act(olga, accepted, "decide_extension", approve=False)


class TestSpecialProcedure:
    def test_the_clock_stands_still_and_the_days_are_left_out(self, accepted, rita, sam):
        with on("2025-03-05"):  # Tue 03-04 and Wed 03-05 counted
            act(rita, accepted, "start_procedure", kind="site_check", reason="需现场核查经营场所")
        case = fresh(accepted)
        assert case.in_procedure and case.deadline is None and case.workdays_used == 2
        with on("2025-03-06"), pytest.raises(Conflict):
            act(rita, case, "approve")  # the outcome comes first
        notice = case.notices.get(kind=Notice.Kind.PROCEDURE)
        assert "现场核查" in pdf_text(notice) and "不计算在办理期限内" in pdf_text(notice)
        with on("2025-03-12"):
            act(rita, case, "end_procedure", outcome="经营场所属实")
        case = fresh(case)
        # 8 days left from Thu 03-13: 13, 14, 17, 18, 19, 20, 21, 24
        assert (case.in_procedure, case.deadline) == (False, date(2025, 3, 24))
        procedure = case.special_procedures.get()
        assert (procedure.ended_on, procedure.outcome) == (date(2025, 3, 12), "经营场所属实")
        assert procedure.clock_stop.ended_on == date(2025, 3, 12)
        with on("2025-03-14"):
            act(sam, act(rita, case, "approve"), "approve")
        with on("2025-03-25"):
            summary = Figures(Period(date(2025, 3, 1), date(2025, 3, 31))).summary()
        # 2 before + Thu 13, Fri 14 = 4 working days on the clock
        assert (summary["avg_handling_workdays"], summary["with_procedure"]) == (4.0, 1)

    def test_a_procedure_needs_its_kind_and_reason(self, accepted, rita):
        with on("2025-03-05"):
            with pytest.raises(InvalidInput) as e:
                act(rita, accepted, "start_procedure", kind="seance", reason="x")
            assert e.value.code == "invalid_procedure"
            with pytest.raises(InvalidInput):
                act(rita, accepted, "start_procedure", kind="hearing")
            with pytest.raises(Conflict):
                act(rita, accepted, "end_procedure", outcome="x")  # none under way

    def test_a_withdrawal_ends_the_procedure(self, accepted, rita, carol):
        with on("2025-03-05"):
            act(rita, accepted, "start_procedure", kind="appraisal", reason="需鉴定")
        with on("2025-03-06"):
            act(carol, accepted, "withdraw")
        assert SpecialProcedure.objects.get(case=accepted).ended_on == date(2025, 3, 6)


def test_a_deemed_acceptance_can_be_approved(carol):
    """§32: not answered, it counts as accepted; nothing is recorded missing (the office lost
    its chance to ask before acceptance), the notice says what was not handed in, and the
    handling office (carol's insured county, 临清 371581) reviews and decides."""
    from conftest import _user
    from tongban.people.models import Role

    rita, sam = (
        _user("rita2", Role.REVIEWER, "371581"),
        _user("sam2", Role.SECOND_REVIEWER, "371581"),
    )
    with on("2025-03-03"):
        case = submit(carol, materials=["M1"])
    with on("2025-03-11"):
        assert case_deem_accepted(case=case)
    case = fresh(case)
    assert (case.status, case.missing_materials) == (Case.Status.ACCEPTED, [])
    assert case.events.last().data == {"not_supplied": ["M2", "M3", "M4"]}
    notice = case.notices.get(kind=Notice.Kind.ACCEPTANCE)
    assert "未提交下列材料" in pdf_text(notice)
    with on("2025-03-12"):
        act(sam, act(rita, case, "approve"), "approve")
    assert (fresh(case).status, fresh(case).result) == ("completed", "approved")
