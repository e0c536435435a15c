"""/api/tokens (admin role): the same as `newsmon tokens`, over HTTP."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from newsmon.api.auth import require
from newsmon.api.errors import ApiError
from newsmon.api.schemas import TokenIn
from newsmon.storage.tokens import ApiToken, TokenError, TokenNameError, TokenNameTaken

router = APIRouter(prefix="/api/tokens", tags=["tokens"])
Admin = Annotated[ApiToken, Depends(require("admin"))]


def token_json(token: ApiToken) -> dict[str, Any]:
    return {
        "name": token.name,
        "role": token.role,
        "active": token.active,
        "created_at": token.created_at.isoformat(),
        "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
    }


@router.get("", summary="Every token (never a secret)")
def list_tokens(request: Request, _token: Admin) -> dict[str, Any]:
    return {"tokens": [token_json(t) for t in request.app.state.repo.list_tokens()]}


@router.post("", status_code=201, summary="Make a token; the answer holds its secret, shown this once")
def create_token(request: Request, body: TokenIn, _token: Admin) -> dict[str, Any]:
    try:
        token, secret = request.app.state.repo.create_token(body.name, body.role)
    except TokenNameTaken as exc:
        raise ApiError(409, str(exc), "name") from None
    except TokenNameError as exc:
        raise ApiError(400, str(exc), "name") from None
    except TokenError as exc:
        raise ApiError(400, str(exc), "role") from None
    return {**token_json(token), "token": secret}


@router.delete("/{name:path}", status_code=204, summary="Revoke a token")
def revoke_token(request: Request, name: str, _token: Admin) -> Response:
    """A name from before names were checked may hold '/': send it as %2F."""
    if not request.app.state.repo.revoke_token(name):
        raise ApiError(404, f"no active token named {name!r}", "name")
    return Response(status_code=204)
