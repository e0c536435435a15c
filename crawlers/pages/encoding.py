"""Bytes to text for HTML pages whose declared charset is often missing or wrong.

Order of evidence: a byte-order mark; bytes that are valid multi-byte UTF-8 (whatever the page claims:
Chinese pages say GB2312, Danish ones ISO-8859-1, and are UTF-8); the HTTP charset; a <meta charset>
anywhere in the head (not only in the first 1024 bytes); then content sniffing. A declared single-byte
Cyrillic charset is checked against the text, because windows-1251 and KOI8-R pages lie about each other.
"""

from __future__ import annotations

import codecs
import logging
import re

logger = logging.getLogger(__name__)

BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
META_CHARSET_RE = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-z0-9_:.\-]+)""", re.IGNORECASE)
XML_DECL_RE = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([a-z0-9_.\-]+)""", re.IGNORECASE)
HEAD_END_RE = re.compile(rb"</head\s*>|<body[\s>]", re.IGNORECASE)
MAX_HEAD_SCAN = 256 * 1024
# What browsers really use for the labels pages declare (WHATWG encoding standard).
LABEL_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "iso8859-1": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-cp1251": "cp1251",
    "win-1251": "cp1251",
    "x-user-defined": "cp1252",
}
CYRILLIC_SINGLE_BYTE = frozenset(
    codecs.lookup(name).name for name in ("cp1251", "koi8_r", "koi8_u", "cp866", "mac_cyrillic", "iso8859_5")
)


def declared_charset(data: bytes) -> str | None:
    """The charset named by <meta charset>, <meta http-equiv> or the XML declaration in the head."""
    head_end = HEAD_END_RE.search(data, 0, MAX_HEAD_SCAN)
    head = data[: head_end.start() if head_end else MAX_HEAD_SCAN]
    match = META_CHARSET_RE.search(head) or XML_DECL_RE.search(head[:200])
    return match.group(1).decode("ascii", "ignore") if match else None


def codec_name(label: str | None) -> str | None:
    """Python codec for a charset label, or None when the label is unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = LABEL_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(data: bytes, headers_charset: str | None = None) -> tuple[str, str]:
    """Decoded text and the codec used. Never raises: undecodable bytes become U+FFFD."""
    for bom, name in BOMS:
        if data.startswith(bom):
            return data.decode(name, errors="replace"), name
    if (text := _utf8_text(data)) is not None:
        return text, "utf-8"
    for label in (headers_charset, declared_charset(data)):
        name = codec_name(label)
        if name is None or name == "utf-8":
            continue
        try:
            text = data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        if name in CYRILLIC_SINGLE_BYTE and not looks_like_cyrillic_text(text):
            logger.debug("declared %s does not fit the bytes; sniffing", name)
            break
        return text, name
    return sniff(data)


def _utf8_text(data: bytes) -> str | None:
    """The bytes decoded as UTF-8 (ASCII included), None if they are not UTF-8 (decoded once: a check
    that decodes and then decodes again took twice the time)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def sniff(data: bytes) -> tuple[str, str]:
    """Guess the encoding from the content; Cyrillic candidates are checked by letter case."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:MAX_HEAD_SCAN], preemptive_behaviour=False).best()
    name = codec_name(best.encoding) if best else None
    if name:
        text = data.decode(name, errors="replace")
        if not _has_cyrillic(text) or looks_like_cyrillic_text(text):
            return text, name
    for candidate in ("cp1251", "koi8-r", "cp866", "mac-cyrillic"):
        text = data.decode(candidate, errors="replace")
        if _has_cyrillic(text) and looks_like_cyrillic_text(text):
            return text, codecs.lookup(candidate).name
    name = name or "utf-8"
    return data.decode(name, errors="replace"), name


def _has_cyrillic(text: str) -> bool:
    return sum(1 for char in text[:20000] if "\u0400" <= char <= "\u04ff") > 20


def looks_like_cyrillic_text(text: str) -> bool:
    """Real Russian/Kazakh prose is mostly lower-case; a wrong single-byte codec flips the case."""
    letters = [char for char in text if "\u0400" <= char <= "\u04ff"]
    if len(letters) < 20:
        return True
    upper = sum(1 for char in letters if char.isupper())
    return upper / len(letters) < 0.4
