"""The audit chain: every entry hashed with the one before; a change, a removal, a swap, a cut
tail is each found and named by chain_verify."""

from datetime import timedelta

import pytest
from django.db import connection, transaction

from tongban.audit.chain import GENESIS, entry_hash
from tongban.audit.models import AuditEntry, AuditHead
from tongban.audit.selectors import audit_head, chain_verify
from tongban.audit.services import record

from .conftest import tampering


@pytest.fixture
def five(alice):
    return [record(event="test.step", user=alice, target=f"T{i}", ip="10.0.0.1", n=i)
            for i in range(5)]  # fmt: skip


def test_each_entry_is_chained_to_the_one_before(five):
    first, second = five[0], five[1]
    assert second.prev_hash == first.hash
    assert second.seq == first.seq + 1
    assert len(first.hash) == 64 and first.hash != GENESIS
    assert audit_head() == (five[-1].seq, five[-1].hash)


def test_an_intact_chain_verifies(five):
    verdict = chain_verify()
    assert verdict.ok, verdict.problem
    assert verdict.checked == AuditEntry.objects.count()
    assert verdict.head_seq == five[-1].seq


def test_what_the_database_gives_back_hashes_as_written(alice):
    # jsonb reorders keys and spells numbers its own way, inet shortens IPv6: the hash must not
    # care. Read back from the database, not the instance record() made.
    entry = record(event="test.shapes", user=alice, ip="2001:0db8:0000::0001",
                   nested={"b": [1.0, 2.5, 1e20], "a": "中文", "z": None}, when=timedelta(1))  # fmt: skip
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.ip == "2001:db8::1"
    assert entry_hash(stored) == stored.hash
    assert chain_verify().ok


def test_the_office_is_the_users_unless_given(alice, bob):
    assert record(event="test.office", user=alice).office_id == alice.office_id
    assert record(event="test.office", user=alice, office=bob.office).office_id == bob.office_id
    assert record(event="test.office", username="nobody").office_id is None


def test_an_unknown_outcome_is_refused(alice):
    with pytest.raises(ValueError, match="outcome"):
        record(event="test.outcome", user=alice, outcome="maybe")


def test_a_changed_entry_is_named(five):
    with tampering():
        AuditEntry.objects.filter(pk=five[2].pk).update(target="someone else")
    verdict = chain_verify()
    assert not verdict.ok
    assert (verdict.kind, verdict.seq, verdict.entry_id) == ("changed", five[2].seq, five[2].pk)
    assert f"第 {five[2].seq} 条" in verdict.problem


def test_a_changed_time_is_named(five):
    with tampering():
        AuditEntry.objects.filter(pk=five[1].pk).update(at=five[1].at - timedelta(hours=1))
    verdict = chain_verify()
    assert (verdict.kind, verdict.entry_id) == ("changed", five[1].pk)


def test_a_removed_entry_is_named(five):
    with tampering():
        AuditEntry.objects.filter(pk=five[2].pk).delete()
    verdict = chain_verify()
    assert not verdict.ok
    # The missing place, and the entry that lost what it was chained to.
    assert (verdict.kind, verdict.seq, verdict.entry_id) == ("removed", five[2].seq, five[3].pk)


def test_two_swapped_entries_are_named(five):
    a, b = five[1], five[2]
    with tampering():
        AuditEntry.objects.filter(pk=a.pk).update(seq=-1)
        AuditEntry.objects.filter(pk=b.pk).update(seq=a.seq)
        AuditEntry.objects.filter(pk=a.pk).update(seq=b.seq)
    verdict = chain_verify()
    assert not verdict.ok
    # b now stands where a stood, but was chained to a.
    assert (verdict.kind, verdict.seq, verdict.entry_id) == ("reordered", a.seq, b.pk)
    assert f"原本接在第 {b.seq} 条之后" in verdict.problem


def test_a_renumbered_chain_is_named(five):
    with tampering():
        for entry in reversed(five[3:]):
            AuditEntry.objects.filter(pk=entry.pk).update(seq=entry.seq + 10)
    verdict = chain_verify()
    assert (verdict.kind, verdict.entry_id) == ("renumbered", five[3].pk)


def test_a_cut_tail_is_found_by_the_head(five):
    with tampering():
        AuditEntry.objects.filter(pk__in=[five[3].pk, five[4].pk]).delete()
    verdict = chain_verify()
    assert (verdict.kind, verdict.seq, verdict.entry_id) == ("removed", five[3].seq, None)


def test_a_rewritten_last_entry_is_found_by_the_head(five):
    last = AuditEntry.objects.get(pk=five[-1].pk)
    last.target = "rewritten"
    with tampering():
        AuditEntry.objects.filter(pk=last.pk).update(target=last.target, hash=entry_hash(last))
    verdict = chain_verify()
    assert (verdict.kind, verdict.seq) == ("changed", last.seq)


def test_a_rolled_back_action_leaves_no_entry_and_a_whole_chain(alice, five):
    with pytest.raises(RuntimeError), transaction.atomic():
        record(event="test.rolled_back", user=alice)
        raise RuntimeError("the action failed after its audit entry")
    assert not AuditEntry.objects.filter(event="test.rolled_back").exists()
    after = record(event="test.after", user=alice)
    assert after.seq == five[-1].seq + 1 and after.prev_hash == five[-1].hash
    assert chain_verify().ok


def test_a_missing_head_is_made_again_from_the_last_entry(five):
    # A flushed test database loses the head row; never seq 1 again.
    with tampering():
        AuditHead.objects.all().delete()
    entry = record(event="test.after_flush")
    assert entry.seq == five[-1].seq + 1
    assert chain_verify().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_and_rollbacks_make_one_whole_chain(city):
    import threading

    from django.db import connections

    writers, each = 6, 15
    start = threading.Barrier(writers)
    errors = []

    def write(n):
        try:
            start.wait()
            for i in range(each):
                if i % 5 == 4:  # a failed action: its entry goes with it
                    try:
                        with transaction.atomic():
                            record(event="test.rolled_back", target=f"{n}-{i}")
                            raise RuntimeError
                    except RuntimeError:
                        pass
                else:
                    with transaction.atomic():
                        record(event="test.concurrent", target=f"{n}-{i}")
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert AuditEntry.objects.filter(event="test.concurrent").count() == writers * 12
    assert not AuditEntry.objects.filter(event="test.rolled_back").exists()
    verdict = chain_verify()
    assert verdict.ok, verdict.problem
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def test_a_head_moved_back_is_named(five):
    with tampering():
        AuditHead.objects.filter(pk=1).update(seq=five[2].seq, hash=five[2].hash)
    verdict = chain_verify()
    assert (verdict.kind, verdict.seq) == ("head", five[3].seq)
