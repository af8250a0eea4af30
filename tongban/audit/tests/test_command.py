"""`tongban audit verify` and `tongban audit anchor`."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connections
from django.utils import timezone

from tongban import cli
from tongban.audit.models import AuditEntry
from tongban.audit.services import record
from tongban.cases.models import CaseEvent

from .conftest import tampering


def _verify(*args) -> str:
    out = StringIO()
    call_command("audit", "verify", *args, stdout=out)
    return out.getvalue()


def test_verify_says_the_chain_is_intact_and_gives_the_head(alice):
    last = record(event="test.one", user=alice)
    out = _verify()
    assert "audit chain intact" in out
    assert f"head #{last.seq} {last.hash}" in out


def test_verify_names_the_first_bad_entry_and_fails(alice):
    entries = [record(event="test.one", user=alice, n=i) for i in range(3)]
    with tampering():
        AuditEntry.objects.filter(pk=entries[1].pk).update(data={"n": 99})
    with pytest.raises(
        CommandError, match=f"entry #{entries[1].seq} \\(id {entries[1].pk}\\), changed"
    ) as e:
        _verify()
    assert e.value.returncode == 1


def test_the_tongban_command_exits_with_1_when_broken(alice, capsys, monkeypatch):
    # As run from a shell; the command's closing of every connection would end the test's.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    entries = [record(event="test.one", user=alice, n=i) for i in range(3)]
    cli.main(["tongban", "audit", "verify"])
    with tampering():
        AuditEntry.objects.filter(pk=entries[0].pk).delete()
    with pytest.raises(SystemExit) as e:
        cli.main(["tongban", "audit", "verify"])
    assert e.value.code == 1
    assert f"entry #{entries[0].seq}" in capsys.readouterr().err


def test_anchor_then_verify_checks_the_days(accepted_case, time_machine):
    time_machine.move_to(timezone.now() + timedelta(days=1, hours=1))
    out = StringIO()
    call_command("audit", "anchor", stdout=out)
    assert "cases.CaseEvent" in out.getvalue()
    assert "anchored days intact" in _verify()
    CaseEvent.objects.filter(case=accepted_case).update(reason="rewritten")
    with pytest.raises(CommandError, match="anchored day broken") as e:
        _verify()
    assert e.value.returncode == 1
    assert "anchored days" not in _verify("--no-anchors")
