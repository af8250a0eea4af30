"""tongban.lib.sql reads and writes exactly what the ORM would, on both databases."""

from datetime import date, timedelta

import pytest
from django.db.models import F, Model
from django.utils import timezone

from conftest import submit
from tongban.cases.models import Case, CaseEvent, Notice
from tongban.lib import sql

pytestmark = pytest.mark.django_db


def _values(obj: Model) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_columns_build_the_instance_the_orm_loads(carol):
    case = submit(carol)
    case.deadline, case.missing_materials, case.form = date(2026, 12, 31), ["M3"], {"k": "值"}
    case.save()
    columns = sql.Columns(Case, "c")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns.sql} FROM {sql.table(Case)} c WHERE c.id = %s", [case.pk])
        built = columns.build(cursor.fetchone())
    assert _values(built) == _values(Case.objects.get(pk=case.pk))
    assert built._state.adding is False


def test_an_instance_built_without_init_behaves_as_one_the_orm_loads(carol, alice):
    from django.db import connection

    case = submit(carol)
    columns = sql.Columns(Case, "c")
    assert columns.plain()  # a case is built the lean way
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns.sql} FROM {sql.table(Case)} c WHERE c.id = %s", [case.pk])
        built = columns.build(cursor.fetchone())
    assert built == case and built._state.db == "default" and not built._state.fields_cache
    assert built.item.code == case.item.code  # relations load through the keys
    built.owner = alice  # and a key set through its relation changes what is saved
    built.save(update_fields=["owner"])
    assert Case.objects.get(pk=case.pk).owner_id == alice.pk


def test_a_model_someone_listens_to_is_built_by_from_db(carol):
    from django.db import connection
    from django.db.models.signals import post_init

    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(instance)

    case = submit(carol)
    columns = sql.Columns(Case, "c")
    post_init.connect(listener, sender=Case)
    try:
        assert not columns.plain()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns.sql} FROM {sql.table(Case)} c WHERE c.id = %s",
                           [case.pk])  # fmt: skip
            built = columns.build(cursor.fetchone())
    finally:
        post_init.disconnect(listener, sender=Case)
    assert seen == [built]
    assert columns.plain()


def test_a_left_join_that_found_nothing_builds_none():
    columns = sql.Columns(Case, "c")
    assert columns.build((None,) * columns.width) is None


def test_update_writes_what_save_would(carol):
    case = submit(carol)
    before = case.updated_at
    case.status, case.deadline, case.missing_materials = "accepted", date(2027, 1, 4), ["M3", "M4"]
    case.accepted_at = timezone.now() - timedelta(hours=1)
    assert (
        sql.update(case, ("status", "deadline", "missing_materials", "accepted_at", "updated_at"))
        == 1
    )
    stored = Case.objects.get(pk=case.pk)
    assert (stored.status, stored.deadline, stored.missing_materials) == (
        "accepted",
        date(2027, 1, 4),
        ["M3", "M4"],
    )
    assert stored.accepted_at == case.accepted_at
    assert stored.updated_at > before  # auto_now, as save() sets it
    assert stored.form == case.form  # not named: not written


def test_insert_fills_defaults_like_create(carol, alice):
    case = submit(carol)
    at = timezone.now()
    sql.insert(CaseEvent, case=case, action="approve", from_status="accepted", to_status="accepted",
               at=at, actor=alice, office=alice.office, ip="10.0.0.1")  # fmt: skip
    sql.insert(Notice, case=case, kind="acceptance", issued_at=at, data={"号": [1, "二"]})
    event = CaseEvent.objects.filter(case=case, action="approve").get()
    assert (event.actor_id, event.office_id, event.reason, event.data, event.at, event.ip) == (
        alice.pk, alice.office_id, "", {}, at, "10.0.0.1",
    )  # fmt: skip
    assert Notice.objects.get(case=case).data == {"号": [1, "二"]}


# --- batch --------------------------------------------------------------------------------


def _write_three(case, alice, reason):
    case.status, case.reason = "accepted", reason
    sql.update(case, ("status", "reason", "updated_at"))
    sql.insert(CaseEvent, case=case, action="accept", from_status="submitted",
               to_status="accepted", at=timezone.now(), actor=alice, reason=reason)  # fmt: skip
    sql.insert(Notice, case=case, kind="acceptance", issued_at=timezone.now(), data={"n": 1})


def test_a_batch_writes_everything_and_in_one_statement_on_postgresql(
    carol, alice, django_assert_num_queries
):
    from django.db import connection

    case = submit(carol)
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 3):
        with sql.batch():
            _write_three(case, alice, "一起")
    stored = Case.objects.get(pk=case.pk)
    assert (stored.status, stored.reason) == ("accepted", "一起")
    assert stored.updated_at > case.submitted_at
    assert CaseEvent.objects.filter(case=case, action="accept", reason="一起").count() == 1
    assert Notice.objects.get(case=case, kind="acceptance").data == {"n": 1}


def test_a_read_inside_a_batch_sees_what_was_written_before_it(carol, alice):
    case = submit(carol)
    with sql.batch():
        _write_three(case, alice, "先写")
        assert Case.objects.get(pk=case.pk).reason == "先写"  # the ORM query sent them first
        assert Notice.objects.filter(case=case).count() == 1
        case.reason = "再写"  # and the same row again: sent apart
        sql.update(case, ("reason",))
        case.reason = "三写"
        sql.update(case, ("reason",))
    assert Case.objects.get(pk=case.pk).reason == "三写"


def test_an_error_in_a_batch_leaves_nothing_written(carol, alice):
    from django.db import IntegrityError, transaction

    case = submit(carol)
    with pytest.raises(IntegrityError), transaction.atomic(), sql.batch():
        _write_three(case, alice, "不算")
        sql.insert(CaseEvent, case_id=None, action="accept", from_status="", to_status="x",
                   at=timezone.now())  # fmt: skip  # a case it must name
    case.refresh_from_db()
    assert case.reason != "不算"
    assert not CaseEvent.objects.filter(reason="不算").exists()
    assert not Notice.objects.filter(case=case).exists()


def test_an_exception_in_a_batch_sends_nothing(carol, alice):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a batch waits only on PostgreSQL; elsewhere each write goes at once")
    case = submit(carol)
    with pytest.raises(RuntimeError), sql.batch():
        _write_three(case, alice, "丢弃")
        raise RuntimeError("the caller's transaction rolls back")
    assert not CaseEvent.objects.filter(reason="丢弃").exists()
    with sql.batch():  # and the next batch starts empty
        pass
    assert not Notice.objects.filter(case=case).exists()


def test_get_reads_what_the_orm_reads(carol_applicant):
    from tongban.people.models import Applicant

    got = sql.get(Applicant, "id_number_index", carol_applicant.id_number_index)
    assert _values(got) == _values(Applicant.objects.get(pk=carol_applicant.pk))
    assert got._state.adding is False
    assert sql.get(Applicant, "id_number_index", "no such index") is None


def test_save_new_unless_exists_writes_once_and_says_so(carol_applicant):
    from tongban.people.models import Applicant

    fresh = Applicant(kind="person", id_number="110101199003070017", name="新人",
                      insured_region_id=carol_applicant.insured_region_id)  # fmt: skip
    assert sql.save_new(fresh, unless_exists=("id_number_index",)) is True
    assert _values(Applicant.objects.get(pk=fresh.pk)) == _values(fresh)
    assert fresh.created_at is not None and fresh._state.adding is False

    again = Applicant(kind="person", id_number=carol_applicant.id_number, name="重名",
                      insured_region_id=carol_applicant.insured_region_id)  # fmt: skip
    assert sql.save_new(again, unless_exists=("id_number_index",)) is False
    assert again.pk is None and again._state.adding is True
    assert Applicant.objects.get(pk=carol_applicant.pk).name == carol_applicant.name
    # No error was raised, so the transaction goes on: a later statement still works.
    assert Applicant.objects.count() == 2


def test_every_hot_insert_keeps_its_parsed_statement_in_psycopgs_cache():
    """psycopg parses a statement's placeholders once only up to a number of parameters; a case
    INSERT past it was parsed again on every application (lib.sql raises the limit)."""
    queries = pytest.importorskip("psycopg._queries")
    for model in (Case, CaseEvent, Notice):
        fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.db_returning)]
        assert len(fields) <= queries.MAX_CACHED_STATEMENT_PARAMS, model.__name__


def _loaded(obj: Model) -> dict:
    return {k: v for k, v in obj.__dict__.items() if k != "_state"}


def _page(pk):
    # A work queue's query: cases with their items and applicants, the form deferred.
    return (
        Case.objects.filter(pk=pk)
        .select_related("item", "applicant")
        .annotate(item_version_number=F("item_version__number"))
        .defer("form")
        .get()
    )


def test_querysets_build_plain_models_as_django_does(carol):
    from django.db.models.signals import post_init

    from tongban.catalog.models import ServiceItem
    from tongban.people.models import Applicant

    case = submit(carol)
    lean = _page(case.pk)
    assert all(sql.plain(m) for m in (Case, ServiceItem, Applicant))

    def listener(sender, instance, **kwargs):
        pass

    # With a listener, the same query goes through Django's from_db and Model.__init__.
    for model in (Case, ServiceItem, Applicant):
        post_init.connect(listener, sender=model)
    try:
        assert not any(sql.plain(m) for m in (Case, ServiceItem, Applicant))
        django_built = _page(case.pk)
    finally:
        for model in (Case, ServiceItem, Applicant):
            post_init.disconnect(listener, sender=model)
    assert _loaded(lean) == _loaded(django_built)
    assert _loaded(lean.item) == _loaded(django_built.item)
    assert _loaded(lean.applicant) == _loaded(django_built.applicant)
    assert (lean._state.adding, lean._state.db) == (False, "default")
    assert lean._state.fetch_mode == django_built._state.fetch_mode
    assert lean.item._state.adding is False and lean.applicant._state.db == "default"
    assert lean.get_deferred_fields() == django_built.get_deferred_fields() == {"form"}
    assert lean.form == case.form  # a deferred field loads when read
    assert lean.applicant.id_number == carol.applicant.id_number  # sealed, opened when read


def test_a_listener_gets_every_instance_a_queryset_builds(carol):
    from django.db.models.signals import post_init

    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(instance.pk)

    case = submit(carol)
    post_init.connect(listener, sender=Case)
    try:
        list(Case.objects.filter(pk=case.pk))
    finally:
        post_init.disconnect(listener, sender=Case)
    assert seen == [case.pk]
