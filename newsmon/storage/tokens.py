"""API tokens: who may use the HTTP API and with which role.

A token is 32 random bytes shown once when it is made; only its SHA-256 is stored. A slow password hash is not
needed: the secret has 256 bits of entropy, so no dictionary helps, and a fast hash keeps every request cheap.
Revoked tokens keep their row (so `tokens list` shows who had access) but never authenticate again.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, select, update
from sqlalchemy.orm import Mapped, mapped_column

from newsmon.storage.records import utcnow
from newsmon.storage.tables import Base

ROLES = ("reader", "editor", "admin")
TOKEN_PREFIX = "nm_"


class TokenError(ValueError):
    """A token cannot be made or changed as asked; the message says why."""


@dataclass(frozen=True, slots=True)
class ApiToken:
    """A token as stored: never the secret itself."""

    id: int
    name: str
    role: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def allows(self, role: str) -> bool:
        """Roles are ordered: an admin may do what an editor may, an editor what a reader may."""
        return ROLES.index(self.role) >= ROLES.index(role)


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column()
    last_used_at: Mapped[datetime | None] = mapped_column(nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _token(row: ApiTokenRow) -> ApiToken:
    return ApiToken(row.id, row.name, row.role, row.created_at, row.last_used_at, row.revoked_at)


class TokenQueries:
    """Mixin of Repository: create, list, revoke and check API tokens."""

    session: Any

    def create_token(self, name: str, role: str) -> tuple[ApiToken, str]:
        """Make a token; returns it with its secret, which is not stored and cannot be shown again."""
        name = name.strip()
        if not name or len(name) > 200:
            raise TokenError("a token name must have 1 to 200 characters")
        if role not in ROLES:
            raise TokenError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        secret = new_secret()
        with self.session() as s:
            if s.scalar(select(ApiTokenRow.id).where(ApiTokenRow.name == name)) is not None:
                raise TokenError(f"a token named {name!r} exists; revoke it or choose another name")
            row = ApiTokenRow(name=name, role=role, token_hash=hash_token(secret), created_at=utcnow())
            s.add(row)
            s.flush()
            return _token(row), secret

    def list_tokens(self) -> list[ApiToken]:
        with self.session() as s:
            return [_token(r) for r in s.scalars(select(ApiTokenRow).order_by(ApiTokenRow.id))]

    def revoke_token(self, name: str) -> bool:
        """Revoke an active token by name; False when there is none."""
        with self.session() as s:
            result = s.execute(
                update(ApiTokenRow)
                .where(ApiTokenRow.name == name, ApiTokenRow.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            )
            return result.rowcount == 1

    def token_for_secret(self, secret: str) -> ApiToken | None:
        """The active token with this secret, or None."""
        if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
            return None
        digest = hash_token(secret)
        with self.session() as s:
            row = s.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == digest))
            if row is None or row.revoked_at is not None:
                return None
            if not hmac.compare_digest(row.token_hash, digest):
                return None
            return _token(row)

    def touch_token(self, token_id: int, when: datetime | None = None) -> None:
        """Record that a token was used (callers do this at most every few minutes, not per request)."""
        with self.session() as s:
            s.execute(
                update(ApiTokenRow).where(ApiTokenRow.id == token_id).values(last_used_at=when or utcnow())
            )
