"""The workspace core: opening a database, transactions, the owner, settings and scoring."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Self

from weakties.domain.dates import PartialDate, parse_date
from weakties.domain.goals import (
    GoalTag,
    GoalTagKind,
)
from weakties.domain.identities import Identity, IdentityKind, normalize_identity
from weakties.domain.people import Person
from weakties.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine


def _when(text: str | None) -> PartialDate | None:
    return parse_date(text) if text else None


def _identities(
    emails: Sequence[str] = (),
    phones: Sequence[str] = (),
    urls: Sequence[str] = (),
    handles: Sequence[str] = (),
) -> list[Identity]:
    out = []
    for kind, values in (
        (IdentityKind.EMAIL, emails),
        (IdentityKind.PHONE, phones),
        (IdentityKind.URL, urls),
        (IdentityKind.HANDLE, handles),
    ):
        for raw in values:
            out.append(Identity(kind, normalize_identity(kind, raw)))
    return out


_SLACK = timedelta(minutes=5)  # clocks disagree a little; "now" must not be refused


def parse_goal_tag(raw: str) -> GoalTag:
    """Read ``kind:value`` (``role:product manager``); a bare word is taken as a role."""
    kind, sep, value = raw.partition(":")
    if not sep:
        return GoalTag(GoalTagKind.ROLE, raw.strip())
    try:
        tag_kind = GoalTagKind(kind.strip().lower())
    except ValueError:
        kinds = ", ".join(k.value for k in GoalTagKind)
        raise InvalidInput(f"unknown goal tag kind {kind!r}", hint=f"accepted: {kinds}") from None
    if not value.strip():
        raise InvalidInput(f"empty goal tag {raw!r}")
    return GoalTag(tag_kind, value.strip())


class WorkspaceBase:
    """A weakties database; the operations live in the mixins that make up ``Workspace``."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        self._facts_memo: tuple[Any, int, int, Any] | None = None

    # ----------------------------------------------------------------- opening
    @classmethod
    def open(cls, db: str | None = None, *, create: bool = True) -> Self:
        """Open (creating or migrating when needed) the database at ``db``, ``WEAKTIES_DB`` or
        the per-user default."""
        from weakties.store.database import create_engine_for, ensure_schema, resolve_url

        url = resolve_url(db)
        engine = create_engine_for(url, create=create)
        ensure_schema(engine, url)
        return cls(engine, url)

    @property
    def encrypted(self) -> bool:
        """Whether the database is an SQLCipher file, told by the engine's driver.

        Not by reading the file's header: on POSIX, closing any descriptor of the file drops
        every lock this process holds on it, SQLite's included, so another process could then
        write (or change the journal mode) under a read in progress here.
        """
        module = getattr(self.engine.dialect, "loaded_dbapi", None)
        return getattr(module, "__name__", "").startswith("sqlcipher")

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction; driver errors become one-line :mod:`weakties.errors`."""
        from weakties.store.database import translate_errors

        with translate_errors(self.url), self.engine.begin() as conn:
            yield conn

    # ------------------------------------------------------------------ owner
    def init(self, name: str | None = None, emails: Sequence[str] = ()) -> Person:
        """Set up the owner ("me"), or update their name and addresses if already there."""
        from weakties.store import people

        with self.transaction() as conn:
            me = people.me_id(conn)
            if me is None:
                me = people.add_person(
                    conn,
                    Person(name=name or "Me", is_me=True, identities=tuple(_identities(emails))),
                )
            else:
                if name:
                    people.update_person(conn, me, name=name)
                people.add_identities(conn, me, _identities(emails))
            return people.get_person(conn, me)

    def me(self) -> Person:
        from weakties.store import people

        with self.transaction() as conn:
            me = people.me_id(conn)
            if me is None:
                raise NotFound(
                    "this workspace has no owner yet", hint="run `weakties init --name NAME`"
                )
            return people.get_person(conn, me)

    def _me_id(self, conn: Connection) -> int:
        from weakties.store import people

        me = people.me_id(conn)
        if me is None:
            me = people.add_person(conn, Person(name="Me", is_me=True))
        return me

    def set_setting(self, key: str, value: str) -> None:
        from sqlalchemy import delete, insert

        from weakties.store import schema as s

        with self.transaction() as conn:
            conn.execute(delete(s.setting).where(s.setting.c.key == key))
            conn.execute(insert(s.setting).values(key=key, value=value))

    def setting(self, key: str) -> str | None:
        from sqlalchemy import select

        from weakties.store import schema as s

        with self.transaction() as conn:
            return conn.execute(select(s.setting.c.value).where(s.setting.c.key == key)).scalar()

    def _weights(self, conn: Connection) -> Any:
        from weakties.analysis.strength import DEFAULT_WEIGHTS, StrengthWeights
        from weakties.store.ties import load_weights

        stored = load_weights(conn)
        return DEFAULT_WEIGHTS if stored is None else StrengthWeights(**stored)

    def _calibrated(self, conn: Connection) -> bool:
        """Whether the models calibrate themselves on the history: yes, unless turned off
        (``weakties calibrate --reset``). Tie weights refit from your ratings still take
        precedence over the calibrated tie model, as your own judgement."""
        from weakties.store.ties import CALIBRATION_KEY, get_setting

        return get_setting(conn, CALIBRATION_KEY) != "off"

    def _score(
        self, conn: Connection, now: datetime | None = None, kernels: Any = None
    ) -> tuple[Any, Any]:
        """Load the facts and score the network at ``now`` (default: this moment); ``kernels``
        run the data-parallel steps (default: the local engine's)."""
        from weakties.engines.local import build_network

        facts = self._facts(conn)
        moment = (now or datetime.now(UTC)).timestamp()
        from weakties.store.ties import load_weights

        return facts, build_network(
            facts,
            moment,
            self._weights(conn),
            calibrated=self._calibrated(conn),
            refit_weights=load_weights(conn) is not None,
            kernels=kernels,
        )

    def _facts(self, conn: Connection) -> Any:
        """Every fact the models read, loaded once per state of the database.

        Loading is most of the cost of a plan, a review or the insights (which score the
        network at several dates). On SQLite the state is known exactly and cheaply: a
        connection's ``PRAGMA data_version`` changes when any other connection commits, and
        its ``total_changes`` when it writes itself; the facts are reused only on the same
        connection with both unchanged, and their arrays are made read-only so that no caller
        can change the shared copy. On other engines they are loaded every time.
        """
        from dataclasses import fields

        import numpy as np

        from weakties.store.facts import load_facts

        raw = conn.connection.driver_connection if conn.dialect.name == "sqlite" else None
        if raw is None:
            return load_facts(conn)
        version = int(raw.execute("PRAGMA data_version").fetchone()[0])
        memo = self._facts_memo
        # the memo holds the connection itself, so its identity cannot pass to a new one
        if memo is not None and memo[0] is raw and memo[1:3] == (version, raw.total_changes):
            return memo[3]
        facts = load_facts(conn)
        for column in fields(facts):
            value = getattr(facts, column.name)
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
        self._facts_memo = (raw, version, raw.total_changes, facts)
        return facts

    def refresh_ties(self, *, force: bool = False) -> bool:
        """Rescore the owner's ties if anything changed since the last scoring (or a day passed).

        Returns whether it rescored. Every read of strengths calls this, so scores follow
        imports and edits without the user asking.
        """
        from weakties.store.ties import FINGERPRINT_KEY, get_setting, put_setting

        with self.transaction() as conn:
            current = self._ties_key(conn)
            if not force and get_setting(conn, FINGERPRINT_KEY) == current:
                return False
            _, net = self._score(conn)
            self._write_ties(conn, net)
            put_setting(conn, FINGERPRINT_KEY, current)
            return True

    def _ties_key(self, conn: Connection) -> str:
        """What the stored tie scores depend on: the day, the data and the calibration switch."""
        from weakties.store.ties import fingerprint

        return f"{datetime.now(UTC).date()}|{fingerprint(conn)}|{self._calibrated(conn)}"

    def _write_ties(self, conn: Connection, net: Any) -> None:
        """Store the owner's tie strengths and categories from a scored network (or none)."""
        from weakties.store.ties import write_ties

        if net is None:
            write_ties(conn, [], [], [])
            return
        rows = net.owner_rows()
        write_ties(
            conn,
            net.contact_of(rows).tolist(),
            net.strength[rows].tolist(),
            net.category[rows].tolist(),
        )
