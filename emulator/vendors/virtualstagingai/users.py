"""Who an account is, as GET /v2/user and GET /v1/ping show it."""

from __future__ import annotations

from ...core.accounts import Account


def user_id(account: Account) -> str:
    return account.id.split(":")[1]


def user_email(account: Account) -> str:
    """[INFERRED] a stable placeholder address; the control API can set `data.email`."""
    return str(account.data.get("email", f"developer+{user_id(account)[:8]}@example.com"))
