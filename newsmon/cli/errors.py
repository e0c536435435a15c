"""Turn expected failures into one line naming what was wrong and what to do, never a traceback."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import click

from newsmon.config import ConfigError


def without_password(url: str) -> str:
    """A URL fit for an error message: any password replaced by ***."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


class UserError(click.ClickException):
    """A problem the user can fix; printed as one line."""


def unknown_sources(names: list[str], known: Iterable[str], see: str) -> UserError:
    """The error for source names that are not defined, with the closest defined names for each."""
    import difflib

    choices = sorted(known)
    parts = []
    for name in names:
        close = difflib.get_close_matches(name, choices, n=3, cutoff=0.6)
        hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
        parts.append(f"{name!r}{hint}")
    label = "no source named" if len(names) == 1 else "unknown sources:"
    return UserError(f"{label} {', '.join(parts)}; see `{see}`")


def _describe(exc: BaseException) -> str | None:
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from newsmon.storage.engine import DatabaseURLError

    if isinstance(exc, ConfigError | DatabaseURLError):
        return str(exc)
    if isinstance(exc, OperationalError | ProgrammingError):
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        if "no such table" in first or type(exc.orig).__name__ == "UndefinedTable":
            return f"the database has no newsmon tables yet ({first}); create them with `newsmon db upgrade`"
        if isinstance(exc, ProgrammingError):
            return None
        return f"cannot use the database ({first}); check NEWSMON_DATABASE_URL and that the server is running"
    if type(exc).__module__.startswith(("kombu", "redis", "amqp")) and "Error" in type(exc).__name__:
        return f"cannot reach the broker ({exc}); check NEWSMON_BROKER_URL and that the server is running"
    return None


def run_guarded(command: Any) -> int:
    try:
        command.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except Exception as exc:
        message = _describe(exc)
        if message is None:
            raise
        click.echo(f"newsmon: {message}", err=True)
        return 2
    return 0
