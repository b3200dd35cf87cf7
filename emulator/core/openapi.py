"""OpenAPI 3.1 documents generated from the route tables and pydantic models that serve requests.

A handler says once what it takes and gives, with `@operation(...)`:

    @operation(body=m.StagingRequest, response=m.RenderAccepted, errors={402: "not enough credits"})
    async def request_render(self, request): ...

and `document(...)` walks the vendor's routes (the same Starlette routes the app serves), reading
that metadata. A handler without it is still listed (path, method, auth, path parameters, the
vendor's error envelope) with an undescribed answer, so every vendor has a document from day one.
The error envelope is not declared: it is read from the vendor's own `error_response`.
"""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from starlette.routing import BaseRoute, Match, Route

from .errors import ApiError
from .routing import handlers_of

REF = "#/components/schemas/{model}"
ENCODINGS = {
    "json": "application/json",
    "form": "application/x-www-form-urlencoded",
    "multipart": "multipart/form-data",
    "binary": "application/octet-stream",
}
# Answers any route can give, whatever its handler does: the vendor sub-app's own refusals.
ROUTING_ERRORS = {404: "not found", 405: "method not allowed"}
AUTH_ERRORS = {401: "missing or invalid credentials", 403: "account blocked or restricted"}
BODY_ERRORS = {
    400: "invalid request: the message names the field",
    408: "the request body stalled before it was complete",
    413: "body too large",
}
FAULT_ERRORS = {503: "temporarily unavailable (fault rule or magic input)"}
ERROR_WORDS = {
    400: "(bad request)",
    401: "(unauthenticated)",
    402: "(payment required)",
    403: "(forbidden)",
    404: "(not found)",
    405: "(method not allowed)",
    408: "(request timeout)",
    409: "(conflict)",
    410: "(gone)",
    413: "(too large)",
    422: "(unprocessable)",
    429: "(too many requests)",
    503: "(unavailable)",
}
Responses = Mapping[int, Any]  # status -> model, list[model], None (no body) or a JSON schema


@dataclass(frozen=True)
class Operation:
    """What one handler takes and answers (see `operation`)."""

    body: Any = None
    query: type[BaseModel] | None = None
    responses: Responses = field(default_factory=dict)
    encodings: tuple[str, ...] = ("json",)
    files: tuple[str, ...] = ()
    errors: Mapping[int, str] = field(default_factory=dict)
    auth: bool = True
    summary: str | None = None
    media_type: str = "application/json"
    alternatives: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)
    body_required: bool = True


def operation(
    *,
    body: Any = None,
    query: type[BaseModel] | None = None,
    response: Any = None,
    status: int = 200,
    responses: Responses | None = None,
    encodings: tuple[str, ...] = ("json",),
    files: tuple[str, ...] = (),
    errors: Mapping[int, str] | None = None,
    auth: bool = True,
    summary: str | None = None,
    media_type: str = "application/json",
    alternatives: Mapping[int, Mapping[str, Any]] | None = None,
    body_required: bool = True,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Describe a handler for the OpenAPI document, once, next to it.

    body: the request model (or {"json": ModelA, "multipart": ModelB} when each encoding takes
      its own shape); query: the query-string model; response + status: the success answer
      (a model, `list[Model]`, None for an empty body); responses: several success answers
      {200: A, 201: B}; encodings: "json", "form", "multipart"; files: multipart file fields;
      errors: {status: when} beyond the ones every handler can give (400/413 with a body,
      401/403 with auth, 404, 405, 503); auth=False: no credentials needed; summary: one line
      (default: the handler's docstring); alternatives: other media types a success status
      may answer with, {200: {"text/event-stream": schema or model}}; body_required=False: the
      handler also accepts an empty body (every field optional or defaulted).
    """
    answers = dict(responses) if responses is not None else {status: response}

    def attach(handler: Callable[..., Any]) -> Callable[..., Any]:
        handler.__openapi__ = Operation(  # type: ignore[attr-defined]
            body=body,
            query=query,
            responses=answers,
            encodings=encodings,
            files=files,
            errors=dict(errors or {}),
            auth=auth,
            summary=summary,
            media_type=media_type,
            alternatives=dict(alternatives or {}),
            body_required=body_required,
        )
        return handler

    return attach


def described(handler: Callable[..., Any]) -> Operation | None:
    return getattr(handler, "__openapi__", None)


# the route tables


@dataclass(frozen=True)
class RouteEntry:
    path: str  # as routed, e.g. /v2/renders/{render_id}
    method: str
    handler: Callable[..., Any]
    route: Route

    @property
    def name(self) -> str:
        return getattr(self.handler, "__name__", "handler")


def route_entries(routes: Iterable[BaseRoute]) -> list[RouteEntry]:
    entries = []
    for route in routes:
        if not isinstance(route, Route):
            continue
        for method, handler in handlers_of(route).items():
            if method != "HEAD":
                entries.append(RouteEntry(route.path, method, handler, route))
    return entries


class RouteIndex:
    """Which handler answers a method and path (for the journal's `operation`)."""

    def __init__(self, routes: Iterable[BaseRoute]) -> None:
        self.entries = route_entries(routes)

    def operation(self, method: str, path: str) -> str | None:
        scope = {"type": "http", "path": path, "method": method, "root_path": ""}
        method = "GET" if method == "HEAD" else method
        for entry in self.entries:
            match, _ = entry.route.matches(scope)
            if match == Match.FULL and entry.method == method:
                return entry.name
        return None


# the envelope


def infer_schema(value: Any) -> dict[str, Any]:
    """A JSON schema that an example value (an error body) satisfies, with its keys required."""
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, str):
        return {"type": "string"}
    if value is None:
        return {"type": "null"}
    if isinstance(value, list):
        return {"type": "array", "items": infer_schema(value[0]) if value else {}}
    if isinstance(value, dict):
        return {
            "type": "object",
            "properties": {k: infer_schema(v) for k, v in value.items()},
            "required": sorted(value),
        }
    return {}


def merge_schemas(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """A schema both inferred examples satisfy: types united, keys of only one made optional."""
    if a == b:
        return a
    if a.get("type") == b.get("type") == "object":
        props_a, props_b = a["properties"], b["properties"]
        merged = {
            key: merge_schemas(props_a[key], props_b[key])
            if key in props_a and key in props_b
            else props_a.get(key) or props_b[key]
            for key in {**props_a, **props_b}
        }
        required = sorted(set(a["required"]) & set(b["required"]))
        return {"type": "object", "properties": merged, "required": required}
    types_a, types_b = a.get("type"), b.get("type")
    if isinstance(types_a, str) and isinstance(types_b, str) and len(a) == len(b) == 1:
        return {"type": sorted({types_a, types_b})}
    return {"anyOf": [a, b]}


def error_envelopes(
    render: Callable[[ApiError], Any], statuses: Mapping[int, str] | Iterable[int]
) -> dict[int, dict[str, Any]]:
    """{HTTP status: response object} of the vendor's error envelope for each error status,
    read from what `render` (the vendor's `error_response`) answers. Given {status: when}, the
    words say when (else the status's name from ERROR_WORDS)."""
    words = dict(statuses) if isinstance(statuses, Mapping) else {}
    out: dict[int, dict[str, Any]] = {}
    answered: dict[int, list[int]] = {}
    for status in sorted(set(statuses)):
        # with and without the optional parts, so fields that may be null or absent say so
        full = render(ApiError(status, "what is wrong", field="field", code="code"))
        bare = render(ApiError(status, "what is wrong"))
        answered.setdefault(full.status_code, []).append(status)
        content_type = full.headers.get("content-type", "").split(";")[0]
        entry: dict[str, Any] = {}
        if content_type == "application/json":
            schema = merge_schemas(
                infer_schema(json.loads(full.body)), infer_schema(json.loads(bare.body))
            )
            entry["content"] = {content_type: {"schema": schema}}
        previous = out.setdefault(full.status_code, entry)
        if previous is not entry and "content" in entry and "content" in previous:
            schema = previous["content"][content_type]["schema"]
            merged = merge_schemas(schema, entry["content"][content_type]["schema"])
            previous["content"][content_type]["schema"] = merged
    for code, errors in answered.items():
        said = "; ".join(f"{s} {words.get(s) or ERROR_WORDS.get(s, '')}".strip() for s in errors)
        out[code]["description"] = (
            f"error in the vendor's envelope: {said}"
            if errors == [code]
            else f"errors answered with HTTP {code} in the vendor's envelope: {said}"
        )
    return out


# the document


@dataclass
class Security:
    header: str
    scheme: str  # "" when the whole header value is the credential

    def scheme_object(self) -> dict[str, Any]:
        if self.header.lower() == "authorization" and self.scheme.lower() in ("bearer", "basic"):
            return {"type": "http", "scheme": self.scheme.lower()}
        value = f"{self.scheme} <key>" if self.scheme else "<key>"
        return {
            "type": "apiKey",
            "in": "header",
            "name": self.header,
            "description": f"`{self.header}: {value}`",
        }


class _Schemas:
    """Collects the models every operation names and turns them into one components section."""

    def __init__(self) -> None:
        self.wanted: list[tuple[type[BaseModel], str]] = []

    def ref(self, annotation: Any, mode: str) -> Callable[[dict[Any, Any]], dict[str, Any]]:
        """A schema for `annotation`, resolved once every model is known."""
        if isinstance(annotation, dict):
            return lambda _: annotation
        origin = typing.get_origin(annotation)
        if origin is list:
            (item,) = typing.get_args(annotation)
            inner = self.ref(item, mode)
            return lambda refs: {"type": "array", "items": inner(refs)}
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            self.wanted.append((annotation, mode))
            return lambda refs: refs[(annotation, mode)]
        return lambda _: {}

    def build(self) -> tuple[dict[Any, Any], dict[str, Any]]:
        if not self.wanted:
            return {}, {}
        unique = list(dict.fromkeys(self.wanted))
        refs, top = models_json_schema(unique, ref_template=REF)  # type: ignore[arg-type]
        return refs, top.get("$defs", {})


def _path_parameters(path: str) -> list[dict[str, Any]]:
    names = re.findall(r"{(\w+)(?::\w+)?}", path)
    return [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in names
    ]


def _query_parameters(query: type[BaseModel] | None) -> list[dict[str, Any]]:
    if query is None:
        return []
    schema = query.model_json_schema(ref_template=REF)
    required = set(schema.get("required", []))
    params = []
    for name, prop in schema.get("properties", {}).items():
        params.append(
            {"name": name, "in": "query", "required": name in required, "schema": _simple(prop)}
        )
    return params


def _simple(prop: dict[str, Any]) -> dict[str, Any]:
    """Query parameters are strings on the wire: drop `null` alternatives, keep the rest."""
    options = prop.get("anyOf")
    if options:
        kept = [o for o in options if o.get("type") != "null"]
        prop = {k: v for k, v in prop.items() if k != "anyOf"} | (
            kept[0] if len(kept) == 1 else {"anyOf": kept}
        )
    return {k: v for k, v in prop.items() if k != "title"}


def _with_files(schema: dict[str, Any], files: tuple[str, ...]) -> dict[str, Any]:
    schema = dict(schema) | {"type": "object"}
    props = dict(schema.get("properties", {}))
    for name in files:
        props[name] = {"type": "string", "contentMediaType": "application/octet-stream"}
    schema["properties"] = props
    schema["required"] = sorted({*schema.get("required", []), *files})
    return schema


def document(
    *,
    title: str,
    version: str,
    description: str,
    server: str,
    routes: Iterable[BaseRoute],
    security: Security | None,
    error_response: Callable[[ApiError], Any],
    tag_of: Callable[[str], str] | None = None,
    always: Mapping[int, str] = ROUTING_ERRORS | FAULT_ERRORS,
) -> dict[str, Any]:
    """The OpenAPI 3.1 document of one API: its routes as served, under `server`. `always`: the
    errors any of its routes can answer."""
    schemas = _Schemas()
    pending: list[tuple[str, str, Callable[[dict[Any, Any]], dict[str, Any]]]] = []
    seen_ids: set[str] = set()
    for entry in route_entries(routes):
        op = described(entry.handler)
        op_id = entry.name if entry.name not in seen_ids else _unique(entry, seen_ids)
        seen_ids.add(op_id)
        pending.append(
            (
                entry.path,
                entry.method.lower(),
                _operation(entry, op, op_id, schemas, security, error_response, tag_of, always),
            )
        )
    refs, components = schemas.build()
    paths: dict[str, dict[str, Any]] = {}
    for path, method, build in pending:
        paths.setdefault(_openapi_path(path), {})[method] = build(refs)
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description},
        "servers": [{"url": server}],
        "paths": paths,
        "components": {"schemas": components},
    }
    if security is not None:
        doc["components"]["securitySchemes"] = {"key": security.scheme_object()}
        doc["security"] = [{"key": []}]
    return doc


def tag_after(base: str, fallback: str) -> Callable[[str], str]:
    """Tag an operation by the first path segment after the API's base path (`/api/v1/jobs/{id}`
    under `/api/v1` is "jobs"); a path outside the base (an alias prefix) by its own first."""

    def tag_of(path: str) -> str:
        rest = path[len(base) :] if base and (path + "/").startswith(base + "/") else path
        return rest.strip("/").split("/")[0] or fallback

    return tag_of


def _openapi_path(path: str) -> str:
    return re.sub(r"{(\w+):\w+}", r"{\1}", path)


def _unique(entry: RouteEntry, seen: set[str]) -> str:
    prefix = re.sub(r"\W+", "_", entry.path.strip("/").split("/")[0]).lower()
    candidate = f"{entry.name}_{prefix}"
    n = 2
    while candidate in seen:
        candidate, n = f"{entry.name}_{prefix}_{n}", n + 1
    return candidate


def _operation(
    entry: RouteEntry,
    op: Operation | None,
    op_id: str,
    schemas: _Schemas,
    security: Security | None,
    error_response: Callable[[ApiError], Any],
    tag_of: Callable[[str], str] | None,
    always: Mapping[int, str],
) -> Callable[[dict[Any, Any]], dict[str, Any]]:
    doc = (entry.handler.__doc__ or "").strip().split("\n")[0]
    summary = (op.summary if op and op.summary else doc) or entry.name.replace("_", " ")
    base: dict[str, Any] = {"operationId": op_id, "summary": summary}
    if tag_of is not None:
        base["tags"] = [tag_of(entry.path)]
    params = _path_parameters(entry.path)
    needs_auth = security is not None and (op is None or op.auth)
    if not needs_auth:
        base["security"] = []
    statuses = dict(always)
    if needs_auth:
        statuses |= AUTH_ERRORS
    if op is None:
        # undescribed: what every route can answer, and an answer left open
        statuses |= BODY_ERRORS
        base["description"] = "Not described yet: request and answer bodies are not listed."
        envelopes = error_envelopes(error_response, statuses)
        base["parameters"] = params

        def build_bare(refs: dict[Any, Any]) -> dict[str, Any]:
            responses = {str(s): r for s, r in envelopes.items()}
            responses["default"] = {"description": "the handler's answer (not described yet)"}
            return base | {"responses": responses}

        return build_bare
    params += _query_parameters(op.query)
    if op.body is not None or op.query is not None or params:
        statuses |= {400: BODY_ERRORS[400]}
    if op.body is not None:
        statuses |= BODY_ERRORS
    statuses |= dict(op.errors)
    envelopes = error_envelopes(error_response, statuses)
    bodies = _request_bodies(op, schemas)
    answers = {
        status: (schemas.ref(model, "serialization") if model is not None else None)
        for status, model in op.responses.items()
    }
    others = {
        status: {media: schemas.ref(model, "serialization") for media, model in kinds.items()}
        for status, kinds in op.alternatives.items()
    }
    base["parameters"] = params

    def build(refs: dict[Any, Any]) -> dict[str, Any]:
        responses: dict[str, Any] = {}
        for status, schema in answers.items():
            entry_doc: dict[str, Any] = {"description": "success"}
            if schema is not None:
                entry_doc["content"] = {op.media_type: {"schema": schema(refs)}}
            for media, other in others.get(status, {}).items():
                entry_doc.setdefault("content", {})[media] = {"schema": other(refs)}
            responses[str(status)] = entry_doc
        for status, envelope in envelopes.items():
            if str(status) in responses:  # an error answered with a success status
                responses[str(status)] = _either(responses[str(status)], envelope)
            else:
                responses[str(status)] = envelope
        out = base | {"responses": responses}
        if bodies:
            out["requestBody"] = {
                "required": op.body_required,
                "content": {kind: {"schema": schema(refs)} for kind, schema in bodies.items()},
            }
        return out

    return build


def _request_bodies(
    op: Operation, schemas: _Schemas
) -> dict[str, Callable[[dict[Any, Any]], dict[str, Any]]]:
    if op.body is None:
        return {}
    per_encoding = (
        op.body if isinstance(op.body, dict) and not _is_schema(op.body) else None
    ) or dict.fromkeys(op.encodings, op.body)
    bodies = {}
    for encoding, model in per_encoding.items():
        schema = schemas.ref(model, "validation")
        if encoding == "multipart" and op.files:
            bodies[ENCODINGS[encoding]] = lambda refs, s=schema: _with_files(
                _resolved(s(refs), refs), op.files
            )
        else:
            bodies[ENCODINGS[encoding]] = schema
    return bodies


def _is_schema(value: dict[str, Any]) -> bool:
    return "type" in value or "properties" in value


def _resolved(schema: dict[str, Any], refs: dict[Any, Any]) -> dict[str, Any]:
    """A multipart body inlines its object schema so file fields can be added beside."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return {"allOf": [schema], "properties": {}, "title": name}
    return schema


def _either(success: dict[str, Any], error: dict[str, Any]) -> dict[str, Any]:
    """One status carrying both a success body and the error envelope (vendors that answer
    errors with 200)."""
    ok = success.get("content", {}).get("application/json", {}).get("schema")
    bad = error.get("content", {}).get("application/json", {}).get("schema")
    if ok is None or bad is None:
        return success
    return {
        "description": f"{success['description']}, or {error['description']}",
        "content": {"application/json": {"schema": {"anyOf": [ok, bad]}}},
    }
