"""Who is asking: API tokens from `Authorization: Bearer ...` or the web pages' cookie, their role, their rate.

Checked tokens are remembered for a few seconds (CACHE_SECONDS) so a busy client does not cost a database
read per request; a revoked token stops working within that time. Each token has its own token bucket (in
this process, or in Redis when one is configured so every server shares it); an empty bucket answers 429
with Retry-After. The dependencies are async: when the answer is in memory (a remembered token and an
in-process bucket) they decide on the event loop, and only a database read or a Redis call goes to a worker
thread, so a request does not pay a thread hop for each dependency.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from newsmon.api.errors import ApiError, LoginRequired
from newsmon.api.parameters import refuse_unknown_parameters
from newsmon.storage import Repository
from newsmon.storage.tokens import ApiToken, hash_token
from tasks.channels.ratelimit import RateLimiter

COOKIE = "newsmon_token"
CACHE_SECONDS = 5.0
TOUCH_SECONDS = 300.0
CACHE_LIMIT = 10_000
RATE_PREFIX = "newsmon:api:ratelimit:"


class TokenChecker:
    """Looks tokens up by the hash of their secret, with a short cache; records last use now and then."""

    def __init__(self, repo: Repository, clock: Callable[[], float] = time.monotonic) -> None:
        self.repo = repo
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[ApiToken | None, float]] = {}
        self._touched: dict[int, float] = {}

    def check(self, secret: str) -> ApiToken | None:
        digest = hash_token(secret)
        now = self._clock()
        with self._lock:
            cached = self._cache.get(digest)
        if cached is not None and cached[1] > now:
            token = cached[0]
        else:
            token = self.repo.token_for_secret(secret)
            with self._lock:
                if len(self._cache) >= CACHE_LIMIT:
                    self._cache.clear()
                self._cache[digest] = (token, now + CACHE_SECONDS)
        if token is not None:
            self._touch(token.id, now)
        return token

    def remembered(self, secret: str) -> tuple[bool, ApiToken | None]:
        """`(True, check(secret))` when memory alone can answer, `(False, None)` when `check` must run.

        Memory cannot answer when the cached answer is older than CACHE_SECONDS or the token's last use is
        due to be recorded; this never touches the database, so the event loop may call it.
        """
        digest = hash_token(secret)
        now = self._clock()
        with self._lock:
            cached = self._cache.get(digest)
            if cached is None or cached[1] <= now:
                return False, None
            token = cached[0]
            if token is not None and self._touched.get(token.id, -math.inf) + TOUCH_SECONDS <= now:
                return False, None
        return True, token

    def _touch(self, token_id: int, now: float) -> None:
        with self._lock:
            if self._touched.get(token_id, -math.inf) + TOUCH_SECONDS > now:
                return
            self._touched[token_id] = now
        self.repo.touch_token(token_id, datetime.now(UTC))


class RequestLimiter:
    """A token bucket per API token: `api_rate_limit` requests a minute, bursts up to a minute's worth."""

    def __init__(self, per_minute: int, redis_url: str | None) -> None:
        self.per_minute = per_minute or None
        self._limiter = RateLimiter(redis_url, prefix=RATE_PREFIX)

    @property
    def blocking(self) -> bool:
        """Whether `check` may wait on the network (a Redis bucket), so it must not run on the event loop."""
        return self.per_minute is not None and self._limiter.redis_url is not None

    def check(self, token: ApiToken) -> None:
        wait = self._limiter.acquire(token.id, self.per_minute)
        if wait > 0:
            raise ApiError(
                429,
                f"rate limit of {self.per_minute} requests a minute reached for token {token.name!r}; "
                f"retry in {math.ceil(wait)} s",
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )

    def close(self) -> None:
        self._limiter.close()


def presented_secret(request: Request) -> str | None:
    """The bearer token, or the login cookie the web pages set."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(COOKIE) or None


def authenticate(request: Request, role: str, *, page: bool = False) -> ApiToken:
    """The token behind this request if it may act as `role`; 401/403/429 (or a login redirect) otherwise."""
    secret = presented_secret(request)
    token = request.app.state.tokens.check(secret) if secret else None
    return _admit(request, secret, token, role, page=page)


async def authenticate_async(request: Request, role: str, *, page: bool = False) -> ApiToken:
    """`authenticate` on the event loop when memory can answer, in a worker thread when it cannot."""
    state = request.app.state
    secret = presented_secret(request)
    if secret is None:
        return _admit(request, None, None, role, page=page)
    known, token = state.tokens.remembered(secret)
    if known and not state.limiter.blocking:
        return _admit(request, secret, token, role, page=page)
    return await run_in_threadpool(authenticate, request, role, page=page)


def _admit(
    request: Request, secret: str | None, token: ApiToken | None, role: str, *, page: bool
) -> ApiToken:
    if token is None:
        if page:
            stale = COOKIE if secret and secret == request.cookies.get(COOKIE) else None
            next_path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise LoginRequired(next_path, stale_cookie=stale)
        message = "an API token is needed: send Authorization: Bearer <token>"
        if secret:
            message = "this API token is not known or was revoked"
        raise ApiError(401, message, "authorization", headers={"WWW-Authenticate": "Bearer"})
    if not token.allows(role):
        raise ApiError(
            403, f"this needs the {role} role; token {token.name!r} has {token.role}", "authorization"
        )
    request.app.state.limiter.check(token)
    request.state.token = token
    return token


def require(role: str) -> Callable[[Request], Awaitable[ApiToken]]:
    """FastAPI dependency for API endpoints: the caller's token, which must have at least `role`.

    Every /api endpoint has it, so it also refuses query parameters the endpoint does not take: after the
    token, so a caller without one learns nothing about the endpoint's parameters.
    """

    async def dependency(request: Request) -> ApiToken:
        token = await authenticate_async(request, role)
        refuse_unknown_parameters(request)
        return token

    return dependency


def require_page(role: str) -> Callable[[Request], Awaitable[ApiToken]]:
    """Like `require`, for web pages: without a valid cookie the browser goes to the login form."""

    async def dependency(request: Request) -> ApiToken:
        check_same_origin(request)
        return await authenticate_async(request, role, page=True)

    return dependency


def check_same_origin(request: Request) -> None:
    """Refuse form posts from other sites (the cookie is SameSite=Strict too; this covers older browsers)."""
    if request.method in {"GET", "HEAD"}:
        return
    origin = request.headers.get("origin")
    if origin and origin.split("://", 1)[-1] != request.headers.get("host"):
        raise ApiError(403, "cross-site form posts are not accepted", "origin")
