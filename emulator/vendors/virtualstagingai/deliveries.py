"""Webhook payloads and signing of Virtual Staging AI [D-WH].

One POST per variation reaching done or error (none for the parent render), analysis events, and
retries "up to 3 times if your endpoint fails to respond with a 200 status".

The signature scheme is not public [NOT FOUND]: once an account sets a webhook secret, deliveries
carry an HMAC-SHA256 of the exact raw body keyed with the secret, lowercase hex, in a header. Header
name, prefix and an optional timestamp are vendor options (README, "where the docs are silent").
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from ...core.clock import epoch_ms
from ...core.webhooks import RetryPolicy

# [D-WH] first try plus 3 retries, anything but a 200 is a failure; the delays are [INFERRED].
POLICY = RetryPolicy(max_attempts=4, first_delay=10.0, factor=2.0, only_200=True)

DEFAULT_SIGNING = {
    "signature_header": "X-Signature",  # [INFERRED] notes 1.14
    "signature_prefix": "",  # e.g. "sha256="
    "timestamp_header": None,  # e.g. "X-Timestamp": then "<ts>.<body>" is signed
}


def signature_headers(
    secret: str | None, body: bytes, now: float, options: dict[str, Any]
) -> dict[str, str]:
    """The headers that sign `body` with the account's secret; none without a secret."""
    if not secret:
        return {}
    settings = DEFAULT_SIGNING | {k: v for k, v in options.items() if k in DEFAULT_SIGNING}
    headers = {}
    message = body
    if settings["timestamp_header"]:
        stamp = str(epoch_ms(now))
        headers[str(settings["timestamp_header"])] = stamp
        message = stamp.encode() + b"." + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    headers[str(settings["signature_header"])] = f"{settings['signature_prefix']}{digest}"
    return headers


def variation_done(
    render_id: str, variation: dict[str, Any], result: Any, at: float
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "render_id": render_id,
        "variation_id": variation["id"],
        "variation_type": variation["type"],
    }
    if variation.get("base_variation_id"):
        payload["base_variation_id"] = variation["base_variation_id"]
    payload |= {"timestamp": epoch_ms(at), "event_type": "done", "result": result}
    return payload


def variation_error(
    render_id: str, variation: dict[str, Any], message: str, at: float
) -> dict[str, Any]:
    return {
        "render_id": render_id,
        "variation_id": variation["id"],
        "variation_type": variation["type"],
        "timestamp": epoch_ms(at),
        "event_type": "error",
        "error_message": message,
    }


def analysis_done(
    analysis_id: str, result_url: str, percentage: float, at: float
) -> dict[str, Any]:
    # [C-SB] event_type and result_url; id, timestamp and percentage_masked [INFERRED]
    return {
        "event_type": "analysis_completion",
        "id": analysis_id,
        "timestamp": epoch_ms(at),
        "result_url": result_url,
        "percentage_masked": percentage,
    }


def analysis_error(analysis_id: str, message: str, at: float) -> dict[str, Any]:
    return {
        "event_type": "analysis_error",
        "id": analysis_id,
        "timestamp": epoch_ms(at),
        "error_message": message,
    }
