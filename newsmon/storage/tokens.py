"""API tokens: who may use the HTTP API and with which role.

A token is 32 random bytes shown once when it is made; only its SHA-256 is stored. A slow password hash is not
needed: the secret has 256 bits of entropy, so no dictionary helps, and a fast hash keeps every request cheap.
Revoked tokens keep their row (so `tokens list` shows who had access) but never authenticate again; when
their name is given to a new token, the revoked row is renamed `NAME (revoked ID)`, as names are unique.
Names are letters, digits, '.', '_' and '-', so a name can always be written in a URL path and a shell.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from newsmon.storage.records import utcnow
from newsmon.storage.tables import Base

ROLES = ("reader", "editor", "admin")
TOKEN_PREFIX = "nm_"
TOKEN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
TOKEN_NAME_RULE = "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"


class TokenError(ValueError):
    """A token cannot be made or changed as asked; the message says why."""


class TokenNameError(TokenError):
    """The name is not one a token may have."""


class TokenNameTaken(TokenNameError):
    """An active token has this name already."""


def checked_token_name(name: str) -> str:
    """The name without surrounding spaces, if a token may have it.

    '/' and '%' could not be written in `DELETE /api/tokens/{name}`, and '.' or '..' would be read as
    path segments, so a token so named could be revoked only from the command line.
    """
    name = name.strip()
    if not TOKEN_NAME.fullmatch(name):
        shown = f" (got {name!r})" if len(name) <= 100 else ""
        raise TokenNameError(f"a token name has {TOKEN_NAME_RULE}{shown}")
    return name


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
        """Make a token; returns it with its secret, which is not stored and cannot be shown again.

        The name of a revoked token may be given again: the revoked row stays, renamed, for `tokens list`.
        """
        name = checked_token_name(name)
        if role not in ROLES:
            raise TokenError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        secret = new_secret()
        taken = TokenNameTaken(f"an active token named {name!r} exists; revoke it or choose another name")
        try:
            with self.session() as s:
                holder = s.scalar(select(ApiTokenRow).where(ApiTokenRow.name == name))
                if holder is not None and holder.revoked_at is None:
                    raise taken
                if holder is not None:
                    holder.name = f"{name} (revoked {holder.id})"
                    s.flush()  # before the insert: names are unique
                row = ApiTokenRow(name=name, role=role, token_hash=hash_token(secret), created_at=utcnow())
                s.add(row)
                s.flush()
                return _token(row), secret
        except IntegrityError:
            raise taken from None  # made at the same moment by another request

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
