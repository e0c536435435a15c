"""The time zone a portal most likely writes its dates in, from its address: the zone of the country of its
top-level domain.

A page that prints «06.11.2023 14:30» or only «06.11.2023» leaves the zone unsaid. For a source the zone is
in its definition; for a page read without one (`newsmon extract`, `extract_article(html, url)`) a German
portal's time read as Almaty time is five hours off, and its day-only date falls on the previous day in
UTC. Country codes whose zones share one offset give that zone; the large countries with several give the
zone their national press writes in; generic domains (.com, .org, .info) give Asia/Almaty, this product's
home region.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytz

DEFAULT_ZONE = "Asia/Almaty"
# Countries whose zones differ in offset: the zone of the capital or of most of the national press.
PRESS_ZONES = {
    "ru": "Europe/Moscow",
    "kz": "Asia/Almaty",
    "us": "America/New_York",
    "ca": "America/Toronto",
    "br": "America/Sao_Paulo",
    "au": "Australia/Sydney",
    "mx": "America/Mexico_City",
    "id": "Asia/Jakarta",
    "es": "Europe/Madrid",
    "pt": "Europe/Lisbon",
    "cl": "America/Santiago",
    "ua": "Europe/Kyiv",
    "mn": "Asia/Ulaanbaatar",
    "cd": "Africa/Kinshasa",
    "ec": "America/Guayaquil",
    "nz": "Pacific/Auckland",
    "ki": "Pacific/Tarawa",
    "fm": "Pacific/Pohnpei",
    "pf": "Pacific/Tahiti",
    "um": "Pacific/Honolulu",
    "cn": "Asia/Shanghai",
    "gl": "America/Nuuk",
    "pg": "Pacific/Port_Moresby",
}
# Top-level domains that are not their country's ISO code.
DOMAIN_COUNTRIES = {"uk": "gb", "su": "ru", "қаз": "kz", "рф": "ru", "xn--80ao21a": "kz", "xn--p1ai": "ru"}


def zone_for_url(url: str) -> str:
    """A tz database zone for dates a page at `url` writes without one."""
    host = (urlsplit(url).hostname or "").rstrip(".")
    domain = host.rpartition(".")[2].lower()
    return _country_zone(DOMAIN_COUNTRIES.get(domain, domain)) or DEFAULT_ZONE


@lru_cache(maxsize=256)
def _country_zone(country: str) -> str | None:
    if country in PRESS_ZONES:
        return PRESS_ZONES[country]
    zones = pytz.country_timezones.get(country.upper()) if len(country) == 2 else None
    if not zones:
        return None
    instant = datetime(2025, 1, 15)  # a fixed day, so the answer does not change with daylight saving
    offsets = {ZoneInfo(name).utcoffset(instant) for name in zones}
    return zones[0] if len(offsets) == 1 else None
