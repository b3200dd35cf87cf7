"""Upload groups and webhook subscriptions of Virtual Staging ART accounts, kept in the store."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from ...core.store import Collection, Store
from .models import Subscription


class UploadGroup(BaseModel):
    """Repeated render requests of one image share a group: by `upload_id`, or else by the exact
    `image_url` string [DOC]."""

    id: str  # "<account>/<upload_id>": upload ids are chosen by clients, so scoped per account
    upload_id: str
    image_url: str


class StoredSubscription(Subscription):
    account_id: str


class ArtState:
    def __init__(self, store: Store) -> None:
        self._groups = Collection(store, "vsart.group", UploadGroup)
        self._subs = Collection(store, "vsart.subscription", StoredSubscription)

    def get(self, account_id: str, upload_id: str) -> UploadGroup | None:
        return self._groups.get(f"{account_id}/{upload_id}")

    def by_image_url(self, account_id: str, image_url: str) -> UploadGroup | None:
        matches = self._groups.list(account_id, ref=image_url, newest_first=True)
        return matches[0] if matches else None

    def find_or_new(
        self, account_id: str, upload_id: str | None, image_url: str, new_id: Callable[[], str]
    ) -> UploadGroup:
        """The group a request belongs to (not saved until `save`)."""
        if upload_id:
            found = self.get(account_id, upload_id)
            return found or UploadGroup(
                id=f"{account_id}/{upload_id}", upload_id=upload_id, image_url=image_url
            )
        found = self.by_image_url(account_id, image_url)
        if found is not None:
            return found
        fresh = new_id()
        return UploadGroup(id=f"{account_id}/{fresh}", upload_id=fresh, image_url=image_url)

    def save(self, account_id: str, group: UploadGroup) -> None:
        if self._groups.get(group.id) is None:
            self._groups.save(group, account_id, ref=group.image_url)

    def subscriptions(self, account_id: str) -> list[StoredSubscription]:
        return self._subs.list(account_id)

    def find_subscription(
        self, account_id: str, target_url: str, event_type: str
    ) -> StoredSubscription | None:
        for sub in self.subscriptions(account_id):
            if sub.target_url == target_url and sub.event_type == event_type:
                return sub
        return None

    def add_subscription(self, account_id: str, subscription: Subscription) -> None:
        stored = StoredSubscription(account_id=account_id, **subscription.model_dump())
        self._subs.save(stored, account_id)

    def delete_subscription(self, account_id: str, subscription_id: str) -> bool:
        sub = self._subs.get(subscription_id)
        return (
            sub is not None and sub.account_id == account_id and self._subs.delete(subscription_id)
        )
