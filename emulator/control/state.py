"""State snapshots: everything the emulator holds, as one zip archive, and back.

The archive holds every store document (accounts, uploads and renders, jobs, subscriptions,
deliveries, fault rules, vendor records), every blob (image bytes), every pending timer and the
meta values (id counters, the manual clock's position):

    manifest.json   {"format": "staging-emulator-state/1", "version", "exported_at", counts}
    documents.jsonl one {"kind", "id", "account", "ref", "body"} per line, in store order
    timers.json     [{"due", "kind", "target", "account"}, ...]
    meta.json       {"key": "value", ...}
    blobs.json      {"<blob id>": "<account or null>", ...}
    blobs/<id>      the bytes

Importing replaces everything in one store transaction: a bad archive changes nothing.
"""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..core.clock import ManualClock
from .models import StateSummary

if TYPE_CHECKING:
    from ..app import EmulatorApp
    from ..core.store import Store

FORMAT = "staging-emulator-state/1"
MAX_ARCHIVE_BYTES = 256 << 20  # what POST /_emulator/state reads at most
MAX_UNPACKED_BYTES = 1 << 30  # what an archive may unpack to, all members together
CLOCK_META_KEY = "clock:manual"  # where the engine keeps a manual clock's position
# URLs the emulator handed out carry its public URL; an archive keeps this token in its place, so
# a state exported on one port (or host) works on another.
PUBLIC_URL_TOKEN = "{{staging-emulator}}"


class StateArchiveError(Exception):
    """The archive cannot be imported; nothing was changed."""


def _rows(store: Store, sql: str) -> list[tuple[Any, ...]]:
    # The store has no bulk export yet, so this reads its tables directly.
    return store._run(sql).fetchall()


def export_archive(app: EmulatorApp) -> bytes:
    store = app.engine.store
    with store.transaction():
        public = app.engine.media.public_url
        documents = [
            (kind, id, account, ref, body.replace(public, PUBLIC_URL_TOKEN))
            for kind, id, account, ref, body in _rows(
                store, "SELECT kind, id, account, ref, body FROM docs ORDER BY seq"
            )
        ]
        timers = _rows(store, "SELECT due, kind, target, account FROM timers ORDER BY due, seq")
        meta = dict(_rows(store, "SELECT key, value FROM meta"))
        blob_ids = _rows(store, "SELECT id, account FROM blobs ORDER BY id")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            lines = (
                json.dumps(
                    {"kind": k, "id": i, "account": a, "ref": r, "body": json.loads(b)},
                    separators=(",", ":"),
                )
                for k, i, a, r, b in documents
            )
            archive.writestr("documents.jsonl", "\n".join(lines))
            archive.writestr(
                "timers.json",
                json.dumps(
                    [
                        dict(zip(("due", "kind", "target", "account"), t, strict=True))
                        for t in timers
                    ]
                ),
            )
            archive.writestr("meta.json", json.dumps(meta))
            archive.writestr("blobs.json", json.dumps(dict(blob_ids)))
            for blob_id, _ in blob_ids:
                data = store.get_blob(blob_id) or b""
                # images are compressed already
                archive.writestr(f"blobs/{blob_id}", data, compress_type=zipfile.ZIP_STORED)
            manifest = {
                "format": FORMAT,
                "version": __version__,
                "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "clock": {"mode": app.engine.clock.mode, "now": app.engine.now()},
                "public_url": public,
                "documents": dict(Counter(k for k, *_ in documents)),
                "blobs": len(blob_ids),
                "timers": len(timers),
            }
            archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    return buffer.getvalue()


class _Reader:
    """Members of an untrusted zip, each read within what is left of the unpacked budget."""

    def __init__(self, data: bytes) -> None:
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, ValueError) as exc:
            raise StateArchiveError("not a state archive: expected a zip file") from exc
        self.budget = MAX_UNPACKED_BYTES

    def read(self, name: str) -> bytes:
        try:
            with self.zip.open(name) as member:
                data = member.read(self.budget + 1)
        except KeyError as exc:
            raise StateArchiveError(f"not a state archive: {name} is missing") from exc
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise StateArchiveError(f"{name}: cannot be read ({exc})") from exc
        self.budget -= len(data)
        if self.budget < 0:
            raise StateArchiveError(f"the archive unpacks to more than {MAX_UNPACKED_BYTES} bytes")
        return data

    def json(self, name: str, expected: type) -> Any:
        try:
            value = json.loads(self.read(name))
        except ValueError as exc:
            raise StateArchiveError(f"{name}: not JSON ({exc})") from exc
        if not isinstance(value, expected):
            raise StateArchiveError(f"{name}: expected a JSON {expected.__name__}")
        return value


def _documents(reader: _Reader, public_url: str) -> list[tuple[str, str, Any, Any, str]]:
    rows = []
    for n, line in enumerate(reader.read("documents.jsonl").decode("utf-8", "replace").split("\n")):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
            row = (doc["kind"], doc["id"], doc.get("account"), doc.get("ref"), doc["body"])
        except (ValueError, KeyError, TypeError) as exc:
            raise StateArchiveError(f"documents.jsonl line {n + 1}: not a document") from exc
        if not all(isinstance(v, str) for v in row[:2]) or not isinstance(row[4], dict):
            raise StateArchiveError(f"documents.jsonl line {n + 1}: not a document")
        body = json.dumps(row[4], separators=(",", ":")).replace(PUBLIC_URL_TOKEN, public_url)
        rows.append((*row[:4], body))
    return rows


def import_archive(app: EmulatorApp, data: bytes) -> StateSummary:
    """Replace everything with the archive's content; raises StateArchiveError, changing
    nothing, when it is not a valid archive."""
    reader = _Reader(data)
    manifest = reader.json("manifest.json", dict)
    if manifest.get("format") != FORMAT:
        raise StateArchiveError(f"unsupported format {manifest.get('format')!r}; expected {FORMAT}")
    documents = _documents(reader, app.engine.media.public_url)
    timers = reader.json("timers.json", list)
    meta = reader.json("meta.json", dict)
    blob_index = reader.json("blobs.json", dict)
    try:
        timer_rows = [
            (float(t["due"]), str(t["kind"]), str(t["target"]), t.get("account")) for t in timers
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise StateArchiveError("timers.json: expected objects with due, kind, target") from exc
    blobs = [
        (str(blob_id), account, reader.read(f"blobs/{blob_id}"))
        for blob_id, account in blob_index.items()
    ]
    try:
        clock_at = float(meta[CLOCK_META_KEY]) if CLOCK_META_KEY in meta else None
    except (TypeError, ValueError) as exc:
        raise StateArchiveError(f"meta.json: {CLOCK_META_KEY} is not a number") from exc
    engine, store = app.engine, app.engine.store
    try:
        with store.transaction():
            store.reset()
            for row in documents:
                store._run(
                    "INSERT INTO docs (kind, id, account, ref, body) VALUES (?, ?, ?, ?, ?)", row
                )
            for row in timer_rows:
                store.add_timer(*row)
            for key, value in meta.items():
                store.set_meta(str(key), str(value))
            for blob_id, account, blob in blobs:
                store.put_blob(blob_id, blob, account)
    except sqlite3.Error as exc:
        raise StateArchiveError(f"the archive does not fit the store ({exc})") from exc
    if isinstance(engine.clock, ManualClock):
        engine.clock.rewind() if clock_at is None else engine.clock.rewind(clock_at)
    engine.wake()
    return StateSummary(
        format=FORMAT,
        documents=dict(Counter(row[0] for row in documents)),
        blobs=len(blobs),
        timers=len(timer_rows),
        clock=engine.now() if isinstance(engine.clock, ManualClock) else None,
    )
