"""Decor8 AI (api.decor8.ai): the sixteen endpoints the official SDKs call, answered synchronously."""

from .api import Decor8 as Vendor

__all__ = ["Vendor"]
