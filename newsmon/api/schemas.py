"""Request bodies (unknown fields refused) and the JSON shapes of stored things."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, field_validator, model_validator
from pydantic_core import PydanticCustomError

from newsmon.models import Alert, StoredArticle, Watch
from newsmon.storage.tokens import TOKEN_NAME_RULE

LOCAL_TIME = r"^([01]\d|2[0-3]):[0-5]\d$"
HOURS = r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$"
Mode = Literal["instant", "hourly", "daily", "weekly"]
TEXT_FORMS = 'each text is a string or an object {"text": ..., "lang": ...}'


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class WatchIn(Body):
    """A watch as sent by a client; the id comes from the path."""

    name: str = Field(min_length=1, max_length=200)
    query: str = Field(min_length=1, max_length=4000)
    owner: str = Field("default", min_length=1, max_length=200)
    channels: list[str] = Field(default_factory=list, max_length=50)
    mode: Mode = "instant"
    digest_at: str | None = Field(None, pattern=LOCAL_TIME, description="Local time of a digest, HH:MM.")
    timezone: str = Field("Asia/Almaty", max_length=64)
    quiet_hours: str | None = Field(
        None, pattern=HOURS, description="Local hours to hold alerts, 22:00-07:00."
    )
    sources: list[str] = Field(default_factory=list, max_length=500)
    regions: list[str] = Field(default_factory=list, max_length=100)
    languages: list[str] = Field(default_factory=list, max_length=20)
    min_mentions: int = Field(1, ge=1, le=10_000)
    spike_factor: float | None = Field(None, gt=1, le=1000)
    enabled: bool = True

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}; use a tz database name like Asia/Almaty"
            ) from None
        return value

    def to_watch(self, watch_id: int = 0) -> Watch:
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in self.model_dump().items()}
        return Watch(id=watch_id, **values)


class TextIn(Body):
    """A text to try a query on: sent as a plain string, or as {"text": ..., "lang": ...} to give its language.

    One model rather than a union of string and object: a union's errors name the branch pydantic tried
    (`texts.0.constrained-str`), while this one's name the caller's field (`texts[0]`, `texts[0].lang`).
    """

    text: str = Field(max_length=200_000)
    lang: str | None = Field(None, max_length=10)

    @model_validator(mode="before")
    @classmethod
    def _plain_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"text": value}
        if isinstance(value, dict | TextIn):
            return value
        raise PydanticCustomError("text_type", TEXT_FORMS)


TextItem = Annotated[
    TextIn,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "maxLength": 200_000},
                {
                    "type": "object",
                    "properties": {
                        "text": {"type": "string", "maxLength": 200_000},
                        "lang": {"type": "string", "maxLength": 10},
                    },
                    "required": ["text"],
                    "additionalProperties": False,
                },
            ]
        }
    ),
]


class WatchTestIn(Body):
    """A query to try on texts before saving it as a watch."""

    query: str = Field(min_length=1, max_length=4000)
    texts: list[TextItem] = Field(min_length=1, max_length=100, description=TEXT_FORMS)


class TokenIn(Body):
    """A token to make; the name is checked where tokens are stored, with the same rule as the CLI's."""

    name: str = Field(description=TOKEN_NAME_RULE)
    role: Literal["reader", "editor", "admin"] = "reader"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def watch_json(item: Watch) -> dict[str, Any]:
    data = dataclasses.asdict(item)
    return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}


def alert_json(item: Alert) -> dict[str, Any]:
    data = dataclasses.asdict(item)
    for key in ("next_attempt_at", "created_at", "sent_at"):
        data[key] = _iso(data[key])
    return data


def article_json(item: StoredArticle, *, with_text: bool = True) -> dict[str, Any]:
    data = dataclasses.asdict(item)
    for key in ("published", "updated", "fetched_at", "stored_at"):
        data[key] = _iso(data[key])
    for key in ("authors", "tags", "warnings"):
        data[key] = list(data[key])
    if not with_text:
        data.pop("text")
    return data
