"""Datelines in Russian and Kazakh words read back to the moment they print, in Almaty time."""

from __future__ import annotations

from datetime import UTC, datetime

import dateparser
import pytest

from newsmon.demo.portals.datelines import DATELINE_STYLES, format_dateline, iso_local, parse_local, rfc822


@pytest.mark.parametrize("style", list(DATELINE_STYLES))
@pytest.mark.parametrize("local", ["2024-11-16T16:49", "2025-03-03T10:20", "2024-02-28T18:30"])
def test_every_style_reads_back_with_dateparser(style, local):
    moment = parse_local(local)
    line = format_dateline(moment, style)
    parsed = dateparser.parse(
        line, languages=["ru", "kk"], settings={"TIMEZONE": "Asia/Almaty", "RETURN_AS_TIMEZONE_AWARE": True}
    )
    assert parsed is not None, line
    assert parsed.replace(tzinfo=None) == moment.replace(tzinfo=None)


def test_examples_from_the_portals():
    assert format_dateline(parse_local("2024-12-10T13:02"), "ru-day-first") == "10 декабря 2024, 13:02"
    assert format_dateline(parse_local("2025-08-15T13:51"), "ru-time-first") == "13:51, 15 августа 2025"
    assert format_dateline(parse_local("2025-08-24T15:10"), "numeric") == "24.08.2025, 15:10"
    assert format_dateline(parse_local("2024-11-16T16:49"), "kk-day-first") == "16 Қараша 2024, 16:49"
    assert format_dateline(parse_local("2020-05-08T12:28"), "ru-year-mark") == "8 мая 2020 г. 12:28"


def test_machine_forms_carry_the_offset_of_their_date():
    before, after = parse_local("2024-02-28T18:30"), parse_local("2024-12-10T13:02")

    assert iso_local(before) == "2024-02-28T18:30:00+06:00"
    assert iso_local(after) == "2024-12-10T13:02:00+05:00"
    assert rfc822(after) == "Tue, 10 Dec 2024 13:02:00 +0500"
    assert before.astimezone(UTC) == datetime(2024, 2, 28, 12, 30, tzinfo=UTC)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match=r"10\.12\.2024"):
        parse_local("10.12.2024")
    with pytest.raises(ValueError, match="offset"):
        parse_local("2024-12-10T13:02+05:00")
    with pytest.raises(ValueError, match="unknown dateline style 'iso'"):
        format_dateline(parse_local("2024-12-10T13:02"), "iso")
