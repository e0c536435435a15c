"""`newsmon stories`: which articles a story holds, so anyone can check the grouping."""

from __future__ import annotations

import click

from newsmon.cli import context
from newsmon.cli.errors import UserError


def register(cli: click.Group) -> None:
    cli.add_command(stories)


@click.command()
@click.argument("story_id", type=int, required=False)
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
def stories(story_id: int | None, limit: int) -> None:
    """Show one story's copies, or list the latest stories with their number of copies."""
    repo = context.repository()
    if story_id is None:
        for story in repo.latest_stories(limit):
            click.echo(f"story {story.id}: {len(story.article_ids)} copies  {story.title or ''}")
        return
    story = repo.get_story(story_id)
    if story is None:
        raise UserError(f"no story {story_id}")
    merged_into = repo.story_merged_into(story_id)
    if merged_into is not None:
        click.echo(f"story {story_id} was merged into story {merged_into}")
        story = repo.get_story(merged_into) or story
    click.echo(f"story {story.id}: {story.title or ''}")
    for article in repo.story_articles(story.id):
        published = article.published.isoformat() if article.published else "date unknown"
        click.echo(f"  article {article.id} [{article.source}] {article.language or '?'} {published}")
        click.echo(f"    {article.title}")
        click.echo(f"    {article.url}")
