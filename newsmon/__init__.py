"""newsmon: news scraping and monitoring for regional portals."""

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """`from newsmon import Archive`, imported on first use so crawlers and workers do not load search."""
    if name == "Archive":
        from newsmon.archive import Archive

        return Archive
    raise AttributeError(f"module 'newsmon' has no attribute {name!r}")
