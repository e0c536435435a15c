"""Watches' language codes as articles carry them: lowercase, aliases read (kz as kk), each once

A watch matches an article only when the article's code is in the watch's `languages`. The API and the
watch form now save codes as search reads `lang`, but watches saved earlier may hold `RU`, ` ru` or `kz`,
which no article carries: such a watch silently missed every article in that language. This rewrites each
stored list by the same rules (an entry holding commas, `ru,kk`, is read as the codes it lists).

Nothing is dropped silently. An entry that is no language code (`russian`) is left out of the list, and
one log line per watch names the watch and the entries left out. If no code of a watch could be read, its
list is kept as it was (and logged): an empty list means every language, and a watch must not start
alerting on every language because its codes were unreadable. It still matches no article until someone
edits its languages. A rewritten watch gets a new `updated_at`, so running workers rebuild their matcher.

The downgrade leaves the codes as they are: they are valid for the earlier code too.

Revision ID: 0010_watch_language_codes
Revises: 0009_source_removed_at
Create Date: 2026-11-28 09:00:00
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010_watch_language_codes"
down_revision = "0009_source_removed_at"
branch_labels = None
depends_on = None

# Alembic loads this file under a module name of its own; this name puts the lines under newsmon's log level.
logger = logging.getLogger(f"newsmon.storage.migrations.{revision}")

# The rules of newsmon.search.options.language_codes when this revision was written, kept here so that
# what the migration does stays the same whatever becomes of them.
ALIASES = {"kz": "kk", "qaz": "kk", "kaz": "kk", "rus": "ru"}
CODE = re.compile(r"[a-z]{2,3}")

WATCHES = sa.table(
    "watches",
    sa.column("id", sa.Integer()),
    sa.column("name", sa.String()),
    sa.column("languages", sa.JSON()),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


def read_codes(stored: list[Any]) -> tuple[list[str], list[Any]]:
    """The codes a stored list stands for, each once in its order, and the entries that are no code."""
    codes: list[str] = []
    unreadable: list[Any] = []
    for entry in stored:
        parts = [part for part in entry.split(",") if part.strip()] if isinstance(entry, str) else [entry]
        for part in parts or [entry]:
            code = part.strip().lower() if isinstance(part, str) else ""
            code = ALIASES.get(code, code)
            if not CODE.fullmatch(code):
                unreadable.append(part)
            elif code not in codes:
                codes.append(code)
    return codes, unreadable


def new_languages(watch_id: int, name: str, stored: Any) -> list[Any] | None:
    """What to store for one watch (None: leave it as it is), logging anything not carried over."""
    if stored is None or not isinstance(stored, list | str):
        if stored is not None:
            logger.warning(
                "watch %s (%r): languages %r is not a list of codes; left as it is", watch_id, name, stored
            )
        return None
    entries = [stored] if isinstance(stored, str) else stored
    codes, unreadable = read_codes(entries)
    if unreadable and not codes:
        logger.warning(
            "watch %s (%r): no language code in %r; kept as it was (an empty list would mean every language), "
            "so the watch matches no article until its languages are edited",
            watch_id,
            name,
            stored,
        )
        return None
    if unreadable:
        logger.warning(
            "watch %s (%r): dropped %s from its languages (not language codes): %r -> %r",
            watch_id,
            name,
            ", ".join(repr(entry) for entry in unreadable),
            stored,
            codes,
        )
    elif codes != stored:
        logger.info("watch %s (%r): languages %r -> %r", watch_id, name, stored, codes)
    return codes if codes != stored else None


def upgrade() -> None:
    bind = op.get_bind()
    now = datetime.now(UTC)
    if bind.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # stored as naive UTC there, as the repository stores it
    rows = bind.execute(sa.select(WATCHES.c.id, WATCHES.c.name, WATCHES.c.languages).order_by(WATCHES.c.id))
    changes = [(row.id, new_languages(row.id, row.name, row.languages)) for row in rows]
    for watch_id, languages in changes:
        if languages is not None:
            bind.execute(
                sa.update(WATCHES).where(WATCHES.c.id == watch_id).values(languages=languages, updated_at=now)
            )


def downgrade() -> None:
    pass
