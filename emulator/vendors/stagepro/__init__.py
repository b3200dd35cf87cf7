"""StagePro (www.stageproai.com): jobs, batches, workflows, uploads, signed webhooks and the AI
design agent over server-sent events, as docs.txt and notes.md 2.2 describe them."""

from .api import StagePro as Vendor

__all__ = ["Vendor"]
