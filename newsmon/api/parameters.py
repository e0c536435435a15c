"""Query parameters an /api endpoint does not declare are refused with a 400 naming them.

A typo (`?lmit=5`, `?colour=red`) would otherwise be ignored silently and the caller would get an answer to
a question they did not ask. The names each endpoint takes are read from its own signature (and those of its
dependencies), so a new endpoint or parameter needs nothing here.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant

from newsmon.api.errors import ApiError

API_PREFIX = "/api/"


def declared_parameters(dependant: Dependant) -> frozenset[str]:
    """The query parameter names (aliases, as sent) of an endpoint and of everything it depends on."""
    names = {param.alias for param in dependant.query_params}
    for dependency in dependant.dependencies:
        names |= declared_parameters(dependency)
    return frozenset(names)


def refuse_unknown_parameters(request: Request) -> None:
    """A 400 naming the first query parameter the matched /api endpoint does not take.

    Only the JSON API is strict: pages and /metrics keep answering links and scrapers that carry parameters of
    their own (tracking tags, cache busters).
    """
    if not request.url.path.startswith(API_PREFIX) or not request.query_params:
        return
    dependant = getattr(request.scope.get("route"), "dependant", None)
    if not isinstance(dependant, Dependant):
        return
    allowed = declared_parameters(dependant)
    for name in request.query_params:
        if name not in allowed:
            takes = f"takes {', '.join(sorted(allowed))}" if allowed else "takes no query parameters"
            raise ApiError(400, f"unknown parameter {name!r}; this endpoint {takes}", name)
