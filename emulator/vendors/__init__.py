"""One package per vendor. Each exposes `Vendor`, a `core.vendor.VendorApi` subclass; the app finds
them here, so a new vendor is a new folder."""

from __future__ import annotations

import importlib
import pkgutil

from ..core.vendor import VendorApi


def vendor_classes() -> list[type[VendorApi]]:
    found = []
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.ispkg:
            found.append(importlib.import_module(f"{__name__}.{module.name}").Vendor)
    return found
