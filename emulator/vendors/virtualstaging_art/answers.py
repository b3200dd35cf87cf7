"""Answer bodies of Virtual Staging ART that its handlers build inline, for the OpenAPI document
(`@operation(response=...)`); the schemathesis suite checks every answer against them."""

from __future__ import annotations

from pydantic import BaseModel

from .models import RenderStatus


class Uploaded(BaseModel):
    url: str


class Status(BaseModel):
    status: RenderStatus


class FileUpload(BaseModel):
    """The multipart form of POST /api/image/upload: the image in `file`."""
