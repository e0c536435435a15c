"""`newsmon ingest`: import an archive of articles through the crawl's pipelines."""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import click

from newsmon.cli import context
from newsmon.cli.errors import UserError

PROGRESS_EVERY = 10_000  # lines between progress messages when stderr is not a terminal
SMALL_FILE_LINES = 1000  # below this, starting worker processes costs more than it saves
# New articles from which an import ends with the daily trend upkeep (`newsmon db keep-trends`): an
# archive loaded in one go has common words whose first trend would otherwise be counted when first asked.
KEEP_TRENDS_AFTER = 10_000
OUTCOMES = ("new", "copy", "version", "unchanged", "rejected")


def register(cli: click.Group) -> None:
    cli.add_command(ingest)


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", help="Source name for lines that do not carry one.")
@click.option(
    "--report", type=click.Path(dir_okay=False, path_type=Path), help="Write one JSON line per input line."
)
@click.option("--no-match", is_flag=True, help="Do not enqueue matching for imported articles.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Processes preparing lines (normalise, analyse, fingerprint) [default: one per core; 1 for small files].",
)
def ingest(file: Path, source: str | None, report: Path | None, no_match: bool, workers: int | None) -> None:
    """Import FILE (.jsonl or .csv with url, title, text, published, source, language).

    Each line is normalised, checked for duplicates and stored like a crawled article; a bad line is
    rejected with its reason (see --report) and the rest goes on.
    """
    from rich.progress import Progress

    from pipelines.dedupe import Deduplicator
    from pipelines.ingest import Ingester, final_stories, read_records
    from pipelines.resources import build_resources
    from pipelines.store import Storer

    context.repository(migrate=True)
    resources = build_resources(context.settings(), enqueue=not no_match)
    deduplicator = Deduplicator(resources.repo, resources.detector)
    lines: list[dict[str, Any]] = []
    with file.open("rb") as handle:
        total = sum(1 for _ in handle)
    if workers is None:
        workers = (os.cpu_count() or 1) if total > SMALL_FILE_LINES else 1
    storer = Storer(resources.repo, resources.index, resources.queue, deduplicator)
    ingester = Ingester(deduplicator, storer, workers=workers, resources=resources)
    try:
        with Progress(transient=True, disable=not sys.stderr.isatty()) as progress:
            bar = progress.add_task(f"ingesting {file.name}", total=total)
            for batch in ingester.ingest(read_records(file), source):
                lines.extend(batch)
                progress.update(bar, completed=batch[-1]["line"])
                if (
                    progress.disable
                    and len(lines) // PROGRESS_EVERY > (len(lines) - len(batch)) // PROGRESS_EVERY
                ):
                    click.echo(f"ingested {batch[-1]['line']}/{total} lines", err=True)
        final_stories(resources.repo, lines)  # stories merged during the run moved their articles
    except BrokenProcessPool as exc:
        stored = lines[-1]["line"] if lines else 0
        raise UserError(
            f"a process preparing lines died ({exc}); lines up to {stored} of {file} are stored and "
            "importing the file again skips them as unchanged (try --workers 1 to see the failing line)"
        ) from None
    finally:
        resources.close()
    if report:
        with report.open("w", encoding="utf-8") as out:
            for line in lines:
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
    counts = Counter(line["result"] for line in lines)
    stories = {line["story_id"] for line in lines if line.get("story_id")}
    parts = ", ".join(f"{counts[k]} {k}" for k in OUTCOMES if counts[k])
    click.echo(f"{len(lines)} lines: {parts or 'nothing'}; {len(stories)} stories")
    if report:
        click.echo(f"report: {report}")
    if counts["new"] >= KEEP_TRENDS_AFTER:
        _keep_common_trends()


def _keep_common_trends() -> None:
    """Keep the commonest words' trend counts now rather than at beat's next daily upkeep."""
    import time

    from newsmon.search.trends import keep_common_words

    started = time.monotonic()
    repo = context.repository()
    try:
        kept = keep_common_words(repo, context.settings().trends_keep_min_articles)
    finally:
        repo.dispose()
    if kept:
        took = time.monotonic() - started
        words = ", ".join(kept[:10]) + (", …" if len(kept) > 10 else "")
        click.echo(f"kept trend counts for {len(kept)} common words in {took:.1f} s: {words}")
