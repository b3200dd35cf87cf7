"""Schemathesis against every OpenAPI document the emulator serves, on a running emulator.

Each operation gets a bounded number of generated requests (valid ones, then invalid ones), so the
whole run stays fast; every answer must be no server error and match the document: a documented
status, content type and body schema. `STAGING_EMULATOR_FUZZ_EXAMPLES` raises the bound (e.g. 100
for a long run). The figures of the last run are written to `.staging-emulator/schemathesis.json`.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from emulator.testing import EmulatorServer
from emulator.vendors import vendor_classes

EXAMPLES = int(os.environ.get("STAGING_EMULATOR_FUZZ_EXAMPLES", "4"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Operations that would stop the run itself: wiping or replacing the state mid-run is fine, but a
# generated archive import is 400 at once and an export of a big state is slow; keep them.
SKIP: set[tuple[str, str, str]] = set()
FIGURES: dict[str, dict[str, Any]] = {}
SLUGS = [cls.slug for cls in vendor_classes()] + ["_emulator"]


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    # a real clock at speed 0: jobs finish at once, so `wait_for_completion` never waits
    # one key sends every generated request: StagePro's per-key rate limit (120/min) turned off
    options = {"stagepro": {"rate_limit_per_minute": 0}}
    with EmulatorServer(
        clock="real", speed=0, seed=None, journal_size=50, vendor_options=options
    ) as server:
        yield server
    _write_figures()


def _headers(slug: str) -> dict[str, str]:
    for cls in vendor_classes():
        if cls.slug == slug:
            key = "sk_test_schemathesis0000000000"
            value = f"{cls.auth_scheme} {key}".strip()
            return {cls.auth_header: value}
    return {}


@pytest.mark.parametrize("slug", SLUGS)
def test_every_operation_answers_as_documented(emulator: EmulatorServer, slug: str) -> None:
    url = f"{emulator.url}/{slug}/openapi.json"
    document = httpx.get(url, timeout=30, trust_env=False).json()
    schema = schemathesis.openapi.from_dict(document)
    base_url = document["servers"][0]["url"]
    headers = _headers(slug)
    failures: list[str] = []
    examples = [0]
    started = time.monotonic()
    operations = [result.ok() for result in schema.get_all_operations()]

    def checker(label: str):
        def check(case: Any) -> None:
            examples[0] += 1
            try:
                case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)
            except Exception as exc:  # a failed check: keep the first of each operation
                failures.append(f"{label}: {str(exc).strip()[:1500]}")
                raise

        return check

    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            run = settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )(given(operation.as_strategy(generation_mode=mode))(checker(label)))
            try:
                run()
            except Unsatisfiable:
                continue  # nothing to make invalid (no parameters, or any string is valid)
            except Exception as exc:
                if not failures or not failures[-1].startswith(label):
                    failures.append(f"{label}: {type(exc).__name__}: {str(exc)[:1500]}")
                break  # this operation failed: reported below, go on with the next one
    FIGURES[slug] = {
        "operations": len(operations),
        "examples": examples[0],
        "failures": len(failures),
        "seconds": round(time.monotonic() - started, 1),
    }
    assert not failures, "\n\n".join(failures)


def _write_figures() -> None:
    if not FIGURES:
        return
    total = {
        key: sum(f[key] for f in FIGURES.values()) for key in ("operations", "examples", "failures")
    }
    path = Path(".staging-emulator/schemathesis.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"per_document": FIGURES, "total": total}, indent=2))
