"""`newsmon ingest`: import an archive of articles through the crawl's pipelines."""

from __future__ import annotations

import json
from pathlib import Path

import click

from newsmon.cli import context


def register(cli: click.Group) -> None:
    cli.add_command(ingest)


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", help="Source name for lines that do not carry one.")
@click.option(
    "--report", type=click.Path(dir_okay=False, path_type=Path), help="Write one JSON line per input line."
)
@click.option("--no-match", is_flag=True, help="Do not enqueue matching for imported articles.")
def ingest(file: Path, source: str | None, report: Path | None, no_match: bool) -> None:
    """Import FILE (.jsonl or .csv with url, title, text, published, source, language)."""
    from collections import Counter

    from rich.progress import Progress

    from pipelines.dedupe import Deduplicator
    from pipelines.ingest import Ingester, read_records
    from pipelines.resources import build_resources
    from pipelines.store import Storer

    context.repository(migrate=True)
    resources = build_resources(context.settings(), enqueue=not no_match)
    deduplicator = Deduplicator(resources.repo, resources.detector)
    ingester = Ingester(deduplicator, Storer(resources.repo, resources.index, resources.queue, deduplicator))
    counts: Counter[str] = Counter()
    stories: set[int] = set()
    out = report.open("w", encoding="utf-8") if report else None
    total = sum(1 for _ in file.open(encoding="utf-8", errors="replace"))
    try:
        with Progress(transient=True) as progress:
            bar = progress.add_task(f"ingesting {file.name}", total=total)
            for number, record in read_records(file):
                line = ingester.ingest_one(number, record, source)
                counts[line["result"]] += 1
                if line.get("story_id"):
                    stories.add(line["story_id"])
                if out:
                    out.write(json.dumps(line, ensure_ascii=False) + "\n")
                progress.advance(bar)
    finally:
        if out:
            out.close()
        resources.close()
    parts = ", ".join(
        f"{counts[k]} {k}" for k in ("new", "copy", "version", "unchanged", "rejected") if counts[k]
    )
    click.echo(f"{sum(counts.values())} lines: {parts or 'nothing'}; {len(stories)} stories")
    if report:
        click.echo(f"report: {report}")
