"""Collov (api.collov.ai): virtual staging, room clearing, photo edits and virtual tour videos."""

from .api import Collov as Vendor

__all__ = ["Vendor"]
