"""Render alert and digest content for every channel: plain text, HTML, Telegram HTML and the JSON payload.

Alert payload schema (the `Alert.payload` a match writes; every key but `url` may be missing):

    watch_name   str        name of the watch that fired
    watch_id     int        its id
    story_id     int        the story (all copies of one piece of news)
    article_id   int        the copy that matched
    title        str        article title (scraped: untrusted)
    url          str        article URL (required)
    source       str        portal name or host
    published    str        ISO 8601 in UTC ("2026-11-25T09:05:00Z"); missing or null when unknown
    snippet      str        text around the match; matched words either wrapped in [[ and ]] ...
    highlights   [[s, e]]   ... or given as (start, end) character spans into a snippet without markers
    also_on      [{source, url, title}]   other portals carrying the story
    language     str        "ru", "kk", ...

Scraped text is untrusted: the HTML parts escape it, and links are only made for http(s) URLs.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tasks.channels.base import Message

logger = logging.getLogger(__name__)

OPEN, CLOSE = "[[", "]]"
SNIPPET_LIMIT = 600
TITLE_LIMIT = 300
CHAT_LIMIT = 3900  # Telegram takes 4096 characters; leave room for the closing line
_SPACE = re.compile(r"\s+")

Segments = tuple[tuple[str, bool], ...]


@dataclass(frozen=True, slots=True)
class AlertItem:
    """One alert payload, read and cleaned."""

    watch_name: str
    watch_id: int | None
    story_id: int | None
    article_id: int | None
    title: str
    url: str
    source: str
    published: datetime | None
    segments: Segments  # the snippet as (text, highlighted) runs
    also_on: tuple[tuple[str, str, str], ...]  # (source, url, title)
    language: str | None

    @property
    def story_key(self) -> str:
        return f"story:{self.story_id}" if self.story_id is not None else f"url:{self.url}"


Groups = list[tuple[str, list[tuple[AlertItem, list[str]]]]]


def zone(owner_tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(owner_tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {owner_tz!r}; use a tz database name such as Asia/Almaty"
        ) from None


def local_time(published: datetime | None, tz: ZoneInfo) -> str:
    """ "25.11.2026 14:05 (Asia/Almaty)", or a plain statement that the time is unknown."""
    if published is None:
        return "publication time unknown"
    return f"{published.astimezone(tz):%d.%m.%Y %H:%M} ({tz.key})"


def _clean(value: Any, limit: int | None = None) -> str:
    text = _SPACE.sub(" ", str(value or "")).strip()
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _published(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and value.strip():
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            logger.warning("Alert payload has an unreadable published time %r", value)
            return None
    else:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _marker_runs(snippet: str) -> list[tuple[str, bool]]:
    runs: list[tuple[str, bool]] = []
    position = 0
    while (start := snippet.find(OPEN, position)) != -1:
        end = snippet.find(CLOSE, start + len(OPEN))
        if end == -1:
            break
        runs += [(snippet[position:start], False), (snippet[start + len(OPEN) : end], True)]
        position = end + len(CLOSE)
    return [*runs, (snippet[position:], False)]


def _span_runs(snippet: str, highlights: Any) -> list[tuple[str, bool]]:
    spans = []
    for span in highlights if isinstance(highlights, list | tuple) else []:
        if isinstance(span, list | tuple) and len(span) == 2 and all(isinstance(v, int) for v in span):
            start, end = max(0, span[0]), min(len(snippet), span[1])
            if start < end:
                spans.append((start, end))
    runs: list[tuple[str, bool]] = []
    position = 0
    for start, end in sorted(spans):
        start = max(start, position)  # overlapping spans merge into one run
        if start < end:
            runs += [(snippet[position:start], False), (snippet[start:end], True)]
            position = end
    return [*runs, (snippet[position:], False)]


def snippet_segments(snippet: str, highlights: Any = None, limit: int = SNIPPET_LIMIT) -> Segments:
    """Split a snippet into (text, highlighted) runs, whitespace collapsed, clipped to `limit` characters."""
    runs = _marker_runs(snippet) if OPEN in snippet else _span_runs(snippet, highlights)
    out: list[tuple[str, bool]] = []
    length = 0
    for text, marked in runs:
        text = _SPACE.sub(" ", text)
        if length == 0:
            text = text.lstrip()
        if not text:
            continue
        if length + len(text) > limit:
            out.append((text[: max(0, limit - length)].rstrip() + "…", marked))
            break
        out.append((text, marked))
        length += len(text)
    if out and not out[-1][1]:
        out[-1] = (out[-1][0].rstrip(), False)
    return tuple(run for run in out if run[0])


def _also_on(entries: Any, url: str) -> list[tuple[str, str, str]]:
    """Other portals' copies with http(s) links, the alerted copy itself left out."""
    out = []
    for entry in entries if isinstance(entries, list | tuple) else []:
        link = _clean(entry.get("url")) if isinstance(entry, Mapping) else ""
        if link and link != url and link.lower().startswith(("http://", "https://")):
            out.append((_clean(entry.get("source")) or link, link, _clean(entry.get("title"), TITLE_LIMIT)))
    return out


def read_payload(payload: Mapping[str, Any]) -> AlertItem:
    """Check and clean an alert payload; a clear error when it cannot make an alert."""
    if not isinstance(payload, Mapping):
        raise ValueError(f"alert payload must be a mapping, not {type(payload).__name__}")
    url = _clean(payload.get("url"))
    if not url:
        raise ValueError("alert payload has no 'url'")
    also_on = tuple(_also_on(payload.get("also_on"), url))
    return AlertItem(
        watch_name=_clean(payload.get("watch_name")) or "watch",
        watch_id=_int(payload.get("watch_id")),
        story_id=_int(payload.get("story_id")),
        article_id=_int(payload.get("article_id")),
        title=_clean(payload.get("title"), TITLE_LIMIT) or "(no title)",
        url=url,
        source=_clean(payload.get("source")) or "unknown source",
        published=_published(payload.get("published")),
        segments=snippet_segments(str(payload.get("snippet") or ""), payload.get("highlights")),
        also_on=also_on,
        language=_clean(payload.get("language")) or None,
    )


def item_data(item: AlertItem, tz: ZoneInfo) -> dict[str, Any]:
    """The JSON form of one alert: the payload schema, with the snippet plain and highlights as spans."""
    snippet, spans, position = "", [], 0
    for text, marked in item.segments:
        if marked:
            spans.append([position, position + len(text)])
        snippet += text
        position += len(text)
    return {
        "watch_id": item.watch_id,
        "watch_name": item.watch_name,
        "story_id": item.story_id,
        "article_id": item.article_id,
        "title": item.title,
        "url": item.url,
        "source": item.source,
        "published": item.published.astimezone(UTC).isoformat() if item.published else None,
        "published_local": local_time(item.published, tz),
        "language": item.language,
        "snippet": snippet,
        "highlights": spans,
        "also_on": [{"source": s, "url": u, "title": t} for s, u, t in item.also_on],
    }


# --- the three text forms of one item ------------------------------------------------------------------


def safe_href(url: str) -> str | None:
    """An escaped href for http(s) URLs only: a javascript: link in scraped data must not become a link."""
    return html.escape(url, quote=True) if url.lower().startswith(("http://", "https://")) else None


def html_link(url: str, label: str) -> str:
    href = safe_href(url)
    return f'<a href="{href}">{html.escape(label)}</a>' if href else html.escape(label)


def segments_text(segments: Segments) -> str:
    return "".join(f"*{text}*" if marked else text for text, marked in segments)


def segments_html(segments: Segments, tag: str) -> str:
    return "".join(
        f"<{tag}>{html.escape(text)}</{tag}>" if marked else html.escape(text) for text, marked in segments
    )


def item_text(item: AlertItem, tz: ZoneInfo) -> str:
    lines = [item.title, f"{item.source} · {local_time(item.published, tz)}", item.url]
    if item.segments:
        lines += ["", segments_text(item.segments)]
    if item.also_on:
        lines += ["", "Also on:"] + [
            f"  - {s}: {t or u} {u if t else ''}".rstrip() for s, u, t in item.also_on
        ]
    return "\n".join(lines)


def item_html(item: AlertItem, tz: ZoneInfo) -> str:
    parts = [
        f'<h3 style="margin:0 0 4px">{html_link(item.url, item.title)}</h3>',
        f'<p style="color:#555;margin:0 0 8px">{html.escape(item.source)} · '
        f"{html.escape(local_time(item.published, tz))}</p>",
    ]
    if item.segments:
        parts.append(f'<p style="margin:0 0 8px">{segments_html(item.segments, "mark")}</p>')
    if item.also_on:
        links = ", ".join(html_link(u, s) for s, u, _ in item.also_on)
        parts.append(f'<p style="margin:0 0 8px">Also on: {links}</p>')
    return "\n".join(parts)


def item_chat(item: AlertItem, tz: ZoneInfo) -> str:
    lines = [
        f"<b>{html_link(item.url, item.title)}</b>",
        html.escape(f"{item.source} · {local_time(item.published, tz)}"),
    ]
    if item.segments:
        lines.append(segments_html(item.segments, "b"))
    if item.also_on:
        lines.append("Also on: " + ", ".join(html_link(u, s) for s, u, _ in item.also_on))
    return "\n".join(lines)


def page(body: str, title: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>\n'
        f'<body style="font-family:Arial,sans-serif;font-size:14px;line-height:1.4">\n{body}\n'
        '<p style="color:#888;font-size:12px">Sent by newsmon.</p>\n</body></html>\n'
    )


# --- alerts and digests ---------------------------------------------------------------------------------


def render_alert(payload: Mapping[str, Any], *, owner_tz: str) -> Message:
    """One alert for one matched story, with times in the owner's time zone."""
    tz = zone(owner_tz)
    item = read_payload(payload)
    subject = _clean(f"[newsmon] {item.watch_name}: {item.title}", 200)
    watch_line = f"Watch: {item.watch_name}"
    html_body = f'{item_html(item, tz)}\n<p style="color:#555">{html.escape(watch_line)}</p>'
    chat = f"{item_chat(item, tz)}\n<i>{html.escape(watch_line)}</i>"
    return Message(
        subject=subject,
        text=f"{item_text(item, tz)}\n\n{watch_line}\n",
        html=page(html_body, subject),
        data={"kind": "alert", **item_data(item, tz)},
        chat_html=chat if len(chat) <= CHAT_LIMIT else None,
    )


def group_by_watch(items: Sequence[AlertItem]) -> Groups:
    """Items grouped by watch (in order of first appearance), each story once: the first watch that matched it
    keeps it and the names of the other watches that matched it travel along."""
    groups: dict[str, list[tuple[AlertItem, list[str]]]] = {}
    seen: dict[str, tuple[AlertItem, list[str]]] = {}
    for item in items:
        if item.story_key in seen:
            first, others = seen[item.story_key]
            if item.watch_name != first.watch_name and item.watch_name not in others:
                others.append(item.watch_name)
            continue
        entry = (item, [])
        seen[item.story_key] = entry
        groups.setdefault(item.watch_name, []).append(entry)
    oldest = datetime.min.replace(tzinfo=UTC)
    return [
        (watch, sorted(entries, key=lambda e: e[0].published or oldest, reverse=True))
        for watch, entries in groups.items()
    ]


def _read_items(items: Sequence[Mapping[str, Any]]) -> list[AlertItem]:
    read = []
    for index, payload in enumerate(items):
        try:
            read.append(read_payload(payload))
        except ValueError as exc:
            logger.warning("Digest item %d left out: %s", index, exc)
    return read


def _also_matched(others: list[str]) -> str:
    return f"Also matched: {', '.join(others)}" if others else ""


def digest_text(groups: Groups, tz: ZoneInfo, heading: str) -> str:
    lines = [heading, ""]
    for watch, entries in groups:
        lines += [f"== {watch} ({len(entries)}) ==", ""]
        for item, others in entries:
            also = _also_matched(others)
            lines += [item_text(item, tz), *([also] if also else []), ""]
    if not groups:
        lines.append("No new stories in this period.")
    return "\n".join(lines)


def digest_html(groups: Groups, tz: ZoneInfo, heading: str) -> str:
    body = [f"<h2>{html.escape(heading)}</h2>"]
    for watch, entries in groups:
        body.append(f'<h2 style="border-bottom:1px solid #ddd">{html.escape(watch)} ({len(entries)})</h2>')
        for item, others in entries:
            also = _also_matched(others)
            body.append(item_html(item, tz) + (f"<p><i>{html.escape(also)}</i></p>" if also else ""))
    if not groups:
        body.append("<p>No new stories in this period.</p>")
    return page("\n".join(body), heading)


def digest_chat(groups: Groups, tz: ZoneInfo, heading: str) -> str:
    """One line per story; lines past Telegram's limit are counted instead of cut halfway through a tag."""
    lines, size, left_out = [f"<b>{html.escape(heading)}</b>"], len(heading) + 8, 0
    for watch, entries in groups:
        lines.append(f"\n<b>{html.escape(watch)}</b>")
        for item, _ in entries:
            when = local_time(item.published, tz)
            line = f"• {html_link(item.url, item.title)} — {html.escape(item.source)}, {html.escape(when)}"
            if size + len(line) + len(watch) + 10 > CHAT_LIMIT:
                left_out += 1
                continue
            lines.append(line)
            size += len(line) + len(watch) + 10
    if left_out:
        lines.append(f"… and {left_out} more (see the email or web digest)")
    return "\n".join(lines)


def render_digest(owner: str, period: str, items: list[dict], *, owner_tz: str) -> Message:
    """One message for one owner and period: stories grouped by watch, each story once."""
    tz = zone(owner_tz)
    groups = group_by_watch(_read_items(items))
    count = sum(len(entries) for _, entries in groups)
    subject = _clean(f"[newsmon] {period} digest: {count} {'story' if count == 1 else 'stories'}", 200)
    data = {
        "kind": "digest",
        "owner": owner,
        "period": period,
        "timezone": tz.key,
        "story_count": count,
        "watches": [
            {
                "watch_id": entries[0][0].watch_id,
                "watch_name": watch,
                "items": [{**item_data(item, tz), "also_matched": others} for item, others in entries],
            }
            for watch, entries in groups
        ],
    }
    return Message(
        subject=subject,
        text=digest_text(groups, tz, f"{subject} for {owner}"),
        html=digest_html(groups, tz, subject),
        data=data,
        chat_html=digest_chat(groups, tz, subject),
    )
