"""Hand-built SQL for the statements of the hot paths (case actions, applications, case
reads), with the ORM's own field conversions.

The ORM compiles each query anew: 0.3 to 0.7 ms of Python a statement, most of what a case
action cost (bench/README.md, "Finding the cost"). Here the SQL text is built once per process
and database; values are written through each field's `pre_save` and `get_db_prep_save` and
read back through the converters the ORM itself applies, so both databases store and return
exactly what the ORM would. Its statements share one kept cursor per connection (`cursor`).
Use it where a benchmark shows the ORM's compile time matters, and the ORM everywhere else.
"""

import inspect

from django.db import DEFAULT_DB_ALIAS, NotSupportedError, connection, connections
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.signals import post_init, pre_init

from .sealed import SealedAttribute

try:
    from psycopg import _queries as _psycopg_queries
except ImportError:  # SQLite only
    _psycopg_queries = None
# psycopg keeps a statement's parsed placeholders (an LRU of 128) only for statements of up to
# 50 parameters, against ORMs' bulk INSERTs of every length (psycopg discussion #628). Ours
# are a fixed few: a case's INSERT has 51 since #14/#15, and parsing it again on every
# application cost 4 M instructions a lifecycle (+10%). The limit is psycopg's private
# constant: if it moves, this sets nothing and only the speed is lost.
if (
    _psycopg_queries is not None
    and getattr(_psycopg_queries, "MAX_CACHED_STATEMENT_PARAMS", 0) < 128
):
    _psycopg_queries.MAX_CACHED_STATEMENT_PARAMS = 128


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _db():
    # The connection itself, not the `connection` proxy: each attribute read through the proxy
    # looks the connection up again (about 1 us), and a statement reads dozens.
    return connections[DEFAULT_DB_ALIAS]


class cursor:  # noqa: N801 - used as `with sql.cursor() as c:`, like connection.cursor()
    """A cursor for the statements of this module and the hot paths' own SQL.

    The database connection keeps one cursor for them, made again when the connection is new:
    a fresh psycopg cursor copies the connection's adapters and looks up a dumper for every
    parameter again, about a twentieth of a case action's CPU. While queries are being logged
    (DEBUG, or a test counting them), each statement has a cursor of its own, as
    connection.cursor() gives, so that they are all seen."""

    __slots__ = ("wrapper", "fresh")

    def __enter__(self):
        db = _db()
        if db.queries_logged:
            self.wrapper, self.fresh = db.cursor(), True
            return self.wrapper
        self.fresh = False
        db.close_if_health_check_failed()
        db.ensure_connection()
        kept = getattr(db, "_tongban_cursor", None)
        if kept is None or kept.cursor.connection is not db.connection:
            kept = db._tongban_cursor = db.cursor()
        self.wrapper = kept
        return kept

    def __exit__(self, *exc):
        if self.fresh:
            self.wrapper.close()


class Columns:
    """Every concrete column of `model` under table alias `alias`: `sql` lists them for a
    SELECT, `build()` turns them back into an instance of `model`."""

    def __init__(self, model: type[Model], alias: str):
        self.model, self.alias = model, alias
        self.fields = model._meta.concrete_fields
        self.attnames = [f.attname for f in self.fields]
        self.sql = ", ".join(f"{alias}.{_quote(f.column)}" for f in self.fields)
        self.width = len(self.fields)
        self.pk_index = self.attnames.index(model._meta.pk.attname)
        self.row = Row(*self.fields)

    def build(self, row, start: int = 0):
        """The instance in `row[start:start + width]`, or None when its primary key is NULL
        (a LEFT JOIN that found nothing)."""
        values = row[start : start + self.width]
        if values[self.pk_index] is None:
            return None
        db = _db()
        values = self.row.convert(values, db)
        if not self.plain():
            return self.model.from_db(db.alias, self.attnames, values)
        return _built(self.model, db.alias, self.attnames, values)

    def plain(self) -> bool:
        return plain(self.model)


def _built(model: type[Model], db: str, attnames, values) -> Model:
    """What from_db makes of a row, without Model.__init__'s setattr per field (about a
    third of the cost of building a case)."""
    obj = model.__new__(model)
    obj.__dict__.update(zip(attnames, values, strict=True))
    state = obj._state = ModelState()
    state.adding, state.db = False, db
    return obj


_PLAIN: dict[type[Model], bool] = {}


def plain(model: type[Model]) -> bool:
    """Whether an instance of `model` can be built by filling its __dict__: a model without
    its own __init__ or from_db (PlainFromDb's is this one), nobody listening to its pre_init
    or post_init, and no field whose attribute does more on assignment than store the value
    (a file field's descriptor)."""
    if model not in _PLAIN:
        from_db = model.from_db.__func__
        own = model.__init__ is not Model.__init__ or from_db not in (
            Model.from_db.__func__,
            PlainFromDb.from_db.__func__,
        )
        attributes = [
            inspect.getattr_static(model, f.attname, None) for f in model._meta.concrete_fields
        ]
        setters = any(
            hasattr(type(a), "__set__")
            and not isinstance(a, ForeignKeyDeferredAttribute | SealedAttribute)
            for a in attributes
        )
        _PLAIN[model] = not own and not setters
    return _PLAIN[model] and not (pre_init.has_listeners(model) or post_init.has_listeners(model))


class PlainFromDb:
    """A model mixin: the ORM's querysets build its instances as Columns.build does, filling
    __dict__ with the converted values instead of running Model.__init__, whose setattr per
    field was a third of a work queue's Python (50 cases with their items and applicants: 150
    instances a page). Only while the model is plain(); else Django's own from_db.
    The parity test is tongban/lib/tests/test_sql.py."""

    @classmethod
    def from_db(cls, db, field_names, values, *, fetch_mode=None):
        if not plain(cls):
            return super().from_db(db, field_names, values, fetch_mode=fetch_mode)
        obj = _built(cls, db, field_names, values)
        if fetch_mode is not None:  # Django 6: how the instance loads deferred fields
            obj._state.fetch_mode = fetch_mode
        return obj


def table(model: type[Model]) -> str:
    return _quote(model._meta.db_table)


_UPDATES: dict[tuple, tuple[str, list]] = {}


def update(instance: Model, fields) -> int:
    """`instance.save(update_fields=fields)` without signals, in one prepared statement;
    `auto_now` fields named in `fields` are set as save() would. Returns the rows changed
    (None when it waits in a `batch`)."""
    meta, db = instance._meta, _db()
    key = (meta.label, tuple(fields), db.vendor)
    if key not in _UPDATES:
        targets = [meta.get_field(name) for name in fields]
        assignments = ", ".join(f"{_quote(f.column)} = %s" for f in targets)
        _UPDATES[key] = (
            f"UPDATE {table(instance)} SET {assignments} WHERE {_quote(meta.pk.column)} = %s",
            targets,
        )
    sql, targets = _UPDATES[key]
    params = [f.get_db_prep_save(f.pre_save(instance, False), db) for f in targets]
    params.append(instance.pk)
    return _write(db, sql, params, (meta.db_table, instance.pk))


_INSERTS: dict[tuple, tuple[str, list]] = {}


def _insert_sql(meta, db, key, returning: bool, unless_exists: tuple[str, ...] = ()) -> None:
    fields = [f for f in meta.concrete_fields if not (f.primary_key and f.db_returning)]
    columns = ", ".join(_quote(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    conflict = ""
    if unless_exists:
        targets = ", ".join(_quote(meta.get_field(name).column) for name in unless_exists)
        conflict = f" ON CONFLICT ({targets}) DO NOTHING"
    back = f" RETURNING {_quote(meta.pk.column)}" if returning else ""
    _INSERTS[key] = (
        f"INSERT INTO {_quote(meta.db_table)} ({columns}) VALUES ({placeholders}){conflict}{back}",
        fields,
    )


def _insert(obj: Model, returning: bool, unless_exists: tuple[str, ...] = ()):
    meta, db = obj._meta, _db()
    asked, returning = returning, returning and db.features.can_return_columns_from_insert
    if unless_exists and not returning:
        raise NotSupportedError(f"{db.vendor}: INSERT … ON CONFLICT needs RETURNING here")
    key = (meta.label, db.vendor, returning, unless_exists)
    if key not in _INSERTS:
        _insert_sql(meta, db, key, returning, unless_exists)
    sql, fields = _INSERTS[key]
    params = [f.get_db_prep_save(f.pre_save(obj, True), db) for f in fields]
    if not asked:
        _write(db, sql, params)
        return None
    with cursor() as c:
        c.execute(sql, params)
        if returning:
            row = c.fetchone()
            return None if row is None else row[0]  # None: ON CONFLICT wrote nothing
        return db.ops.last_insert_id(c, meta.db_table, meta.pk.column)


def insert(model: type[Model], **values) -> None:
    """`model.objects.create(**values)` without signals or reading the new key back, in one
    prepared statement. Fields left out take their defaults; a relation may be given as an
    instance (`case=`) or a key (`case_id=`)."""
    meta = model._meta
    if any(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
           for f in meta.concrete_fields):  # fmt: skip
        _insert(model(**values), returning=False)  # let the fields stamp themselves
        return
    db = _db()
    key = (meta.label, db.vendor, False, ())
    if key not in _INSERTS:
        _insert_sql(meta, db, key, returning=False)
    sql, fields = _INSERTS[key]
    params = []
    for f in fields:  # what model(**values) and pre_save would give, without the instance
        if f.attname in values:
            value = values[f.attname]
        elif f.name in values:
            value = values[f.name]
            value = value.pk if isinstance(value, Model) else value
        else:
            value = f.get_default()
        params.append(f.get_db_prep_save(value, db))
    _write(db, sql, params)


def save_new(obj: Model, *, unless_exists: tuple[str, ...] = ()) -> bool:
    """`obj.save(force_insert=True)` without signals, in one prepared statement: the new
    primary key is read back and set on `obj`. With `unless_exists`, the fields of a unique
    constraint, nothing is written when a row with the same values is there already (INSERT …
    ON CONFLICT DO NOTHING: no error, so no savepoint to survive one). Returns whether `obj`
    was written."""
    pk = _insert(obj, returning=True, unless_exists=tuple(unless_exists))
    if pk is None:
        return False
    obj.pk = pk
    obj._state.adding, obj._state.db = False, _db().alias
    return True


_GETS: dict[tuple, tuple[str, "Columns", object]] = {}


def get(model: type[Model], field: str, value) -> Model | None:
    """`model.objects.filter(**{field: value}).first()` for a unique `field`, in one prepared
    statement: the instance, or None."""
    db = _db()
    key = (model._meta.label, field, db.vendor)
    if key not in _GETS:
        target, columns = model._meta.get_field(field), Columns(model, "t")
        _GETS[key] = (
            f"SELECT {columns.sql} FROM {table(model)} t WHERE t.{_quote(target.column)} = %s",
            columns,
            target,
        )
    query, columns, target = _GETS[key]
    with cursor() as c:
        c.execute(query, [target.get_db_prep_value(value, db)])
        row = c.fetchone()
    return None if row is None else columns.build(row)


# --- Writes that go together ---------------------------------------------------------------


def _write(db, sql: str, params: list, row: tuple | None = None) -> int | None:
    """Run an INSERT or UPDATE now, or keep it for the open batch; `row` (table, pk) names the
    row an UPDATE changes."""
    pending = getattr(db, "_tongban_batch", None)
    if pending is None:
        with cursor() as c:
            c.execute(sql, params)
            return c.rowcount
    if row is not None and any(row == kept for _, _, kept in pending):
        _flush(db)  # one statement may not change a row twice
    pending.append((sql, params, row))
    return None


def _flush(db) -> None:
    pending = db._tongban_batch
    if not pending:
        return
    writes = pending[:]
    pending.clear()  # before executing: the execute wrapper below sees nothing left
    if len(writes) == 1:
        sql, params, _ = writes[0]
    else:
        firsts = ", ".join(f"w{i} AS ({s})" for i, (s, _, _) in enumerate(writes[:-1]))
        sql = f"WITH {firsts} {writes[-1][0]}"
        params = [p for _, ps, _ in writes for p in ps]
    with cursor() as c:
        c.execute(sql, params)


class batch:  # noqa: N801 - a context manager, like transaction.atomic
    """The INSERTs and UPDATEs of `update` and `insert` inside the block reach PostgreSQL as
    one statement (data-modifying WITH queries), at the end of the block: one round trip
    instead of one each, which is most of what a write costs here (bench/README.md).

    Nothing reads around them: any other statement on the connection (an ORM query, a
    SAVEPOINT, a read of this module) first sends what waits, and a second UPDATE of a row
    first sends the first (one statement may not change a row twice). An error surfaces at
    that point rather than at the call, inside the same transaction, which rolls back as
    before. Elsewhere than on PostgreSQL, and inside a batch already open, it does nothing."""

    __slots__ = ("db", "wrapping")

    def __enter__(self):
        self.db = _db()
        self.wrapping = None
        if self.db.vendor == "postgresql" and getattr(self.db, "_tongban_batch", None) is None:
            self.db._tongban_batch = []
            self.wrapping = self.db.execute_wrapper(_send_first)
            self.wrapping.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb):
        if self.wrapping is None:
            return
        try:
            if exc_type is None:
                _flush(self.db)
        finally:
            self.db._tongban_batch = None
            self.wrapping.__exit__(exc_type, exc, tb)


def _send_first(execute, sql, params, many, context):
    _flush(context["connection"])
    return execute(sql, params, many, context)


class Row:
    """Conversion for the rows of a hand-written SELECT whose columns are `fields` (a model
    field, or None for a column read as it comes)."""

    def __init__(self, *fields):
        self.fields = fields
        self._converters: dict[str, list] = {}

    def converters(self, db=None) -> list:
        """[(index, column, converters)] for the columns that need converting, as the ORM's
        compiler would find them for this database."""
        db = db or _db()
        vendor = db.vendor
        if vendor not in self._converters:
            found = []
            for i, field in enumerate(self.fields):
                if field is None:
                    continue
                col = field.get_col(field.model._meta.db_table)
                convs = db.ops.get_db_converters(col) + col.get_db_converters(db)
                if convs:
                    found.append((i, col, convs))
            self._converters[vendor] = found
        return self._converters[vendor]

    def fetch(self, query: str, params) -> list[tuple]:
        db = _db()
        with cursor() as c:
            c.execute(query, params)
            rows = c.fetchall()
        if not self.converters(db):
            return rows
        return [self.convert(row, db) for row in rows]

    def convert(self, row, db=None) -> tuple:
        """`row` (a sequence of these columns) with its values converted."""
        db = db or _db()
        row = list(row)
        for i, col, convs in self.converters(db):
            for convert in convs:
                row[i] = convert(row[i], col, db)
        return tuple(row)
