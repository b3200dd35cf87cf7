"""A webhook receiver that answers StagePro's verification challenge [PROPOSED] notes 2.2: it
echoes `{"challenge": ...}` and records every POST like `support.WebhookReceiver` (whose replies
are fixed, so it cannot echo)."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx

from ..support import ReceivedRequest, WebhookReceiver, _read_request_body


class ChallengeReceiver(WebhookReceiver):
    """`echo=False` answers the challenge without echoing it (the endpoint stays unverified);
    `reply` answers every POST with these bytes instead."""

    def __init__(self, echo: bool = True, reply: bytes | None = None, **kw: Any) -> None:
        super().__init__(**kw)
        self.echo, self.reply = echo, reply

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        body = _read_request_body(handler)
        try:
            parsed: Any = json.loads(body) if body else None
        except ValueError:
            parsed = None
        prefix = f"/{self.token}"
        mine = handler.path == prefix or handler.path.startswith(prefix + "/")
        with self._cond:
            status = self._statuses.pop(0) if mine and self._statuses else self.default_status
            status = status if mine else 404
            self.requests.append(
                ReceivedRequest(
                    method=handler.command,
                    path=(handler.path[len(prefix) :] or "/") if mine else handler.path,
                    full_path=handler.path,
                    headers=httpx.Headers(list(handler.headers.items())),
                    body=body,
                    json=parsed,
                    answered=status,
                )
            )
            self._cond.notify_all()
        reply: dict[str, Any] = {"received": True}
        if self.echo and isinstance(parsed, dict) and parsed.get("type") == "webhook.verification":
            reply = {"challenge": parsed.get("challenge")}
        data = self.reply if self.reply is not None else json.dumps(reply).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def events(self, path: str | None = None) -> list[ReceivedRequest]:
        """What arrived except the verification challenges."""
        return [
            r
            for r in self.received(path)
            if r.headers.get("X-StagePro-Event") != "webhook.verification"
        ]
