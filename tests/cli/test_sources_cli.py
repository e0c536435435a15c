"""`newsmon sources list|show|add|test` against definition files and a loopback portal."""

from __future__ import annotations

import socket
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from newsmon.cli.main import cli
from newsmon.config import get_settings
from tests.conftest import FIXTURES
from tests.crawlers.portal_server import PortalServer
from tests.newsmon_env import newsmon_settings

Invoke = Callable[..., Result]  # the `newsmon` fixture of conftest.py


def _portal(name: str) -> Iterator[PortalServer]:
    server = PortalServer(FIXTURES / "portals" / name)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def akimat() -> Iterator[PortalServer]:
    yield from _portal("akimat")


@pytest.fixture(scope="module")
def bulletin() -> Iterator[PortalServer]:
    """Feeds: one good, one that answers HTML, one truncated; sitemaps: one good, one truncated."""
    yield from _portal("bulletin")


@pytest.fixture(scope="module")
def gazette() -> Iterator[PortalServer]:
    """Its only sitemap is a gzipped news sitemap (.xml.gz) named in robots.txt."""
    yield from _portal("gazette")


@pytest.fixture(scope="module")
def archive() -> Iterator[PortalServer]:
    """Its feed is the real pravda.com.ua feed of 2020: every item is older than any since-window."""
    yield from _portal("archive")


def _suggestion(out: str) -> tuple[list[str], dict[str, object]]:
    """The comment lines and the definition of the suggestion at the end of `sources test`."""
    text = out.split("suggested definition:\n", 1)[1]
    return [line for line in text.splitlines() if line.startswith("#")], yaml.safe_load(text)


def test_list_shows_shipped_sources_and_the_users_own(newsmon: Invoke, sources_dir: Path) -> None:
    (sources_dir / "local.yaml").write_text(
        "name: local-paper\nhome: https://local.example/\nlanguages: [kk]\n"
    )

    result = newsmon("sources", "list")

    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["name", "languages", "region", "discovery", "home"]
    names = {line.split()[0] for line in rows}
    assert {"zakon.kz", "tengrinews.kz", "local-paper"} <= names
    local = next(line for line in rows if line.startswith("local-paper "))
    assert local.split() == ["local-paper", "kk", "-", "discover", "https://local.example/"]
    assert local.index("https://") == header.index("home")  # the columns line up under the header


def test_a_typo_in_a_definition_is_named_and_the_other_sources_still_load(
    newsmon: Invoke, sources_dir: Path
) -> None:
    (sources_dir / "broken.yaml").write_text(
        "name: broken-paper\nhome: https://broken.example/\nlanguagez: [ru]\n"
    )
    (sources_dir / "fine.yaml").write_text("name: fine-paper\nhome: https://fine.example/\n")

    result = newsmon("sources", "list")

    assert result.exit_code == 0
    (error,) = [line for line in result.stderr.splitlines() if "broken.yaml" in line]  # once, not twice
    assert "source broken-paper" in error and "field languagez" in error
    assert "Traceback" not in result.stderr
    assert "fine-paper" in result.stdout and "broken-paper" not in result.stdout


def test_show_prints_the_definition_as_yaml(newsmon: Invoke, sources_dir: Path) -> None:
    (sources_dir / "local.yaml").write_text(
        "name: local-paper\nhome: https://local.example/\nlanguages: [ru, kk]\nmax_pages: 5\n"
    )

    result = newsmon("sources", "show", "local-paper")

    assert result.exit_code == 0, result.output
    definition = yaml.safe_load(result.stdout)
    assert definition["name"] == "local-paper" and definition["home"] == "https://local.example/"
    assert definition["languages"] == ["ru", "kk"] and definition["max_pages"] == 5


def test_show_of_an_unknown_source_is_one_line(newsmon: Invoke) -> None:
    result = newsmon("sources", "show", "no-such-paper")

    assert result.exit_code == 1
    assert "no source named 'no-such-paper'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_misspelt_source_name_gets_the_names_it_may_mean(newsmon: Invoke) -> None:
    shown = newsmon("sources", "show", "inform.k")
    made_due = newsmon("schedule", "now", "ztgzt.k")

    assert "no source named 'inform.k' (did you mean 'inform.kz'" in shown.stderr
    assert "no source named 'ztgzt.k' (did you mean 'ztgzt.kz'?); see `newsmon schedule`" in made_due.stderr


def test_add_writes_a_definition_that_loads_and_refuses_to_overwrite_it(
    newsmon: Invoke, sources_dir: Path
) -> None:
    added = newsmon("sources", "add", "https://new-portal.example/", "--name", "new-portal")
    assert added.exit_code == 0, added.output
    written = yaml.safe_load((sources_dir / "new-portal.yaml").read_text())
    assert written == {"name": "new-portal", "home": "https://new-portal.example/"}
    assert "new-portal" in newsmon("sources", "list").stdout

    again = newsmon("sources", "add", "https://new-portal.example/", "--name", "new-portal")
    assert again.exit_code == 1 and "exists already" in again.stderr


@pytest.mark.parametrize(
    ("url", "name", "says"),
    [
        (
            "ftp://portal.example/",
            None,
            "home: must be an http(s) URL with a host, got 'ftp://portal.example/'",
        ),
        ("not-a-url", None, "home: must be an http(s) URL with a host, got 'not-a-url'"),
        ("http://exa mple.kz/", None, "home: must be an http(s) URL with a host"),
        ("https://portal.example/", "Bad Name", "name: 'Bad Name' is not a name: use lower case letters"),
        ("http://[::1]:8080/", None, "name: '::1-8080' is not a name"),
    ],
)
def test_add_rejects_a_bad_url_or_name_in_one_clean_line_and_writes_nothing(
    newsmon: Invoke, sources_dir: Path, url: str, name: str | None, says: str
) -> None:
    result = newsmon("sources", "add", url, *(("--name", name) if name else ()))

    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot add {url!r}: ") and says in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    for pydantic_words in ("Traceback", "type=value_error", "input_value", "Value error"):
        assert pydantic_words not in result.stderr
    assert ("--name" in result.stderr) == (name is None and "name:" in says)
    assert list(sources_dir.iterdir()) == []


def test_add_refuses_the_name_of_a_shipped_source_unless_told_to_replace_it(
    newsmon: Invoke, sources_dir: Path
) -> None:
    refused = newsmon("sources", "add", "https://zakon.kz/")

    assert refused.exit_code == 1
    assert "source zakon.kz already exists (the shipped definition in " in refused.stderr
    assert "crawlers/sources/zakon.kz.yaml, home https://www.zakon.kz/)" in refused.stderr
    assert "--name" in refused.stderr and "--replace" in refused.stderr
    assert list(sources_dir.iterdir()) == []
    assert yaml.safe_load(newsmon("sources", "show", "zakon.kz").stdout)["languages"] == ["ru"]

    replaced = newsmon("sources", "add", "https://zakon.kz/", "--replace")

    assert replaced.exit_code == 0, replaced.output
    assert f"wrote {sources_dir / 'zakon.kz.yaml'}: source zakon.kz" in replaced.stdout
    assert "replaces the shipped definition" in replaced.stdout
    assert yaml.safe_load(newsmon("sources", "show", "zakon.kz").stdout)["home"] == "https://zakon.kz/"


def test_add_refuses_a_name_the_users_own_files_define(newsmon: Invoke, sources_dir: Path) -> None:
    (sources_dir / "papers.txt").write_text("https://my-paper.example/\n")

    result = newsmon("sources", "add", "https://www.my-paper.example/", "--replace")

    assert result.exit_code == 1
    assert f"source my-paper.example already exists (your definition in {sources_dir / 'papers.txt'}" in (
        result.stderr
    )
    assert f"edit {sources_dir / 'papers.txt'}" in result.stderr
    assert sorted(p.name for p in sources_dir.iterdir()) == ["papers.txt"]


def test_add_without_a_sources_directory_writes_where_every_command_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NEWSMON_SOURCES_DIR", raising=False)
    with newsmon_settings(monkeypatch, tmp_path / "data"):
        runner = CliRunner()
        added = runner.invoke(cli, ["sources", "add", "https://solo.example/", "--name", "solo"])
        written = tmp_path / "data" / "sources" / "solo.yaml"
        written.write_text("name: solo\nhome: https://solo.example/\nlanguages: [kk]\n")
        shown = runner.invoke(cli, ["sources", "show", "solo"])

    assert added.exit_code == 0, added.output
    assert added.stdout.startswith(f"wrote {written}: source solo, home https://solo.example/\n")
    assert yaml.safe_load(shown.stdout)["languages"] == ["kk"]  # the edit is seen


def test_a_schedule_only_the_scheduler_could_read_is_a_definition_error(
    newsmon: Invoke, sources_dir: Path
) -> None:
    (sources_dir / "weekly.yaml").write_text(
        'name: weekly-paper\nhome: https://weekly.example/\nschedule: "every tuesday-ish"\n'
    )

    result = newsmon("sources", "list")

    assert result.exit_code == 0
    (error,) = result.stderr.splitlines()
    assert error.startswith(
        f"newsmon: source definition skipped: {sources_dir / 'weekly.yaml'}: source weekly-paper: field schedule: "
    )
    assert "'every tuesday-ish' is not 'adaptive', an interval (15m, 2h, 1d) or a cron expression" in error
    assert "weekly-paper" not in result.stdout and "zakon.kz" in result.stdout


def test_test_shows_what_a_portal_offers_samples_and_a_definition(
    newsmon: Invoke, akimat: PortalServer
) -> None:
    result = newsmon("sources", "test", akimat.url + "/")

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"    {akimat.url}/rss/ru.xml: 5 items, newest " in out
    assert f"    {akimat.url}/rss/kk.xml: 2 items, newest " in out
    assert "  sitemaps: none found" in out
    samples = [line.strip() for line in out.splitlines() if line.startswith(f"  {akimat.url}/")]
    assert len(samples) == 5
    assert out.count("    title: ") == 5 and out.count("    published: ") == 5
    assert "    warnings: " in out  # at least one sample carries warnings to read
    _, definition = _suggestion(out)
    assert definition["home"] == akimat.url + "/"
    assert definition["languages"] == ["ru", "kk"]  # the home page says ru; the Kazakh samples add kk
    assert "feeds" not in definition  # found on the home page at crawl time: left out, as the docs advise


def test_test_shows_how_each_feed_and_sitemap_reads(newsmon: Invoke, bulletin: PortalServer) -> None:
    result = newsmon("sources", "test", bulletin.url + "/")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any(line.startswith(f"    {bulletin.url}/rss/news.xml: 10 items, newest 20") for line in lines)
    assert f"    {bulletin.url}/rss/all.xml: problem: HTML, not a feed" in lines
    assert f"    {bulletin.url}/rss/cut.xml: problem: truncated XML: read 3 items before the error" in lines
    assert any(line.startswith(f"    {bulletin.url}/sitemap.xml: 3 URLs, newest 20") for line in lines)
    assert (
        f"    {bulletin.url}/sitemap-pages.xml: problem: truncated XML: read 42 URLs before the error"
        in lines
    )
    notes, definition = _suggestion(result.stdout)
    assert "feeds" not in definition and "sitemaps" not in definition
    (left_out,) = [note for note in notes if note.startswith("# Left out, they do not read: ")]
    assert f"{bulletin.url}/rss/all.xml (HTML, not a feed)" in left_out
    assert f"{bulletin.url}/rss/cut.xml (truncated XML: read 3 items before the error)" in left_out


def test_test_reads_a_gzipped_sitemap_named_in_robots_txt(newsmon: Invoke, gazette: PortalServer) -> None:
    result = newsmon("sources", "test", gazette.url + "/")

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"    {gazette.url}/news-sitemaps/politics.xml.gz: news sitemap, 4 URLs, newest 20" in out
    assert f"  news sitemaps: {gazette.url}/news-sitemaps/politics.xml.gz" in out
    samples = [line for line in out.splitlines() if line.startswith(f"  {gazette.url}/")]
    assert len(samples) == 4  # every article of the sitemap, as a crawl finds them
    assert out.count("    title: Legislature passes the new state budget") == 4
    assert "    warnings: " not in out


def test_test_by_name_tests_the_definitions_own_feeds_sitemaps_and_listings(
    newsmon: Invoke, sources_dir: Path, bulletin: PortalServer
) -> None:
    (sources_dir / "bulletin.yaml").write_text(
        f"name: city-bulletin\nhome: {bulletin.url}/\ntitle: City Bulletin\n"
        "feeds: [/rss/news.xml, /rss/gone.xml]\nsitemaps: [/sitemap-pages.xml]\nlistings: [/news/]\n"
    )

    result = newsmon("sources", "test", "city-bulletin", "-n", "2")

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"{bulletin.url}/ (source city-bulletin, defined in {sources_dir / 'bulletin.yaml'})"
    own, extra = "(from the definition)", "(discovered; a crawl of this definition does not read it)"
    assert any(
        line.startswith(f"    {bulletin.url}/rss/news.xml: 10 items") and line.endswith(own) for line in lines
    )
    assert f"    {bulletin.url}/rss/gone.xml: problem: HTTP 404 {own}" in lines
    assert f"    {bulletin.url}/rss/all.xml: problem: HTML, not a feed {extra}" in lines
    assert f"    {bulletin.url}/news/: 4 article links {own}" in lines
    assert any(
        line.startswith(f"    {bulletin.url}/sitemap.xml: 3 URLs") and line.endswith(extra) for line in lines
    )
    notes, definition = _suggestion(result.stdout)
    assert definition["name"] == "city-bulletin" and definition["title"] == "City Bulletin"
    assert definition["feeds"] == [f"{bulletin.url}/rss/news.xml"]  # the 404 is left out
    assert "sitemaps" not in definition  # its one sitemap is truncated
    assert definition["listings"] == [f"{bulletin.url}/news/"]
    assert any(
        note.startswith("# Discovery also finds, not read while the definition names its own: ")
        for note in notes
    )


def test_test_warns_when_every_feed_item_is_older_than_the_since_window(
    newsmon: Invoke, archive: PortalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSMON_SINCE_DAYS", "7")
    get_settings.cache_clear()

    result = newsmon("sources", "test", archive.url + "/", "-n", "2")

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "  since-window: 7 days (NEWSMON_SINCE_DAYS)" in out
    assert (
        f"  warning: all 20 items of {archive.url}/rss/ are older than the since-window (7 days): "
        "a crawl stores nothing from it"
    ) in out
    assert out.count("    warnings: older than the since-window (7 days): a crawl skips it") == 2


def test_test_with_no_since_window_gives_no_warning(
    newsmon: Invoke, sources_dir: Path, archive: PortalServer
) -> None:
    (sources_dir / "archive.yaml").write_text(f"name: old-paper\nhome: {archive.url}/\nsince_days: 0\n")

    result = newsmon("sources", "test", "old-paper", "-n", "1")

    assert result.exit_code == 0, result.output
    assert "  since-window: none (since_days)" in result.stdout
    assert "older than the since-window" not in result.stdout


def test_test_of_a_port_where_nothing_listens_is_one_error_line(newsmon: Invoke) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    result = newsmon("sources", "test", f"http://127.0.0.1:{port}/")

    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot reach http://127.0.0.1:{port}/: connection refused\n"
    assert result.stdout == ""  # no offer, no samples, no suggested definition


def test_suggested_definition_keeps_the_port_and_names_the_home_page_as_the_listing(
    newsmon: Invoke, bulletin: PortalServer
) -> None:
    result = newsmon("sources", "test", bulletin.url + "/", "-n", "1")

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"    {bulletin.url}/: the home page, read as the listing: 2 article links" in out
    assert f"    section pages (candidates for listings): {bulletin.url}/news/" in out
    assert "listings: none found" not in out
    notes, definition = _suggestion(out)
    assert definition == {
        "name": f"127.0.0.1-{bulletin.port}",
        "home": bulletin.url + "/",
        "languages": ["ru"],
    }
    assert "# No listings: a crawl reads the home page as the listing (2 article links)." in notes
    assert "# Feeds and sitemaps are discovered at crawl time (home page, robots.txt): not listed." in notes


@pytest.mark.parametrize(
    ("portal", "definition", "read"),
    [
        # a feed, an HTML "feed" and a truncated feed; a sitemap and a truncated one named in robots.txt
        (
            "bulletin",
            "",
            ["/rss/news.xml", "/rss/all.xml", "/rss/cut.xml", "/sitemap.xml", "/sitemap-pages.xml"],
        ),
        # a sitemap index in robots.txt, its children (one gzipped), and the usual feed paths probed
        (
            "agency",
            "",
            ["/sitemap/index.xml", "/sitemap/news.xml", "/sitemap/articles-recent.xml.gz", "/rss"],
        ),
        # a definition's own feeds (one answers 404), sitemap and listing
        (
            "bulletin",
            "feeds: [/rss/news.xml, /rss/gone.xml]\nsitemaps: [/sitemap-pages.xml]\nlistings: [/news/]\n",
            ["/rss/news.xml", "/rss/gone.xml", "/sitemap-pages.xml", "/news/"],
        ),
    ],
    ids=["bulletin", "agency", "bulletin-by-name"],
)
def test_test_fetches_each_feed_sitemap_and_page_once(
    newsmon: Invoke, sources_dir: Path, portal: str, definition: str, read: list[str]
) -> None:
    # given a portal of its own, whose server counts the requests for each path
    server = PortalServer(FIXTURES / "portals" / portal)
    try:
        argument = server.url + "/"
        if definition:
            (sources_dir / "own.yaml").write_text(f"name: own\nhome: {server.url}/\n{definition}")
            argument = "own"

        # when the feeds and sitemaps are described and then sample articles are picked from them
        result = newsmon("sources", "test", argument)
        paths = Counter(server.paths())
    finally:
        server.stop()

    # then each was requested once, and so was every other path (robots.txt, the home page, articles)
    assert result.exit_code == 0, result.output
    assert "\n  " + server.url in result.stdout  # sample articles were extracted
    assert {path: paths[path] for path in read} == dict.fromkeys(read, 1)
    assert [path for path, n in paths.items() if n > 1] == []


@pytest.mark.parametrize(
    ("argument", "says"),
    [
        ("no-such-paper", "'no-such-paper' is neither a known source nor a URL"),
        ("ztgzt", "'ztgzt' is neither a known source nor a URL (did you mean 'ztgzt.kz'?)"),
        (
            "127.0.0.1:8851",
            "'127.0.0.1:8851' is neither a known source nor a URL; did you mean http://127.0.0.1:8851?",
        ),
        (
            "http://exa mple.kz/",
            "cannot test 'http://exa mple.kz/': home: must be an http(s) URL with a host",
        ),
    ],
)
def test_test_of_neither_a_source_nor_a_url_is_one_line(newsmon: Invoke, argument: str, says: str) -> None:
    result = newsmon("sources", "test", argument)

    assert result.exit_code == 1
    assert says in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_test_warns_for_a_sample_whose_page_is_older_than_the_since_window(
    newsmon: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a portal whose sitemap dates every page a few hours ago while the pages say 2024 and 2020
    monkeypatch.setenv("NEWSMON_SINCE_DAYS", "7")
    get_settings.cache_clear()
    portal = PortalServer(FIXTURES / "portals" / "reissued")
    try:
        # when it is tested
        result = newsmon("sources", "test", portal.url + "/", "-n", "2")
    finally:
        portal.stop()

    # then the sitemap reads as recent, and both samples say a crawl skips them, as a crawl does
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"{portal.url}/sitemap.xml: 2 URLs" in out
    assert "are older than the since-window" not in out
    assert out.count("    warnings: older than the since-window (7 days): a crawl skips it") == 2
