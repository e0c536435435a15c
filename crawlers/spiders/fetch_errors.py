"""Names for the ways a request fails, used as stats keys (`newsmon/fetch/<kind>`) and in logs."""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as twisted_errors
from twisted.python.failure import Failure

_KINDS: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((DownloadTimeoutError, twisted_errors.TimeoutError, TimeoutError), "timeout"),
    ((CannotResolveHostError, twisted_errors.DNSLookupError), "dns_error"),
    ((DownloadConnectionRefusedError, twisted_errors.ConnectionRefusedError), "connection_refused"),
    ((DownloadCancelledError,), "too_large"),
    ((ResponseDataLossError, twisted_errors.ConnectionLost), "connection_lost"),
)


def failure_kind(failure: Failure) -> str:
    """`http_404`, `timeout`, `dns_error`, `connection_refused`, `too_large`, `redirect_loop`, ..."""
    exc = failure.value
    if isinstance(exc, HttpError):
        return f"http_{exc.response.status}"
    if isinstance(exc, IgnoreRequest):
        text = str(exc).lower()
        if "redirect" in text:
            return "redirect_loop"
        if "robots" in text:
            return "robots_forbidden"
        return "ignored"
    for types, kind in _KINDS:
        if isinstance(exc, types):
            return kind
    return type(exc).__name__.lower()
