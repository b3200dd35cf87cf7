"""StagePro's OpenAPI document (`/stagepro/openapi.json`), generated from the handlers' models: it
describes every operation, names every enum the capabilities list, and every answer of a real
flow through all 21 operations fits it (status, content type, body)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from emulator.vendors.stagepro import answers as a

from ..support import EmulatorControl, make_image
from .client import JOB_SECONDS, SLUG, StageProClient, job_body, make_key, photo_url
from .documented import DocumentCheck
from .receiver import ChallengeReceiver

pytestmark = pytest.mark.emulator_only

SUCCESS = {  # operationId -> the success statuses the flow below must see
    "get_capabilities": {"200"},
    "get_usage": {"200"},
    "create_job": {"202", "200"},
    "list_jobs": {"200"},
    "get_job": {"200"},
    "regenerate_job": {"202"},
    "create_batch": {"202"},
    "get_batch": {"200"},
    "create_workflow": {"202"},
    "get_workflow": {"200"},
    "create_upload": {"201"},
    "list_keys": {"200"},
    "create_key": {"201"},
    "revoke_key": {"200"},
    "list_webhooks": {"200"},
    "create_webhook": {"201"},
    "delete_webhook": {"200"},
    "verify_webhook": {"202"},
    "create_agent_session": {"201"},
    "send_agent_message": {"200"},
    "render_agent_session": {"202"},
}


@pytest.fixture
def check(emulator: EmulatorControl) -> DocumentCheck:
    """A check of its own, so what the flow saw is known."""
    return DocumentCheck.fetch(emulator.url, SLUG)


@pytest.fixture
def checked(check: DocumentCheck, sp: StageProClient) -> Any:
    with httpx.Client(timeout=30, event_hooks={"response": [check]}) as client:
        yield StageProClient(client, sp.root, make_key())


def test_every_operation_is_described(check: DocumentCheck):
    doc = check.document
    assert doc["openapi"] == "3.1.0"
    assert doc["components"]["securitySchemes"]["key"] == {"type": "http", "scheme": "bearer"}
    assert {op.id for op in check.operations} == set(SUCCESS)
    for op in check.operations:
        assert "Not described" not in op.spec.get("description", ""), op.id
        for status in SUCCESS[op.id]:
            assert "content" in op.spec["responses"][status], (op.id, status)
        for status in ("400", "401", "403", "404", "429", "503"):
            if status == "400" and op.method == "GET" and not op.spec["parameters"]:
                continue  # nothing a caller sends can be wrong
            error = op.spec["responses"][status]["content"]["application/json"]["schema"]
            assert error["required"] == ["error"], (op.id, status)
            assert error["properties"]["error"]["required"] == ["code", "message", "status"]
    upload = doc["paths"]["/api/v1/uploads"]["post"]["requestBody"]["content"]
    assert upload["multipart/form-data"]["schema"]["required"] == ["file"]
    message = doc["paths"]["/api/v1/agent/sessions/{session_id}/messages"]["post"]
    assert set(message["requestBody"]["content"]["application/json"]["schema"]) == {"$ref"}
    for job_answer in ("200", "202"):
        schema = doc["paths"]["/api/v1/jobs"]["post"]["responses"][job_answer]["content"]
        assert schema["application/json"]["schema"] == {"$ref": "#/components/schemas/Job"}


def test_every_enum_the_capabilities_list_is_in_the_document(
    check: DocumentCheck, sp: StageProClient
):
    offered = sp.ok(sp.capabilities())
    schemas = check.document["components"]["schemas"]

    def enum(model: str, name: str) -> list[str]:
        prop = schemas[model]["properties"][name]
        options = prop.get("anyOf", [prop])
        return next(o["enum"] for o in options if "enum" in o)

    assert enum("CreateJob", "type") == offered["job_types"]
    assert enum("JobInput", "style") == offered["styles"]
    assert enum("JobInput", "room_type") == offered["room_types"]
    assert enum("JobInput", "listing_tool") == [t["slug"] for t in offered["listing_tools"]]
    assert enum("Options", "aspect_ratio") == offered["options"]["aspect_ratio"]
    templates = [t["template"] for t in offered["workflow_templates"]]
    assert enum("CreateWorkflow", "template") == templates
    assert enum("Render", "job_type") == ["interior-design", "virtual-stage", "edit"]


def test_a_flow_through_every_operation_answers_as_documented(
    checked: StageProClient,
    check: DocumentCheck,
    emulator: EmulatorControl,
    receiver: ChallengeReceiver,
):
    sp = checked
    sp.ok(sp.capabilities())
    upload = sp.ok(sp.upload(make_image("PNG", (800, 600)), "room.png", "image/png"), 201)
    hook = sp.ok(sp.create_webhook({"url": receiver.url_for("hooks"), "description": "d"}), 201)
    sp.ok(sp.verify_webhook(hook["id"]), 202)
    emulator.advance(0)
    assert sp.webhook(hook["id"])["status"] == "active"

    body = job_body("virtual-stage", image_url=None, upload_id=upload["upload_id"])
    body |= {"idempotency_key": "flow-1", "webhook_endpoint_id": hook["id"]}
    job = sp.ok(sp.create_job(body), 202)
    assert sp.ok(sp.create_job(body))["id"] == job["id"]  # the replay: 200
    sp.job(job["id"])  # queued
    sp.ok(sp.create_job(job_body("listing-tool", options={"aspect_ratio": "16:9"})), 202)
    batch = sp.ok(
        sp.create_batch(
            {
                "type": "edit",
                "input": {"prompt": "Warmer light"},
                "listing_id": "MLS-1",
                "photos": [{"image_url": photo_url(), "label": "a"}, {"image_url": photo_url()}],
            }
        ),
        202,
    )
    workflow = sp.ok(
        sp.create_workflow({"template": "mls-sky-enhance", "photos": [{"image_url": photo_url()}]}),
        202,
    )
    session = sp.ok(sp.create_session({"upload_id": upload["upload_id"], "auto_render": True}), 201)
    sp.ok(sp.message(session["id"], "What would you change?"))
    sp.batch(batch["batch_id"])
    sp.workflow(workflow["id"])
    emulator.advance(JOB_SECONDS)

    sp.ok(sp.message(session["id"], "Make it japandi, in sage green"))  # an auto-render
    sp.ok(sp.render(session["id"], {"job_type": "edit", "options": {"creativity": 5}}), 202)
    done = sp.job(job["id"])
    assert done["status"] == "completed" and done["output"]["images"]
    sp.ok(sp.regenerate(job["id"], {"metadata": {"take": 2}}), 202)
    assert sp.batch(batch["batch_id"])["status"] == "completed"
    assert sp.workflow(workflow["id"])["status"] == "completed"
    page = sp.ok(sp.jobs(limit=2))
    sp.ok(sp.jobs(cursor=page["next_cursor"]))
    sp.ok(sp.jobs(listing_id="MLS-1"))
    sp.usage()
    key = sp.ok(sp.create_key({"name": "ci", "mode": "test"}), 201)
    sp.ok(sp.keys())
    sp.ok(sp.request("DELETE", f"/keys/{key['id']}"))
    sp.ok(sp.delete_webhook(hook["id"]))

    # the signed events carry documented job and batch objects too
    events = receiver.events("/hooks")
    assert events and all(check.fits("Job", e.json["data"]["job"]) for e in events)

    missing = {(op, s) for op, statuses in SUCCESS.items() for s in statuses} - check.seen
    assert not missing, f"the flow did not reach {sorted(missing)}"
    assert check.tolerated == []


def test_errors_of_a_real_flow_answer_as_documented(
    checked: StageProClient, check: DocumentCheck, sp_key
):
    sp = checked
    sp.create_job({"type": "edit", "input": {"image_url": "ftp://x"}})  # 400 with details
    sp.request("GET", "/jobs/job_nope")  # 404
    sp.with_key(sp_key("no-credits")).create_job(job_body())  # 402
    sp.with_key("sk_live_rate-limited-x").request("GET", "/usage")  # 429
    sp.with_key("nope").request("GET", "/usage")  # 401
    session = sp.session_ok()
    sp.render(session["id"])  # 409 not_ready_to_render
    statuses = {status for _, status in check.seen}
    assert {"400", "401", "402", "404", "409", "429"} <= statuses, statuses


def test_the_agent_stream_is_documented(check: DocumentCheck):
    op = check.operation("POST", "/api/v1/agent/sessions/ses_x/messages")
    assert op is not None
    content = op.spec["responses"]["200"]["content"]
    assert set(content) == {"application/json", "text/event-stream"}
    assert content["text/event-stream"]["schema"] == a.AGENT_EVENTS


def test_the_docs_page_serves_the_document(emulator: EmulatorControl, check: DocumentCheck):
    page = httpx.get(f"{emulator.url}/_emulator/docs/{SLUG}", timeout=30)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert f'"/{SLUG}/openapi.json"' in page.text
    assert check.document["info"]["title"].startswith("StagePro")
