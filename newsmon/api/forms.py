"""Read HTML form posts (application/x-www-form-urlencoded) without an extra multipart dependency."""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import Request

from newsmon.api.errors import ApiError

MAX_FORM_BYTES = 256 * 1024


async def read_form(request: Request) -> dict[str, list[str]]:
    """Field name -> values, in the order sent; 400/413/415 for what a form post cannot be."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in {"application/x-www-form-urlencoded", ""}:
        raise ApiError(415, f"forms must be sent url-encoded, not {kind}", "content-type")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise ApiError(413, f"form larger than {MAX_FORM_BYTES // 1024} KiB")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise ApiError(400, "form is not UTF-8") from None
    fields: dict[str, list[str]] = {}
    for key, value in pairs:
        fields.setdefault(key, []).append(value)
    return fields


def first(fields: dict[str, list[str]], name: str, default: str = "") -> str:
    values = fields.get(name)
    return values[0] if values else default


def checkbox(fields: dict[str, list[str]], name: str) -> bool | None:
    """A checkbox sent after a hidden field of the same name: None when the form had neither (a post that
    does not set it), else whether it was ticked. An unticked box alone sends nothing, so without the
    hidden field "unticked" and "not on this form" would look the same."""
    values = fields.get(name)
    if values is None:
        return None
    return "yes" in values
