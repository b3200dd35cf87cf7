"""A webhook receiver that answers StagePro's verification challenge [PROPOSED] notes 2.2: the
shared `support.WebhookReceiver` with an `answer` that echoes `{"challenge": ...}`."""

from __future__ import annotations

import json
from typing import Any

from ..support import EmulatorControl, ReceivedRequest, WebhookReceiver
from .client import StageProClient


class ChallengeReceiver(WebhookReceiver):
    """`echo=False` answers the challenge without echoing it (the endpoint stays unverified);
    `reply` answers every POST with these bytes instead; `pad` spaces follow an echo."""

    def __init__(
        self, echo: bool = True, reply: bytes | None = None, pad: int = 0, **kw: Any
    ) -> None:
        super().__init__(answer=self._answer, **kw)
        self.echo, self.reply, self.pad = echo, reply, pad

    def _answer(self, request: ReceivedRequest) -> bytes | None:
        if self.reply is not None:
            return self.reply
        body = request.json
        if self.echo and isinstance(body, dict) and body.get("type") == "webhook.verification":
            return json.dumps({"challenge": body.get("challenge")}).encode() + b" " * self.pad
        return None

    def events(self, path: str | None = None) -> list[ReceivedRequest]:
        """What arrived except the verification challenges."""
        return [
            r
            for r in self.received(path)
            if r.headers.get("X-StagePro-Event") != "webhook.verification"
        ]


def register_unechoed(
    sp: StageProClient, emulator: EmulatorControl, hook: ChallengeReceiver, name: str
) -> dict[str, Any]:
    """Register `hook`'s `name` path, which answers the challenge 200 but without the echo, and
    check the endpoint stays pending verification; returns the created endpoint."""
    created = sp.ok(sp.create_webhook({"url": hook.url_for(name)}), 201)
    emulator.advance(0)
    assert len(hook.received(name)) == 1
    endpoint = sp.webhook(created["id"])
    assert endpoint["status"] == "pending_verification"
    assert endpoint["last_challenge"] == endpoint["last_challenge"] | {
        "response_status": 200,
        "echoed": False,
    }
    return created
