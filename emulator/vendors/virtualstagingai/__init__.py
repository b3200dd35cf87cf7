"""Virtual Staging AI (api.virtualstagingai.app): the v2 API and the v1 API as the notes recover it."""

from .api import VirtualStagingAi as Vendor

__all__ = ["Vendor"]
