"""OpenAPI documents: generated from the route tables and @operation metadata."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from emulator.core.errors import ApiError
from emulator.core.openapi import Security, document, operation, tag_after
from emulator.core.vendor import routes_from
from emulator.testing import EmulatorServer
from emulator.vendors import vendor_classes
from emulator.vendors.virtualstaging_art import models as art
from emulator.vendors.virtualstagingai import models as vsai


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorServer]:
    with EmulatorServer() as server:
        yield server


def _doc(emu: EmulatorServer, slug: str) -> dict:
    answer = httpx.get(f"{emu.url}/{slug}/openapi.json", trust_env=False)
    assert answer.status_code == 200
    return answer.json()


@pytest.mark.parametrize("cls", vendor_classes(), ids=lambda c: c.slug)
def test_every_route_of_every_vendor_is_listed(emu: EmulatorServer, cls) -> None:
    doc = _doc(emu, cls.slug)
    assert doc["openapi"] == "3.1.0" and doc["servers"] == [{"url": f"{emu.url}/{cls.slug}"}]
    vendor = next(v for v in emu.app.vendors if v.slug == cls.slug)
    served = {
        (re.sub(r"{(\w+):\w+}", r"{\1}", route.path), method.lower())
        for route in vendor.routes()
        for method in route.methods
        if method != "HEAD"
    }
    listed = {(path, method) for path, methods in doc["paths"].items() for method in methods}
    assert listed == served
    for methods in doc["paths"].values():
        for op in methods.values():
            assert "404" in op["responses"] and "405" in op["responses"]


@pytest.mark.parametrize("slug", ["virtualstaging-art", "virtualstagingai", "decor8", "collov"])
def test_existing_vendors_are_fully_described(emu: EmulatorServer, slug: str) -> None:
    doc = _doc(emu, slug)
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            assert "Not described" not in op.get("description", ""), (method, path)
            assert any(code.startswith("2") for code in op["responses"]), (method, path)


def test_art_document_has_auth_bodies_enums_and_envelope(emu: EmulatorServer) -> None:
    doc = _doc(emu, "virtualstaging-art")
    assert doc["components"]["securitySchemes"] == {"key": {"type": "http", "scheme": "bearer"}}
    upload = doc["paths"]["/api/image/upload"]["post"]
    content = upload["requestBody"]["content"]
    assert set(content) == {"multipart/form-data", "application/json"}
    assert content["multipart/form-data"]["schema"]["required"] == ["file"]
    staging = doc["components"]["schemas"]["StagingRequest"]["properties"]
    assert set(art.ROOM_TYPES) <= set(staging["room_type"]["enum"])
    assert set(art.STYLES) == set(staging["style"]["enum"])
    assert staging["mode"]["enum"] == ["stage", "cleanup_and_stage"]
    render = doc["paths"]["/api/image/render/request"]["post"]
    assert "402" in render["responses"]
    envelope = render["responses"]["402"]["content"]["application/json"]["schema"]
    assert envelope == {
        "type": "object",
        "properties": {"error": {"type": "string"}},
        "required": ["error"],
    }
    subscription = doc["paths"]["/v1/webhooks"]["post"]["responses"]
    assert {"200", "201"} <= set(subscription)
    assert doc["paths"]["/api/renders"]["get"]["parameters"][0]["name"] == "limit"


def test_vsai_document(emu: EmulatorServer) -> None:
    doc = _doc(emu, "virtualstagingai")
    scheme = doc["components"]["securitySchemes"]["key"]
    assert scheme["type"] == "apiKey" and scheme["name"] == "authorization"
    assert doc["paths"]["/v2/status"]["get"]["security"] == []
    add = doc["components"]["schemas"]["AddFurniture"]["properties"]
    assert set(vsai.ROOM_TYPES) == set(add["room_type"]["enum"])
    v1 = doc["paths"]["/v1/render/create"]["post"]["requestBody"]["content"]
    assert set(v1) == {
        "application/json",
        "multipart/form-data",
        "application/x-www-form-urlencoded",
    }
    ops = {op["operationId"] for methods in doc["paths"].values() for op in methods.values()}
    assert {"create_render", "create_render_apiv2", "v1_create_render"} <= ops


class Thing(BaseModel):
    name: str


def test_undescribed_handlers_degrade_to_path_method_auth_and_envelope() -> None:
    async def described(request: Request) -> Response:
        return JSONResponse({})

    async def bare(request: Request) -> Response:
        """Do a bare thing."""
        return JSONResponse({})

    operation(body=Thing, response=Thing, status=201)(described)
    doc = document(
        title="t",
        version="1",
        description="d",
        server="http://x",
        routes=routes_from([("/things/{id}", bare, ["GET"]), ("/things", described, ["POST"])]),
        security=Security("apikey", ""),
        error_response=lambda e: JSONResponse({"code": e.status, "msg": e.message}, e.status),
    )
    get = doc["paths"]["/things/{id}"]["get"]
    assert get["summary"] == "Do a bare thing."
    assert get["parameters"] == [
        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    ]
    assert "default" in get["responses"] and "401" in get["responses"]
    assert doc["components"]["securitySchemes"]["key"]["name"] == "apikey"
    post = doc["paths"]["/things"]["post"]
    assert post["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Thing"
    }


def _one_operation(
    method: str = "POST",
    error_response=lambda e: JSONResponse({"error": e.message}, e.status),
    **described: object,
) -> dict:
    """The document of one `/t` handler described by `operation(response=Thing, **described)`."""

    async def handler(request: Request) -> Response:
        return JSONResponse({})

    operation(response=Thing, **described)(handler)  # type: ignore[arg-type]
    doc = document(
        title="t",
        version="1",
        description="d",
        server="http://x",
        routes=routes_from([("/t", handler, [method])]),
        security=None,
        error_response=error_response,
    )
    return doc["paths"]["/t"][method.lower()]


def test_an_error_answered_with_200_joins_the_success_schema() -> None:
    def business_errors(error: ApiError) -> Response:
        return JSONResponse({"code": error.status, "message": error.message}, 200)

    responses = _one_operation("GET", business_errors)["responses"]
    assert "anyOf" in responses["200"]["content"]["application/json"]["schema"]
    assert "404" not in responses


def test_control_document_and_offline_docs_pages(emu: EmulatorServer) -> None:
    doc = _doc(emu, "_emulator")
    assert "/webhooks/deliveries/{delivery_id}/resend" in doc["paths"]
    assert "JobView" in doc["components"]["schemas"]
    index = httpx.get(f"{emu.url}/_emulator/docs", trust_env=False).text
    for slug in [cls.slug for cls in vendor_classes()] + ["_emulator"]:
        assert f'href="/_emulator/docs/{slug}"' in index
        page = httpx.get(f"{emu.url}/_emulator/docs/{slug}", trust_env=False)
        assert page.status_code == 200 and f'"/{slug}/openapi.json"' in page.text
        assert not re.search(r"(src|href)=\"https?://", page.text)  # nothing from a CDN
    assert httpx.get(f"{emu.url}/_emulator/docs/nope", trust_env=False).status_code == 404


def test_operations_are_tagged_after_the_vendors_base_path(emu: EmulatorServer) -> None:
    tags = {
        op["tags"][0]
        for methods in _doc(emu, "stagepro")["paths"].values()
        for op in methods.values()
    }
    assert "api" not in tags and {"jobs", "keys", "webhooks"} <= tags
    tag = tag_after("/api/v1", "stagepro")
    assert tag("/api/v1/jobs/{job_id}") == "jobs"
    assert tag("/api/v1") == "stagepro"
    assert tag("/api/v10/x") == "api"  # only whole segments are the base
    assert tag_after("", "decor8")("/generate_designs") == "generate_designs"


def test_the_words_given_for_an_error_describe_its_response() -> None:
    post = _one_operation(body=Thing, errors={402: "not enough credits", 410: "the link expired"})
    responses = post["responses"]
    assert "402 not enough credits" in responses["402"]["description"]
    assert "410 the link expired" in responses["410"]["description"]
    assert "stalled" in responses["408"]["description"]  # a body can stall: BODY_ERRORS
    assert "413" in responses and "400" in responses


def test_a_body_is_required_unless_the_handler_takes_an_empty_one() -> None:
    assert _one_operation(body=Thing)["requestBody"]["required"] is True
    assert _one_operation(body=Thing, body_required=False)["requestBody"]["required"] is False
    assert "408" not in _one_operation()["responses"]
