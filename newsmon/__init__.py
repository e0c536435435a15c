"""newsmon: news scraping and monitoring for regional portals."""

__version__ = "0.1.0"
