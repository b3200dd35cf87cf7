"""Every piece of emulator state lives behind this store.

Documents are plain JSON keyed by (kind, id) and tagged with the account that owns them, so state can
be listed, reset per account and written to disk. The default is SQLite: a file that survives
restarts, or `:memory:` for tests. Another backend (PostgreSQL, Redis) implements the same methods.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar

from pydantic import BaseModel

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    account TEXT,
    ref TEXT,
    body TEXT NOT NULL,
    UNIQUE (kind, id)
);
CREATE INDEX IF NOT EXISTS docs_by_account ON docs (kind, account, seq);
CREATE INDEX IF NOT EXISTS docs_by_ref ON docs (kind, account, ref, seq);
CREATE TABLE IF NOT EXISTS blobs (id TEXT PRIMARY KEY, account TEXT, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS timers (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    due REAL NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    account TEXT
);
CREATE INDEX IF NOT EXISTS timers_by_due ON timers (due, seq);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class Timer(BaseModel):
    seq: int
    due: float
    kind: str
    target: str


class StoredDocument(NamedTuple):
    kind: str
    id: str
    account: str | None
    ref: str | None
    body: str  # JSON text, as stored


class StoredTimer(NamedTuple):
    due: float
    kind: str
    target: str
    account: str | None


class StoredBlob(NamedTuple):
    id: str
    account: str | None
    data: bytes


@dataclass
class Dump:
    """Everything a store holds, read in one transaction (`Store.dump`, `Store.load`)."""

    documents: list[StoredDocument] = field(default_factory=list)  # in store order
    timers: list[StoredTimer] = field(default_factory=list)  # in the order they fall due
    meta: dict[str, str] = field(default_factory=dict)
    blobs: list[StoredBlob] = field(default_factory=list)  # by id


# The latest time any write happened at: a manual clock never starts before it.
HIGH_WATER = "clock:high_water"


class Store:
    """SQLite-backed document store; safe to share between the event loop and worker threads.

    With `now` set (the engine's clock), every write also remembers the latest time it happened
    at (`latest_time`), so a store kept across a switch of clock mode never goes back in time."""

    def __init__(self, path: str = ":memory:") -> None:
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        self._depth = 0
        with self._lock:
            if path != ":memory:":
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        self.now: Callable[[], float] | None = None
        self._high_water = self.latest_time() or 0.0

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes so that a failure leaves nothing half-written. Nested blocks are
        savepoints: an inner failure undoes only the inner block's writes."""
        with self._lock:
            depth = self._depth
            self._db.execute(f"SAVEPOINT sp{depth}" if depth else "BEGIN IMMEDIATE")
            self._depth = depth + 1
            try:
                yield
            except BaseException:
                self._db.execute(f"ROLLBACK TO sp{depth}" if depth else "ROLLBACK")
                if depth:
                    self._db.execute(f"RELEASE sp{depth}")
                self._high_water = self.latest_time() or 0.0  # as written, not as attempted
                raise
            else:
                self._db.execute(f"RELEASE sp{depth}" if depth else "COMMIT")
            finally:
                self._depth = depth

    def _run(self, sql: str, args: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._db.execute(sql, args)

    def _write(self, sql: str, args: tuple[Any, ...]) -> sqlite3.Cursor:
        """A write of state, remembering when it happened (see `latest_time`)."""
        with self._lock:
            now = self.now() if self.now is not None else None
            if now is not None and now > self._high_water:
                self._high_water = now
                self._db.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                    (HIGH_WATER, repr(now)),
                )
            return self._db.execute(sql, args)

    def changes(self) -> int:
        """How many rows every write so far has changed: moves with any write, read in O(1)."""
        return self._run("SELECT total_changes()").fetchone()[0]

    def latest_time(self) -> float | None:
        """The latest clock time at which anything was written to this store."""
        value = self.get_meta(HIGH_WATER)
        return float(value) if value else None

    # documents

    def put(
        self, kind: str, id: str, body: dict[str, Any], account: str | None, ref: str | None = None
    ) -> None:
        self.put_json(kind, id, json.dumps(body, separators=(",", ":")), account, ref)

    def put_json(
        self, kind: str, id: str, body: str, account: str | None, ref: str | None = None
    ) -> None:
        """`put` of a body already encoded as JSON text."""
        self._write(
            "INSERT INTO docs (kind, id, account, ref, body) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body, ref = excluded.ref",
            (kind, id, account, ref, body),
        )

    def get(self, kind: str, id: str) -> dict[str, Any] | None:
        body = self.get_json(kind, id)
        return json.loads(body) if body is not None else None

    def get_json(self, kind: str, id: str) -> str | None:
        """`get`'s document as its stored JSON text."""
        row = self._run("SELECT body FROM docs WHERE kind = ? AND id = ?", (kind, id)).fetchone()
        return row[0] if row else None

    def delete(self, kind: str, id: str) -> bool:
        return self._run("DELETE FROM docs WHERE kind = ? AND id = ?", (kind, id)).rowcount > 0

    def list(
        self,
        kind: str,
        account: str | None = None,
        ref: str | None = None,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        return [
            json.loads(body) for body in self.list_json(kind, account, ref, newest_first, limit)
        ]

    def list_json(
        self,
        kind: str,
        account: str | None = None,
        ref: str | None = None,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[str]:
        """`list`'s documents as their stored JSON texts."""
        sql, args = "SELECT body FROM docs WHERE kind = ?", [kind]
        if account is not None:
            sql += " AND account = ?"
            args.append(account)
        if ref is not None:
            sql += " AND ref = ?"
            args.append(ref)
        sql += " ORDER BY seq DESC" if newest_first else " ORDER BY seq"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return [row[0] for row in self._run(sql, tuple(args)).fetchall()]

    # blobs

    def put_blob(self, id: str, data: bytes, account: str | None) -> None:
        self._write(
            "INSERT OR REPLACE INTO blobs (id, account, data) VALUES (?, ?, ?)", (id, account, data)
        )

    def get_blob(self, id: str) -> bytes | None:
        row = self._run("SELECT data FROM blobs WHERE id = ?", (id,)).fetchone()
        return bytes(row[0]) if row else None

    # timers: what falls due when, in order

    def add_timer(self, due: float, kind: str, target: str, account: str | None) -> None:
        self._write(
            "INSERT INTO timers (due, kind, target, account) VALUES (?, ?, ?, ?)",
            (due, kind, target, account),
        )

    def next_timer(self, until: float, skip_kind: str | None = None) -> Timer | None:
        row = self._run(
            "SELECT seq, due, kind, target FROM timers WHERE due <= ? AND kind IS NOT ? "
            "ORDER BY due, seq LIMIT 1",
            (until, skip_kind),
        ).fetchone()
        return Timer(seq=row[0], due=row[1], kind=row[2], target=row[3]) if row else None

    def remove_timer(self, seq: int) -> None:
        self._run("DELETE FROM timers WHERE seq = ?", (seq,))

    def next_due(self) -> float | None:
        row = self._run("SELECT MIN(due) FROM timers").fetchone()
        return row[0] if row else None

    def pending_timers(self) -> int:
        return self._run("SELECT COUNT(*) FROM timers").fetchone()[0]

    # meta: counters and clock position

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self._run("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self._run("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def next_counter(self, name: str) -> int:
        with self._lock:
            value = int(self.get_meta(f"counter:{name}", "0") or 0) + 1
            self.set_meta(f"counter:{name}", str(value))
            return value

    # reset

    def reset(self, account: str | None = None) -> None:
        with self.transaction():
            if account is None:
                for table in ("docs", "blobs", "timers", "meta"):
                    self._db.execute(f"DELETE FROM {table}")
                self._high_water = 0.0
            else:
                for table in ("docs", "blobs", "timers"):
                    self._db.execute(f"DELETE FROM {table} WHERE account = ?", (account,))

    # everything at once

    def dump(self) -> Dump:
        """Every document, timer, meta value and blob, as of one moment."""
        with self.transaction():
            return Dump(
                documents=[
                    StoredDocument(*row)
                    for row in self._run(
                        "SELECT kind, id, account, ref, body FROM docs ORDER BY seq"
                    )
                ],
                timers=[
                    StoredTimer(*row)
                    for row in self._run(
                        "SELECT due, kind, target, account FROM timers ORDER BY due, seq"
                    )
                ],
                meta=dict(self._run("SELECT key, value FROM meta").fetchall()),
                blobs=[
                    StoredBlob(id, account, bytes(data))
                    for id, account, data in self._run(
                        "SELECT id, account, data FROM blobs ORDER BY id"
                    )
                ],
            )

    def load(self, dump: Dump) -> None:
        """Replace everything with `dump`, exactly as given (the latest write time included), in
        one transaction: when a row does not fit (sqlite3.Error), nothing changes."""
        with self.transaction():
            self.reset()
            db = self._db
            db.executemany(
                "INSERT INTO docs (kind, id, account, ref, body) VALUES (?, ?, ?, ?, ?)",
                dump.documents,
            )
            db.executemany(
                "INSERT INTO timers (due, kind, target, account) VALUES (?, ?, ?, ?)", dump.timers
            )
            db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", dump.meta.items())
            db.executemany("INSERT INTO blobs (id, account, data) VALUES (?, ?, ?)", dump.blobs)
            self._high_water = self.latest_time() or 0.0

    def close(self) -> None:
        with self._lock:
            self._db.close()


M = TypeVar("M", bound=BaseModel)


class Collection(Generic[M]):
    """Typed view of one kind of document: pydantic models in, pydantic models out."""

    def __init__(self, store: Store, kind: str, model: type[M]) -> None:
        self.store, self.kind, self.model = store, kind, model

    def save(self, item: M, account: str | None, ref: str | None = None) -> M:
        self.store.put_json(self.kind, item.id, item.model_dump_json(), account, ref)  # type: ignore[attr-defined]
        return item

    def get(self, id: str) -> M | None:
        # JSON text straight into the model: one parse, not json.loads and a validation of dicts
        body = self.store.get_json(self.kind, id)
        return self.model.model_validate_json(body) if body is not None else None

    def delete(self, id: str) -> bool:
        return self.store.delete(self.kind, id)

    def list(
        self,
        account: str | None = None,
        ref: str | None = None,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[M]:
        rows = self.store.list_json(self.kind, account, ref, newest_first, limit)
        return [self.model.model_validate_json(row) for row in rows]
