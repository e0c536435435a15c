"""The HTTP API and the web pages (FastAPI): `create_app(settings)`; `newsmon serve` runs it under uvicorn."""

from newsmon.api.app import create_app

__all__ = ["create_app"]
