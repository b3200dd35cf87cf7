"""The AI design agent [DOC]: a session per room photo (24 h TTL), multi-turn chat (free), replies
as JSON or, with `stream: true`, server-sent events; a render job once `readyToRender`.

[PROPOSED] shapes and SSE events (`message.delta`, `message.completed`, `done`) from notes 2.2.
[EMULATOR] replies are deterministic: they name the room (from the session, the message, or words
in the photo's URL), follow a style or colour the user names, and the session becomes ready to
render once the user has named a style or asked for the render.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.requests import Request
from starlette.responses import Response

from ...core.clock import iso8601
from ...core.errors import ApiError
from ...core.http import json_response, read_json_object
from ...core.jobs import Job
from ...core.openapi import operation
from ...core.store import Collection, Store
from . import answers as a
from . import capabilities as caps
from . import models as m
from .jobs import JobRequest

DEFAULT_STYLE = "modern"
EXPIRED = {410: "session_expired (24 h after it started)"}  # for the OpenAPI document

# words a user may say for each style (the slug's own words are always understood)
STYLE_WORDS: dict[str, tuple[str, ...]] = {
    "mid-century-modern": ("mid-century", "mid century", "midcentury"),
    "scandinavian": ("scandi", "nordic"),
    "bohemian": ("boho",),
    "minimalist": ("minimal",),
    "japandi": ("japanese",),
    "luxury": ("luxurious", "glam"),
}
STYLE_IDEAS: dict[str, str] = {
    "modern": "clean lines, a low-profile sofa and matte black accents",
    "contemporary": "a curved sofa, layered lighting and a bold rug",
    "scandinavian": "light oak, a linen sofa and plenty of white space",
    "minimalist": "a few essential pieces, hidden storage and a calm, uncluttered floor",
    "industrial": "a leather sofa, metal shelving and exposed-bulb pendants",
    "mid-century-modern": "tapered walnut legs, a tufted sofa and a sunburst mirror",
    "farmhouse": "a slipcovered sofa, reclaimed wood and woven baskets",
    "coastal": "whitewashed wood, a jute rug and airy linen curtains",
    "bohemian": "layered textiles, rattan pieces and lots of plants",
    "traditional": "a rolled-arm sofa, a wingback chair and classic drapery",
    "transitional": "a tailored sofa, soft neutrals and a mix of wood and metal",
    "luxury": "velvet upholstery, marble surfaces and brass details",
    "japandi": "low oak furniture, paper lanterns and muted earth tones",
    "rustic": "a chunky timber coffee table, wool throws and stone textures",
}
COLOURS = (
    "sage green",
    "navy blue",
    "terracotta",
    "charcoal",
    "emerald",
    "mustard",
    "blush pink",
    "beige",
    "cream",
    "white",
    "black",
    "grey",
    "gray",
    "blue",
    "green",
    "yellow",
    "red",
    "orange",
    "pink",
    "purple",
    "brown",
    "teal",
)
ROOM_WORDS: dict[str, tuple[str, ...]] = {
    "living-room": ("living room", "living", "lounge"),
    "bedroom": ("bedroom", "bed room"),
    "kitchen": ("kitchen",),
    "dining-room": ("dining",),
    "bathroom": ("bathroom", "bath"),
    "home-office": ("office", "study"),
    "kids-room": ("kids", "children", "playroom"),
    "nursery": ("nursery", "baby"),
    "family-room": ("family room",),
    "basement": ("basement",),
    "entryway": ("entryway", "entry", "hallway", "foyer"),
    "patio": ("patio", "terrace", "deck"),
}
RENDER_WORDS = (
    "render",
    "generate",
    "go ahead",
    "let's do it",
    "lets do it",
    "do it",
    "create it",
    "make it",
    "show me",
    "visualize",
    "visualise",
)


MAX_KEPT_MESSAGES = 100  # [EMULATOR] a session keeps its last 100 messages


class Message(BaseModel):
    role: Literal["user", "assistant"]
    content: str
    created_at: float


class Session(BaseModel):
    id: str
    account_id: str
    image_url: str  # what renders draw over: the photo's URL (an upload's served URL)
    upload_id: str | None = None
    livemode: bool = True
    auto_render: bool = False
    room_type: str | None = None
    style: str | None = None
    colour: str | None = None
    ready: bool = False
    webhook_endpoint_id: str | None = None
    messages: list[Message] = Field(default_factory=list)
    job_ids: list[str] = Field(default_factory=list)
    created_at: float
    expires_at: float

    def expired(self, now: float) -> bool:
        return now >= self.expires_at


@dataclass
class Reply:
    content: str
    ready: bool
    render: bool  # a render should be queued now (auto_render)


class Sessions:
    def __init__(self, store: Store) -> None:
        self._items = Collection(store, "stagepro.session", Session)

    def save(self, session: Session) -> Session:
        session.messages = session.messages[-MAX_KEPT_MESSAGES:]
        return self._items.save(session, session.account_id)

    def get(self, account_id: str, session_id: str, now: float) -> Session:
        """The session, 404 when unknown and 410 once its 24 h are over."""
        session = self._items.get(session_id)
        if session is None or session.account_id != account_id:
            raise ApiError(404, f"Agent session {session_id} not found", code="not_found")
        if session.expired(now):
            raise ApiError(
                410,
                f"Agent session {session_id} expired at {iso8601(session.expires_at)}; "
                "start a new session",
                code="session_expired",
            )
        return session


def view(session: Session) -> dict[str, Any]:
    return a.AgentSession(
        id=session.id,
        image_url=session.image_url,
        upload_id=session.upload_id,
        room_type=session.room_type,
        style=session.style,
        auto_render=session.auto_render,
        readyToRender=session.ready,
        job_ids=session.job_ids,
        livemode=session.livemode,
        created_at=iso8601(session.created_at),
        expires_at=iso8601(session.expires_at),
        messages=[a.ChatLine(role=m.role, content=m.content) for m in session.messages],
    ).model_dump()


def guess_room(*texts: str | None) -> str | None:
    joined = " ".join(t.lower() for t in texts if t)
    joined = re.sub(r"[-_/.]", " ", joined)
    for room, words in ROOM_WORDS.items():
        if any(re.search(rf"\b{re.escape(w)}\b", joined) for w in words):
            return room
    return None


def named_style(text: str) -> str | None:
    lower = text.lower()
    for style in caps.STYLES:
        words = (style, style.replace("-", " "), *STYLE_WORDS.get(style, ()))
        if any(re.search(rf"\b{re.escape(w)}\b", lower) for w in words):
            return style
    return None


def named_colour(text: str) -> str | None:
    lower = text.lower()
    return next((c for c in COLOURS if re.search(rf"\b{re.escape(c)}\b", lower)), None)


def asks_for_render(text: str) -> bool:
    lower = text.lower()
    return any(re.search(rf"\b{re.escape(w)}\b", lower) for w in RENDER_WORDS)


def answer(session: Session, text: str) -> Reply:
    """Update the session with what the user said and write the agent's reply."""
    room = guess_room(text) or session.room_type or guess_room(session.image_url) or "living-room"
    session.room_type = room
    style, colour = named_style(text), named_colour(text)
    changed = (style is not None and style != session.style) or (
        colour is not None and colour != session.colour
    )
    session.style = style or session.style
    session.colour = colour or session.colour
    wants_render = asks_for_render(text)
    was_ready = session.ready
    if style is not None or wants_render:
        session.ready = True
    room_words = room.replace("-", " ")
    accent = f" with {session.colour} accents" if session.colour else ""
    if session.ready:
        chosen = session.style or DEFAULT_STYLE
        content = (
            f"Here's the plan for this {room_words}: a {chosen.replace('-', ' ')} look{accent}: "
            f"{STYLE_IDEAS[chosen]}. I'd keep the walls light so the room stays bright, "
            "and anchor the seating with a rug sized to the space."
        )
        render = session.auto_render and (not was_ready or changed or wants_render)
        content += (
            " I've queued a render of this design."
            if render
            else " When you're ready, ask me to render it."
        )
        return Reply(content, True, render)
    if colour is not None:
        content = (
            f"A {colour} palette would work well in this {room_words}: I'd use it on textiles and "
            "one accent wall, and keep the larger pieces neutral. Which style should it follow, "
            "for example modern, scandinavian or japandi?"
        )
        return Reply(content, False, False)
    content = (
        f"Looking at this {room_words}, I'd improve three things: a clear focal point for the "
        "seating, warmer layered lighting, and a rug that ties the furniture together. Tell me a "
        "style you like (modern, scandinavian, japandi, coastal...) or a colour, and I'll "
        "prepare a design you can render."
    )
    return Reply(content, False, False)


def chunks(text: str, parts: int = 6) -> list[str]:
    """The reply cut at word boundaries into about `parts` deltas that join back to `text`."""
    words = re.findall(r"\S+\s*", text)
    size = max(1, -(-len(words) // parts))
    return ["".join(words[i : i + size]) for i in range(0, len(words), size)]


class AgentEndpoints:
    """The agent's three endpoints, mixed into the StagePro vendor."""

    @operation(
        body=m.CreateSession,
        response=a.AgentSession,
        status=201,
        errors=a.WITH_BODY,
    )
    async def create_agent_session(self, request: Request) -> Response:
        """Start a design conversation about one room photo (24 h)."""
        me = self.caller(request, "create_agent_session")
        body = m.parse(m.CreateSession, await read_json_object(request))
        if body.upload_id is not None:
            upload = self.uploads.usable(me.account.id, body.upload_id, "upload_id")
            media = self.engine.media.get(upload.media_id)
            assert media is not None
            image_url = self.engine.media.url(media)
        else:
            assert body.image_url is not None
            self.desk.source_of_url(body.image_url, "image_url")
            image_url = body.image_url
        self.refuse_unavailable(image_url)
        endpoint = self.webhooks.active(
            me.account.id, body.webhook_endpoint_id, "webhook_endpoint_id"
        )
        now = self.engine.now()
        session = Session(
            id=self.engine.ids.prefixed("ses_", 24),
            account_id=me.account.id,
            image_url=image_url,
            upload_id=body.upload_id,
            livemode=me.livemode,
            auto_render=body.auto_render,
            room_type=body.room_type or guess_room(image_url),
            style=body.style,
            webhook_endpoint_id=endpoint,
            created_at=now,
            expires_at=now + caps.SESSION_TTL,
        )
        self.sessions.save(session)
        return json_response(view(session), 201)

    @operation(
        body=m.SendMessage,
        response=a.AgentReply,
        alternatives={200: {"text/event-stream": a.AGENT_EVENTS}},
        errors=a.WITH_BODY | EXPIRED,
    )
    async def send_agent_message(self, request: Request) -> Response:
        """Chat with the agent (free): JSON, or server-sent events with `stream: true`."""
        me = self.caller(request, "send_agent_message")
        body = m.parse(m.SendMessage, await read_json_object(request))
        session_id = request.path_params["session_id"]
        session = self.sessions.get(me.account.id, session_id, self.engine.now())
        planned = None
        if answer(session.model_copy(deep=True), body.message).render:
            # the auto-render's picture is prepared before the transaction
            provisional = self._render_request(
                session, "interior-design", None, {}, None, "send_agent_message"
            )
            planned = await self.desk.plan(me.account, provisional)
        job: Job | None = None
        render_error: a.RenderRefused | None = None
        with self.engine.store.transaction():
            session = self.sessions.get(me.account.id, session_id, self.engine.now())
            reply = answer(session, body.message)
            now = self.engine.now()
            session.messages += [
                Message(role="user", content=body.message, created_at=now),
                Message(role="assistant", content=reply.content, created_at=now),
            ]
            if reply.render and planned is not None:
                planned.request = self._render_request(
                    session, "interior-design", None, {}, None, "send_agent_message"
                )
                try:
                    with self.engine.store.transaction():
                        job = self._start(me, planned)
                    session.job_ids.append(job.id)
                except ApiError as exc:  # the chat is free; the render alone is refused
                    render_error = a.RenderRefused(code=exc.code, message=exc.message)
            self.sessions.save(session)
        if job is not None:
            self.engine.wake()
        answered = a.AgentReply(
            session_id=session.id,
            message=a.AssistantLine(content=reply.content),
            readyToRender=session.ready,
            job_id=job.id if job else None,
            render_error=render_error,
        )
        result = answered.model_dump(exclude={"render_error"} if render_error is None else None)
        if not body.stream:
            return json_response(result)
        return EventSourceResponse(
            self._stream(reply.content, result),
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    async def _stream(self, content: str, completed: dict[str, Any]):
        """[PROPOSED] the reply in several `message.delta` events, then `message.completed` and
        `done`; each event is flushed as it is produced."""
        for piece in chunks(content):
            yield ServerSentEvent(data=json.dumps({"delta": piece}), event="message.delta")
            await asyncio.sleep(self.stream_delay)
        yield ServerSentEvent(data=json.dumps(completed), event="message.completed")
        yield ServerSentEvent(data="{}", event="done")

    @operation(
        body=m.Render,
        body_required=False,  # an empty body renders with the defaults
        response=a.Job,
        status=202,
        errors=a.CHARGED | EXPIRED | {409: "not_ready_to_render"},
    )
    async def render_agent_session(self, request: Request) -> Response:
        """Render the agreed design as a job (the body may be empty)."""
        me = self.caller(request, "render_agent_session")
        body = m.parse(m.Render, await read_json_object(request, allow_empty=True))
        session_id = request.path_params["session_id"]
        session = self.sessions.get(me.account.id, session_id, self.engine.now())
        if not session.ready:
            raise ApiError(
                409,
                "The agent is not ready to render yet: name a style or ask for the render first",
                code="not_ready_to_render",
            )
        endpoint = self.webhooks.active(
            me.account.id, body.webhook_endpoint_id, "webhook_endpoint_id"
        ) or self._still_active(me.account.id, session.webhook_endpoint_id)
        options = body.options.model_dump() if body.options else None
        job_request = self._render_request(
            session, body.job_type, options, body.metadata or {}, endpoint
        )
        planned = await self.desk.plan(me.account, job_request)
        with self.engine.store.transaction():
            job = self._start(me, planned)
            fresh = self.sessions.get(me.account.id, session_id, self.engine.now())
            fresh.job_ids.append(job.id)
            self.sessions.save(fresh)
        self.engine.wake()
        return json_response(self.desk.view(job), 202)

    def _render_request(
        self,
        session: Session,
        job_type: str,
        options: dict[str, Any] | None,
        metadata: dict[str, Any],
        endpoint: str | None,
        operation: str = "render_agent_session",
    ) -> JobRequest:
        given: dict[str, Any] = {
            "image_url": session.image_url,
            "style": session.style or DEFAULT_STYLE,
            "room_type": session.room_type or "living-room",
        }
        if job_type == "edit":
            asked = [msg.content for msg in session.messages if msg.role == "user"]
            given["prompt"] = (asked[-1] if asked else "Redesign this room")[: m.MAX_PROMPT]
        if options:
            given["options"] = options
        return JobRequest(
            type=job_type,
            input=given,
            metadata=metadata | {"agent_session_id": session.id},
            webhook_endpoint_id=endpoint or session.webhook_endpoint_id,
            operation=operation,
        )
