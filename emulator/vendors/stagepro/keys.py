"""API keys [DOC]: `sk_live_...` and `sk_test_...`, made in the developer console (session auth).

[EMULATOR] any well-formed key with one of those prefixes is an account of its own on first use;
keys made with POST /keys belong to the account that made them. A key's id is derived from the key
itself, so the key a request carries is found without a scan. DELETE /keys/{id} revokes one (then
401, the docs' "invalid or revoked API key").
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

from pydantic import BaseModel

from ...core.accounts import Account
from ...core.clock import iso8601
from ...core.errors import ApiError
from ...core.ids import IdFactory
from ...core.store import Collection, Store
from . import answers as a

LIVE, TEST = "sk_live_", "sk_test_"
Mode = Literal["live", "test"]


def key_id(key: str) -> str:
    return "key_" + hashlib.sha256(key.encode()).hexdigest()[:24]


def mode_of(key: str) -> Mode:
    return "test" if key.startswith(TEST) else "live"


def prefix_of(key: str) -> str:
    return key[:12]


class ApiKey(BaseModel):
    id: str
    account_id: str
    name: str
    mode: Mode
    prefix: str
    created_at: float
    revoked_at: float | None = None


class Keys:
    def __init__(self, store: Store, ids: IdFactory) -> None:
        self._items = Collection(store, "stagepro.key", ApiKey)
        self.ids = ids

    def find(self, key: str) -> ApiKey | None:
        return self._items.get(key_id(key))

    def create(self, account: Account, name: str, mode: Mode, now: float) -> tuple[ApiKey, str]:
        secret = (TEST if mode == "test" else LIVE) + self.ids.hex(32)
        key = ApiKey(
            id=key_id(secret),
            account_id=account.id,
            name=name,
            mode=mode,
            prefix=prefix_of(secret),
            created_at=now,
        )
        return self._items.save(key, account.id), secret

    def listed(self, account: Account) -> list[ApiKey]:
        """The account's own key (the one it was opened with) first, then those it made."""
        made = self._items.list(account.id)
        own = next((k for k in made if k.id == key_id(account.api_key)), None)
        if own is None:
            own = ApiKey(
                id=key_id(account.api_key),
                account_id=account.id,
                name="Default key",
                mode=mode_of(account.api_key),
                prefix=prefix_of(account.api_key),
                created_at=account.created_at,
            )
        return [own, *(k for k in made if k.id != own.id)]

    def revoke(self, account: Account, id: str, now: float) -> ApiKey:
        key = next((k for k in self.listed(account) if k.id == id), None)
        if key is None:
            raise ApiError(404, f"API key {id} not found", code="not_found")
        if key.revoked_at is None:
            key.revoked_at = now
            self._items.save(key, account.id)
        return key

    @staticmethod
    def view(key: ApiKey, secret: str | None = None) -> dict[str, Any]:
        fields = {
            "id": key.id,
            "name": key.name,
            "prefix": key.prefix,
            "mode": key.mode,
            "created_at": iso8601(key.created_at),
            "revoked_at": iso8601(key.revoked_at),
        }
        if secret is not None:  # shown once [PROPOSED]
            return a.CreatedApiKey(**fields, key=secret).model_dump()
        return a.ApiKey(**fields).model_dump()
