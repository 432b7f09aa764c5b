"""The login lookup of kept pages, straight on the database driver.

A kept page (``web.pagecache``) costs one statement: the login with the data version. At national load that
statement is the largest part of what such a request does, and the ORM's session, compilation and row loading
around it took a third of its CPU (0.87 ms per login through the ORM, 0.56 ms here, measured in a loop of 2,000
logins).
``LoginRead`` builds the statement once as labelled Core columns, compiles it once per database, and on PostgreSQL
runs it on the pooled asyncpg connection; elsewhere (SQLite) it goes through SQLAlchemy Core. Both build the same
detached instances (``make_transient_to_detached``): their attributes read like loaded ones, and touching one that
is not loaded raises instead of quietly reading nothing. They are for reading: the page must not change them.

A driver error is not judged here: the statement then runs once more through SQLAlchemy on the same connection,
which raises its usual error (a lost connection: the 503 page, and the pool replaces its connections).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import ColumnElement, Label, Select, bindparam, inspect, select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.orm import InstrumentedAttribute, Mapper, make_transient_to_detached

from jobfuerzwei.db.changes import version_column
from jobfuerzwei.tokens.services import MAX_TOKEN, hash_token

S = TypeVar("S")
A = TypeVar("A")


def _mapper(model: type[Any]) -> Mapper[Any]:
    mapper: Mapper[Any] = inspect(model)
    return mapper


def _labelled(model: type[Any], prefix: str) -> list[tuple[str, Label[Any]]]:
    """``(attribute, labelled column)`` of every column attribute of ``model``."""
    mapper = _mapper(model)
    return [(prop.key, prop.columns[0].label(f"{prefix}{i}")) for i, prop in enumerate(mapper.column_attrs)]


def _detached(model: type[Any], values: dict[str, Any]) -> Any:
    """An instance of ``model`` as if loaded by a session that is closed again."""
    instance = _mapper(model).class_manager.new_instance()
    for key, value in values.items():
        setattr(instance, key, value)
    make_transient_to_detached(instance)
    return instance


class LoginRead(Generic[S, A]):
    """A login session row, its account and the data version, for a token hash: one statement, built once."""

    def __init__(
        self,
        session_model: type[S],
        account_model: type[A],
        onclause: ColumnElement[bool],
        token_hash: ColumnElement[str] | InstrumentedAttribute[str],
    ) -> None:
        self._models = (session_model, account_model)
        self._columns = (_labelled(session_model, "s"), _labelled(account_model, "a"))
        self.statement: Select[Any] = (
            select(*(column for part in self._columns for _key, column in part), version_column().label("version"))
            .select_from(_mapper(session_model).local_table)
            .join(_mapper(account_model).local_table, onclause)
            .where(token_hash == bindparam("token_hash"))
        )
        self._sql: weakref.WeakKeyDictionary[Dialect, _DriverSQL] = weakref.WeakKeyDictionary()

    def _driver_sql(self, engine: AsyncEngine) -> _DriverSQL:
        """The statement as the driver takes it (compiled once per database)."""
        found = self._sql.get(engine.dialect)
        if found is None:
            found = self._sql[engine.dialect] = _DriverSQL.of(self.statement, self._columns, engine.dialect)
        return found

    async def __call__(self, engine: AsyncEngine, token: str | None) -> tuple[S, A, int] | None:
        """The session row and the account (detached) and the data version for a cookie's token.

        ``None`` for an unknown, empty or overlong token (nothing asked of the database for the latter two).
        """
        if not token or len(token) > MAX_TOKEN:
            return None
        token_hash = hash_token(token)
        async with engine.connect() as conn:
            if engine.dialect.driver == "asyncpg":
                values = await self._on_driver(engine, conn, token_hash)
            else:
                values = await self._on_core(conn, token_hash)
        if values is None:
            return None
        *fields, version = values
        built: list[Any] = []
        at = 0
        for model, part in zip(self._models, self._columns, strict=True):
            built.append(_detached(model, {key: fields[at + i] for i, (key, _c) in enumerate(part)}))
            at += len(part)
        return cast("S", built[0]), cast("A", built[1]), int(version or 0)

    async def _on_core(self, conn: AsyncConnection, token_hash: str) -> Sequence[Any] | None:
        row = (await conn.execute(self.statement, {"token_hash": token_hash})).first()
        return tuple(row) if row is not None else None

    async def _on_driver(self, engine: AsyncEngine, conn: AsyncConnection, token_hash: str) -> Sequence[Any] | None:
        driver_sql = self._driver_sql(engine)
        raw = await conn.get_raw_connection()
        try:
            record = await raw.driver_connection.fetchrow(  # type: ignore[union-attr]
                driver_sql.sql, *driver_sql.arguments(token_hash=token_hash)
            )
        except Exception:  # SQLAlchemy judges it (see the module's docstring)
            return await self._on_core(conn, token_hash)
        if record is None:
            return None
        values = list(record)
        for i, process in enumerate(driver_sql.processors):
            if process is not None:
                values[i] = process(values[i])
        return values


@dataclass(frozen=True)
class _DriverSQL:
    sql: str
    names: tuple[str, ...]
    """The positional parameters' names, in order."""
    fixed: dict[str, Any]
    """Values of the statement's own parameters (literals SQLAlchemy sends as parameters)."""
    processors: tuple[Callable[[Any], Any] | None, ...]
    """Each entity column's result conversion (SQLAlchemy's, e.g. time zones); the version needs none."""

    @classmethod
    def of(
        cls, statement: Select[Any], columns: Sequence[Sequence[tuple[str, Label[Any]]]], dialect: Dialect
    ) -> _DriverSQL:
        compiled = statement.compile(dialect=dialect)
        if not compiled.positiontup:
            raise ValueError(f"{dialect.name}: no positional parameters")
        return cls(
            sql=str(compiled),
            names=tuple(compiled.positiontup),
            fixed=dict(compiled.params),
            processors=tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for part in columns
                for _key, column in part
            ),
        )

    def arguments(self, **given: Any) -> list[Any]:
        return [given[name] if name in given else self.fixed[name] for name in self.names]
