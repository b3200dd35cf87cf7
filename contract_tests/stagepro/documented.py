"""Every StagePro answer the contract tests receive, checked against the emulator's own OpenAPI
document (`/stagepro/openapi.json`): a documented status, a documented content type, and a JSON body
that fits the documented schema (formats such as date-time included).

Schemathesis (tests/test_openapi_schemathesis.py) sends generated requests, which mostly name ids
that do not exist; these checks see the answers of real flows (completed jobs, batches, workflows,
verified webhooks, agent sessions), so the document is held to what clients actually receive.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import httpx
import jsonschema_rs

NOT_YET_DOCUMENTABLE: set[tuple[str, str, str]] = set()


@dataclass
class Operation:
    method: str
    pattern: re.Pattern[str]
    spec: dict[str, Any]

    @property
    def id(self) -> str:
        return self.spec["operationId"]


@dataclass
class DocumentCheck:
    """Checks answers under `server` (the document's server URL) against `document`."""

    document: dict[str, Any]
    server: str
    seen: set[tuple[str, str]] = field(default_factory=set)  # (operationId, status)
    tolerated: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.operations = [
            Operation(method.upper(), _pattern(path), spec)
            for path, methods in self.document["paths"].items()
            for method, spec in methods.items()
        ]
        self._validators: dict[str, Any] = {}

    @classmethod
    def fetch(cls, emulator_url: str, slug: str) -> DocumentCheck:
        document = httpx.get(f"{emulator_url}/{slug}/openapi.json", timeout=30).json()
        # the document names its server by the emulator's public URL; requests use emulator_url
        return cls(document, f"{emulator_url}/{slug}")

    def operation(self, method: str, path: str) -> Operation | None:
        return next(
            (op for op in self.operations if op.method == method and op.pattern.fullmatch(path)),
            None,
        )

    def __call__(self, response: httpx.Response) -> None:
        """An httpx response hook: raises AssertionError on an answer the document does not
        describe."""
        url = str(response.request.url).split("?", 1)[0]
        if not url.startswith(self.server + "/"):
            return  # media files, webhook receivers, the control API
        op = self.operation(response.request.method, url[len(self.server) :])
        if op is None:
            return  # a path the vendor does not route: its 404 is not an operation's
        status = str(response.status_code)
        where = f"{op.method} {url[len(self.server) :]} ({op.id}) answered {status}"
        documented = op.spec["responses"].get(status)
        assert documented is not None, f"{where}: status not in the document"
        self.seen.add((op.id, status))
        kind = response.headers.get("content-type", "").split(";")[0].strip()
        content = documented.get("content")
        if content is None:
            assert not kind, f"{where}: a {kind} body where the document says none"
            return
        if kind not in content and (op.id, status, kind) in NOT_YET_DOCUMENTABLE:
            self.tolerated.append(where)
            return
        assert kind in content, f"{where}: content type {kind!r} not in {sorted(content)}"
        if kind != "application/json":
            return
        response.read()
        body = json.loads(response.content)
        errors = [
            f"{'/'.join(map(str, e.instance_path)) or '(body)'}: {e.message}"
            for e in self._validator(content[kind]["schema"]).iter_errors(body)
        ]
        assert not errors, f"{where}: body does not fit the document: {errors[:5]}\n{body}"

    def fits(self, component: str, instance: Any) -> bool:
        """Whether `instance` fits the document's schema `component` (e.g. a webhook's job)."""
        schema = {"$ref": f"#/components/schemas/{component}"}
        problems = [e.message for e in self._validator(schema).iter_errors(instance)]
        assert not problems, f"not a {component}: {problems[:5]}\n{instance}"
        return True

    def _validator(self, schema: dict[str, Any]) -> Any:
        key = json.dumps(schema, sort_keys=True)
        if key not in self._validators:
            rooted = dict(schema) | {"components": self.document["components"]}
            self._validators[key] = jsonschema_rs.Draft202012Validator(
                rooted, validate_formats=True
            )
        return self._validators[key]


def _pattern(path: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\{\w+\\}", "[^/]+", re.escape(path)))
