"""Virtual Staging ART (www.virtualstaging.art): the `/api/...` and `/v1/...` developer API."""

from .api import VirtualStagingArt as Vendor

__all__ = ["Vendor"]
