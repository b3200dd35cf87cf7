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

The same state exports to the same bytes: `exported_at` is the emulator's clock (so fixed on a
manual clock), every member carries one fixed timestamp, and the emulator's public URL (its port)
is replaced by a token wherever a document or its ref holds it.
"""

from __future__ import annotations

import io
import json
import math
import sqlite3
import zipfile
from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..core.clock import ManualClock
from ..core.engine import CLOCK_KEY
from ..core.http import load_json
from ..core.store import HIGH_WATER, Dump, StoredBlob, StoredDocument, StoredTimer
from .models import StateSummary

if TYPE_CHECKING:
    from ..app import EmulatorApp

FORMAT = "staging-emulator-state/1"
MAX_ARCHIVE_BYTES = 256 << 20  # what POST /_emulator/state reads at most
MAX_UNPACKED_BYTES = 1 << 30  # what an archive may unpack to, all members together
# URLs the emulator handed out carry its public URL; an archive keeps this token in its place, so
# a state exported on one port (or host) works on another.
PUBLIC_URL_TOKEN = "{{staging-emulator}}"
MEMBER_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say: members carry no wall time


class StateArchiveError(Exception):
    """The archive cannot be imported; nothing was changed."""


def export_archive(app: EmulatorApp) -> bytes:
    dump = app.engine.store.dump()
    public = app.engine.media.public_url
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:

        def write(name: str, data: str | bytes, compress: int = zipfile.ZIP_DEFLATED) -> None:
            member = zipfile.ZipInfo(name, MEMBER_TIME)
            member.compress_type, member.external_attr = compress, 0o644 << 16
            archive.writestr(member, data)

        lines = (
            json.dumps(
                {
                    "kind": doc.kind,
                    "id": doc.id,
                    "account": doc.account,
                    "ref": _relative(doc.ref, public) if doc.ref else doc.ref,
                    "body": json.loads(_relative(doc.body, public)),
                },
                separators=(",", ":"),
            )
            for doc in dump.documents
        )
        write("documents.jsonl", "\n".join(lines))
        write("timers.json", json.dumps([t._asdict() for t in dump.timers]))
        write("meta.json", json.dumps(dump.meta))
        write("blobs.json", json.dumps({b.id: b.account for b in dump.blobs}))
        for blob in dump.blobs:
            write(f"blobs/{blob.id}", blob.data, zipfile.ZIP_STORED)  # images: compressed already
        now = app.engine.now()
        manifest = {
            "format": FORMAT,
            "version": __version__,
            "exported_at": datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds"),
            "clock": {"mode": app.engine.clock.mode, "now": now},
            "documents": dict(Counter(doc.kind for doc in dump.documents)),
            "blobs": len(dump.blobs),
            "timers": len(dump.timers),
        }
        write("manifest.json", json.dumps(manifest, indent=2))
    return buffer.getvalue()


def _relative(text: str, public_url: str) -> str:
    """`text` with the emulator's public URL replaced by the token (and back: `_absolute`)."""
    return text.replace(public_url, PUBLIC_URL_TOKEN)


def _absolute(text: str, public_url: str) -> str:
    return text.replace(PUBLIC_URL_TOKEN, public_url)


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
            value = load_json(self.read(name))
        except ValueError as exc:
            raise StateArchiveError(f"{name}: not JSON ({exc})") from exc
        if not isinstance(value, expected):
            raise StateArchiveError(f"{name}: expected a JSON {expected.__name__}")
        return value


def _documents(reader: _Reader, public_url: str) -> list[StoredDocument]:
    rows = []
    for n, line in enumerate(reader.read("documents.jsonl").decode("utf-8", "replace").split("\n")):
        if not line.strip():
            continue
        try:
            doc = load_json(line)
            kind, id, body = doc["kind"], doc["id"], doc["body"]
            account, ref = doc.get("account"), doc.get("ref")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise StateArchiveError(f"documents.jsonl line {n + 1}: not a document") from exc
        if not (isinstance(kind, str) and isinstance(id, str) and isinstance(body, dict)):
            raise StateArchiveError(f"documents.jsonl line {n + 1}: not a document")
        if ref is not None and not isinstance(ref, str):
            raise StateArchiveError(f"documents.jsonl line {n + 1}: ref is not a string")
        text = _absolute(json.dumps(body, separators=(",", ":")), public_url)
        ref = _absolute(ref, public_url) if ref else ref
        rows.append(StoredDocument(kind, id, account, ref, text))
    return rows


def _timers(reader: _Reader) -> list[StoredTimer]:
    try:
        return [
            StoredTimer(float(t["due"]), str(t["kind"]), str(t["target"]), t.get("account"))
            for t in reader.json("timers.json", list)
        ]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise StateArchiveError("timers.json: expected objects with due, kind, target") from exc


def _meta(reader: _Reader) -> dict[str, str]:
    meta = {str(key): str(value) for key, value in reader.json("meta.json", dict).items()}
    for key in (CLOCK_KEY, HIGH_WATER):
        try:
            finite = math.isfinite(float(meta.get(key, 0)))
        except ValueError:
            finite = False
        if not finite:
            raise StateArchiveError(f"meta.json: {key} is not a number")
    return meta


def import_archive(app: EmulatorApp, data: bytes) -> StateSummary:
    """Replace everything with the archive's content; raises StateArchiveError, changing
    nothing, when it is not a valid archive."""
    reader = _Reader(data)
    manifest = reader.json("manifest.json", dict)
    if manifest.get("format") != FORMAT:
        raise StateArchiveError(f"unsupported format {manifest.get('format')!r}; expected {FORMAT}")
    engine = app.engine
    dump = Dump(
        documents=_documents(reader, engine.media.public_url),
        timers=_timers(reader),
        meta=_meta(reader),
        blobs=[
            StoredBlob(str(blob_id), account, reader.read(f"blobs/{blob_id}"))
            for blob_id, account in reader.json("blobs.json", dict).items()
        ],
    )
    try:
        engine.load(dump)
    except sqlite3.Error as exc:
        raise StateArchiveError(f"the archive does not fit the store ({exc})") from exc
    return StateSummary(
        format=FORMAT,
        documents=dict(Counter(doc.kind for doc in dump.documents)),
        blobs=len(dump.blobs),
        timers=len(dump.timers),
        clock=engine.now() if isinstance(engine.clock, ManualClock) else None,
    )
